import { Document, isCollection, visit } from "yaml";
import { PlannedResource, StackPlan } from "./engine";

/** A collection whose one-line form is at most this long is printed on one line. */
const FLOW_WIDTH = 100;

function flags(r: PlannedResource): string {
  const marks = [
    r.protect ? "protect" : "",
    r.retainOnDelete ? "retainOnDelete" : "",
    r.import ? `import ${r.import}` : "",
    r.ignoreChanges ? `ignoreChanges ${r.ignoreChanges.join(",")}` : "",
  ].filter(Boolean);
  return marks.length ? `  [${marks.join(", ")}]` : "";
}

/**
 * The readable form of a plan: the resource tree as `pulumi preview` shows it, then the outputs.
 * The resources come in tree order (each after its parent, its subtree before its next sibling).
 */
export function renderTree(plan: StackPlan): string {
  const lines = [`${plan.stack}: customer ${plan.customer}, environment ${plan.environment}, ${plan.resources.length} resources`];
  const resources = plan.resources;
  /** Whether the resource at `i` is the last child of its parent: no sibling follows before the subtree ends. */
  const isLast = (i: number): boolean => {
    for (let j = i + 1; j < resources.length; j++) {
      if (resources[j].depth <= resources[i].depth) return resources[j].depth < resources[i].depth;
    }
    return true;
  };
  // For each depth, whether the ancestor at that depth was a last child: its column is blank below it.
  const lastAt: boolean[] = [];
  resources.forEach((r, i) => {
    lastAt[r.depth] = isLast(i);
    const indent = lastAt.slice(1, r.depth).map((last) => (last ? "   " : "│  ")).join("");
    const branch = r.depth === 0 ? "" : lastAt[r.depth] ? "└─ " : "├─ ";
    lines.push(`${indent}${branch}${r.type}  ${r.name}${flags(r)}`);
  });
  lines.push("Outputs:", ...renderOutputs(plan.outputs).map((line) => `  ${line}`));
  return lines.join("\n");
}

/**
 * The outputs as YAML: a short list or mapping on one line, a longer one a line per entry, and
 * text of several lines (the Vault agent's templates) as a block with its own line breaks.
 */
function renderOutputs(outputs: Record<string, unknown>): string[] {
  const document = new Document(outputs);
  visit(document, (_, node) => {
    if (!isCollection(node)) return;
    const oneLine = JSON.stringify(node.toJSON());
    node.flow = oneLine.length <= FLOW_WIDTH && !oneLine.includes("\\n");
  });
  return document.toString({ lineWidth: 0 }).trimEnd().split("\n");
}
