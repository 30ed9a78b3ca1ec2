import { checkAllStacks, checkCustomersWithoutStacks, stackFleetProblems } from "../config/fleet";
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
  if (values.json) return JSON.stringify(values.all ? plans : plans[0], null, 2);
  return plans.map(renderTree).join("\n\n");
}

if (require.main === module) runCli((argv) => plan(argv, process.cwd()));
