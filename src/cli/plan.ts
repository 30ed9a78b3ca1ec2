import { FLEET_CHECKS, checkAllStacks, checkCustomersWithoutStacks, stackFleetProblems } from "../config/fleet";
import { fleetStacks, noSuchStack } from "../config/files";
import { ConfigError } from "../config/problems";
import { StackPlan, planStack } from "../plan/engine";
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

  let stacks = fleetStacks(root);
  if (typeof values.stack === "string") {
    if (!stacks.includes(values.stack)) throw noSuchStack(root, values.stack);
    stacks = [values.stack];
  }
  // Problems are found before planning, so that --stack prints them as --all does: for one
  // stack, with its clashes with the rest of the fleet, as `pulumi up` checks them; for all, with
  // the customer files no stack reads.
  const checked = checkAllStacks(root, stacks);
  const problems = values.all
    ? [...checked.problems, ...checkCustomersWithoutStacks(root, stacks)]
    : [...checked.problems, ...checked.members.flatMap((m) => stackFleetProblems(root, m))];
  if (problems.length > 0) throw new ConfigError(problems);

  const plans: StackPlan[] = [];
  for (const [i, stack] of stacks.entries()) {
    plans.push(await planStack(root, stack, values.all === true));
    if (values.all) process.stderr.write(`planned ${stack} (${i + 1}/${stacks.length}): ${plans[i].resources.length} resources\n`);
  }
  if (!values.all) return values.json ? JSON.stringify(plans[0], null, 2) : renderTree(plans[0]);
  // The summary closes the readable output; beside the JSON document it goes with the progress, to stderr.
  const summary = planSummary(plans);
  if (values.json) {
    process.stderr.write(`${summary}\n`);
    return JSON.stringify(plans, null, 2);
  }
  return [...plans.map(renderTree), summary].join("\n\n");
}

/** How many stacks and resources were planned, and what the fleet checks that passed hold. */
function planSummary(plans: StackPlan[]): string {
  const resources = plans.reduce((sum, p) => sum + p.resources.length, 0);
  return [`Planned ${plans.length} ${plans.length === 1 ? "stack" : "stacks"}, ${resources} resources. Fleet checks passed:`, ...FLEET_CHECKS.map((check) => `  - ${check}`)].join("\n");
}

if (require.main === module) runCli((argv) => plan(argv, process.cwd()));
