import { FLEET_CHECKS, checkAllStacks, checkCustomersWithoutStacks, stackFleetProblems } from "../config/fleet";
import { fleetStacks, noSuchStack } from "../config/files";
import { ConfigError } from "../config/problems";
import { StackPlan, planStack } from "./engine";

/**
 * Checks, then plans offline, one stack (`stack`) or every stack of the fleet. Problems are found
 * before planning, so that one stack is told as --all tells it: for one stack, with its clashes
 * with the rest of the fleet, as `pulumi up` checks them; for all, with the customer files no
 * stack reads. `planned` hears of each stack as it is planned.
 */
export async function checkAndPlan(root: string, stack: string | undefined, planned: (plan: StackPlan, index: number, of: number) => void = () => {}): Promise<StackPlan[]> {
  let stacks = fleetStacks(root);
  if (stack !== undefined) {
    if (!stacks.includes(stack)) throw noSuchStack(root, stack);
    stacks = [stack];
  }
  const checked = checkAllStacks(root, stacks);
  const problems =
    stack === undefined
      ? [...checked.problems, ...checkCustomersWithoutStacks(root, stacks)]
      : [...checked.problems, ...checked.members.flatMap((m) => stackFleetProblems(root, m))];
  if (problems.length > 0) throw new ConfigError(problems);

  const plans: StackPlan[] = [];
  for (const [i, name] of stacks.entries()) {
    plans.push(await planStack(root, name, stack === undefined));
    planned(plans[i], i, stacks.length);
  }
  return plans;
}

/** How many stacks and resources were planned, and what the fleet checks that passed hold. */
export function planSummary(plans: StackPlan[]): string {
  const resources = plans.reduce((sum, p) => sum + p.resources.length, 0);
  return [`Planned ${plans.length} ${plans.length === 1 ? "stack" : "stacks"}, ${resources} resources. Fleet checks passed:`, ...FLEET_CHECKS.map((check) => `  - ${check}`)].join("\n");
}
