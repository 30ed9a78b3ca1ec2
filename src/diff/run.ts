import { listStacks } from "../config/files";
import { Checkout, addWorktree, readSide, removeWorktreesOnSignal, workingTree } from "./checkout";
import { FleetDiff, Side, compareFleet } from "./compare";

/** Which commits to compare: the base, and the head (the working tree when absent). */
export interface Refs {
  base: { ref: string; commit: string };
  head?: { ref: string; commit: string };
}

/** The two sides as checked out, before anything is planned. */
export interface Sides {
  base: Checkout;
  head: Checkout;
  /** Every stack of either side, sorted. */
  stacks: string[];
}

/**
 * Runs `work` with both sides checked out (a temporary worktree per commit, the working tree for
 * an absent head), and removes what it checked out afterwards, also on Ctrl-C.
 */
export async function withSides<T>(root: string, refs: Refs, work: (sides: Sides) => Promise<T>): Promise<T> {
  const stopOnSignal = removeWorktreesOnSignal();
  const checkouts: Checkout[] = [];
  try {
    const base = addWorktree(root, "base", refs.base.ref, refs.base.commit);
    checkouts.push(base);
    const head = refs.head ? addWorktree(root, "head", refs.head.ref, refs.head.commit) : workingTree(root);
    checkouts.push(head);
    const stacks = [...new Set([...listStacks(base.root), ...listStacks(head.root)])].sort();
    return await work({ base, head, stacks });
  } finally {
    for (const checkout of checkouts) checkout.remove();
    stopOnSignal();
  }
}

/** Plans both sides at once; the base's failure is reported before the head's. */
export async function planSides(sides: Sides): Promise<[Side, Side]> {
  const [b, h] = await Promise.allSettled([readSide(sides.base), readSide(sides.head)]);
  if (b.status === "rejected") throw b.reason;
  if (h.status === "rejected") throw h.reason;
  return [b.value, h.value];
}

/** The environments either side plans, sorted. */
export function plannedEnvironments(base: Side, head: Side): string[] {
  return [...new Set([...base.plans, ...head.plans].map((p) => p.environment))].sort();
}

/** What every selected stack would get from the base to the head (no selection: every stack). */
export function compareSelected(base: Side, head: Side, selection: { stacks?: string[]; environments?: string[] }): FleetDiff {
  const keep = (plan: Side["plans"][number]) =>
    (!selection.stacks || selection.stacks.includes(plan.stack)) && (!selection.environments || selection.environments.includes(plan.environment));
  const narrow = (side: Side): Side => ({ ...side, plans: side.plans.filter(keep) });
  return compareFleet(narrow(base), narrow(head));
}
