import { parseArgs } from "node:util";
import { checkAllStacks } from "../config/fleet";
import { EnvironmentConfig, listStacks, stackFileName } from "../config/load";
import { ConfigError } from "../config/problems";
import { StackPlan, planStack } from "../plan/engine";
import { renderTree } from "../plan/render";
import { runCli, UsageError } from "./run";

const USAGE = `usage: npm run plan -- --stack <customer>-<env> [--json]
       npm run plan -- --all [--json]

Renders what a stack declares, offline: no credentials, no cluster. Each stack is checked against
every other stack of stacks/ (no two share a namespace, host, Vault path, dbSuffix or claim;
README, "Tenant boundaries"); --all plans every stack.`;

export async function plan(argv: string[], root: string): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: { stack: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) return USAGE;
  if (Boolean(values.stack) === Boolean(values.all)) throw new UsageError("give exactly one of --stack <name> or --all", USAGE);

  const known = listStacks(root);
  let stacks: string[];
  let fleet: EnvironmentConfig[] | undefined;
  if (values.stack) {
    if (!known.includes(values.stack)) {
      throw new ConfigError([{ file: stackFileName(values.stack), path: "", message: `no such stack; stacks are: ${known.join(", ") || "(none)"}` }]);
    }
    stacks = [values.stack];
  } else {
    stacks = known;
    const checked = checkAllStacks(root, stacks);
    if (checked.problems.length > 0) throw new ConfigError(checked.problems);
    fleet = checked.configs;
  }

  const plans: StackPlan[] = [];
  for (const [i, stack] of stacks.entries()) {
    plans.push(await planStack(root, stack, fleet));
    if (values.all) process.stderr.write(`planned ${stack} (${i + 1}/${stacks.length}): ${plans[i].resources.length} resources\n`);
  }
  if (values.json) return JSON.stringify(values.all ? plans : plans[0], null, 2);
  return plans.map(renderTree).join("\n\n");
}

if (require.main === module) runCli((argv) => plan(argv, process.cwd()));
