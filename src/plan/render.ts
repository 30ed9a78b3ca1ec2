import { PlannedResource, StackPlan } from "./engine";

function flags(r: PlannedResource): string {
  const marks = [
    r.protect ? "protect" : "",
    r.retainOnDelete ? "retainOnDelete" : "",
    r.import ? `import ${r.import}` : "",
    r.ignoreChanges ? `ignoreChanges ${r.ignoreChanges.join(",")}` : "",
  ].filter(Boolean);
  return marks.length ? `  [${marks.join(", ")}]` : "";
}

/** The readable form of a plan: the resource tree as `pulumi preview` shows it, then the outputs. */
export function renderTree(plan: StackPlan): string {
  const lines = [`${plan.stack}: customer ${plan.customer}, environment ${plan.environment}, ${plan.resources.length} resources`];
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const visit = (parent: string | undefined, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${parent === undefined ? "" : last ? "└─ " : "├─ "}${r.type}  ${r.name}${flags(r)}`);
      visit(r.name, parent === undefined ? "" : indent + (last ? "   " : "│  "));
    });
  };
  visit(undefined, "");
  lines.push("Outputs:");
  for (const [key, value] of Object.entries(plan.outputs)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  return lines.join("\n");
}
