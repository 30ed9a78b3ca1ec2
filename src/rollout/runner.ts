/** Resource changes by kind as a preview counts them (`create`, `update`, `delete`, `replace`, `same`, ...). */
export type ChangeSummary = Record<string, number>;

/** The operations rollout needs from Pulumi, one stack at a time; implemented by the Automation API and by a fake. */
export interface StackRunner {
  /** Installs the project's plugins and dependencies once, before any stack runs. */
  install(): Promise<void>;
  /** Which of `stacks` the backend has. Rollout creates none: a preview changes no backend and no file. */
  initialized(stacks: readonly string[]): Promise<ReadonlySet<string>>;
  /** A preview of an update, with the tenant policy pack. */
  preview(stack: string): Promise<ChangeSummary>;
  /** An update of the stack. */
  update(stack: string): Promise<ChangeSummary>;
  /** A refresh preview: what differs between the stack's state and the live resources. */
  refreshPreview(stack: string): Promise<ChangeSummary>;
}

/** Kinds of change that do nothing. */
const NO_OP = new Set(["same", "read", "discard"]);

/** Counts the changes that do something, keys sorted; empty when nothing would change. */
export function effectiveChanges(summary: ChangeSummary): ChangeSummary {
  return Object.fromEntries(
    Object.entries(summary)
      .filter(([kind, count]) => !NO_OP.has(kind) && count > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export function hasChanges(summary: ChangeSummary): boolean {
  return Object.keys(effectiveChanges(summary)).length > 0;
}

/** `create 2, update 1`, or `no changes`. */
export function formatChanges(summary: ChangeSummary | undefined): string {
  if (!summary) return "-";
  const changes = Object.entries(effectiveChanges(summary));
  return changes.length === 0 ? "no changes" : changes.map(([kind, count]) => `${kind} ${count}`).join(", ");
}
