import type { StackPlan } from "../plan/engine";
import { checkAndPlan, planSummary } from "../plan/run";
import { renderTree } from "../plan/render";
import { parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run plan -- --stack <customer>-<env> [--json]
       npm run plan -- --all [--json]

Renders what a stack declares, offline: no credentials, no cluster. Each stack is checked against
every other stack of stacks/ (no two share a namespace, host, Vault path, dbSuffix or claim;
README, "Tenant boundaries"); --all plans every stack.`;

export async function plan(argv: string[], root: string): Promise<string> {
  const { values } = parseFlags(
    argv,
    { stack: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean" } },
    USAGE,
  );
  if (values.help) return USAGE;
  if (Boolean(values.stack) === Boolean(values.all)) throw new UsageError("give exactly one of --stack <name> or --all", USAGE);

  const progress = (plan: StackPlan, index: number, of: number) => {
    if (values.all) process.stderr.write(`planned ${plan.stack} (${index + 1}/${of}): ${plan.resources.length} resources\n`);
  };
  const plans = await checkAndPlan(root, typeof values.stack === "string" ? values.stack : undefined, progress);
  if (!values.all) return values.json ? JSON.stringify(plans[0], null, 2) : renderTree(plans[0]);
  // The summary closes the readable output; beside the JSON document it goes with the progress, to stderr.
  const summary = planSummary(plans);
  if (values.json) {
    process.stderr.write(`${summary}\n`);
    return JSON.stringify(plans, null, 2);
  }
  return [...plans.map(renderTree), summary].join("\n\n");
}

if (require.main === module) runCli((argv) => plan(argv, process.cwd()));
