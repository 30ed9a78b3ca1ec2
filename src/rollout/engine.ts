import { runPool } from "./pool";
import { DEFAULT_RETRY, RetryPolicy, withRetry } from "./retry";
import { ChangeSummary, StackRunner, effectiveChanges, hasChanges } from "./runner";
import { StackTarget, WaveName, planWaves } from "./waves";

/** `rollout` previews then updates; `preview` only previews; `drift` runs refresh previews. */
export type Mode = "rollout" | "preview" | "drift";
export type Operation = "preview" | "update" | "refresh-preview";
type Result = "updated" | "unchanged" | "previewed" | "in sync" | "drifted" | "failed" | "skipped" | NotReady;
/** Why a stack was not run at all: it is not in the backend yet, or its stack file lacks a secret it needs. */
type NotReady = "not initialized" | "secrets not set";
export const NOT_READY: readonly Result[] = ["not initialized", "secrets not set"];

export interface StackOutcome {
  stack: string;
  environment: string;
  wave: WaveName;
  /** What the preview (or, for drift, the refresh preview) found; absent when it did not run. */
  changes?: ChangeSummary;
  result: Result;
  /** Time spent on this stack's operations, retries and their waits included. */
  durationMs: number;
  /** Pulumi operations run for this stack, retries included. */
  attempts: number;
  error?: string;
}

export interface RolloutReport {
  mode: Mode;
  startedAt: string;
  durationMs: number;
  parallel: number;
  /** Why no further stacks were started, when that happened. */
  stopped?: string;
  /** A failure before any stack ran (`pulumi install`). */
  error?: string;
  /** In update order: staging, canary, production. */
  stacks: StackOutcome[];
}

export interface OperationEnd {
  ok: boolean;
  durationMs: number;
  changes?: ChangeSummary;
  error?: string;
}

/** Progress notifications: one start and one finish per operation on a stack. */
export interface RolloutEvents {
  start?(stack: string, operation: Operation): void;
  finish?(stack: string, operation: Operation, end: OperationEnd): void;
  retry?(stack: string, operation: Operation, retry: number, delayMs: number, error: unknown): void;
}

interface RolloutOptions {
  mode: Mode;
  parallel: number;
  /** Production stacks in the canary wave. */
  canary: number;
  retry?: RetryPolicy;
  /** How retries wait (tests pass a fast one). */
  wait?: (ms: number) => Promise<void>;
  /** Aborting stops new starts; operations in flight finish. */
  signal?: AbortSignal;
  events?: RolloutEvents;
  /**
   * Stacks whose stack file lacks a secret they need (a placeholder, or a credential set
   * nowhere), each with the problems that say what to set: reported, never previewed.
   */
  secretsNotSet?: ReadonlyMap<string, string>;
}

/** What a person runs to create a stack; rollout never does, as `pulumi stack init` writes the stack file's secrets settings. */
function notInitialized(stack: string): string {
  return `not initialized: \`pulumi stack init ${stack}\``;
}

/**
 * The lines that say what went wrong: Pulumi's `error:` lines when there are any, each once (the
 * CLI repeats a diagnostic in its summary), or its full output otherwise; at most 20.
 */
function errorMessage(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).trim().split("\n");
  const errors = [...new Set(lines.map((l) => l.trim()).filter((l) => /^error:/i.test(l)))];
  return (errors.length > 0 ? errors : lines).slice(0, 20).join("\n");
}

/**
 * Runs previews, updates or refresh previews over the selected stacks through `runner`:
 * `pulumi install` once, then at most `parallel` operations at a time. A stack the backend does
 * not have, or whose secrets are not set, is reported as such and not run; the others go on. A
 * rollout previews every stack, then updates stacks whose preview found changes, wave after
 * wave; any failure (and an abort) stops new starts, in every wave. Preview-only and drift runs
 * stop only on an abort, so that a review sees every stack.
 */
export async function runRollout(targets: readonly StackTarget[], runner: StackRunner, options: RolloutOptions): Promise<RolloutReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const waves = planWaves(targets, options.canary);
  const outcomes: StackOutcome[] = waves.flatMap((wave) =>
    wave.stacks.map((t): StackOutcome => ({ stack: t.stack, environment: t.environment, wave: wave.name, result: "skipped", durationMs: 0, attempts: 0 })),
  );
  let stopped: string | undefined;
  let failure: string | undefined;
  const report = (): RolloutReport => ({
    mode: options.mode,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    parallel: options.parallel,
    ...(stopped ? { stopped } : {}),
    ...(failure ? { error: failure } : {}),
    stacks: outcomes,
  });
  const interrupted = (): boolean => {
    if (options.signal?.aborted) stopped ??= "interrupted: no further stacks were started";
    return stopped !== undefined;
  };
  const failFast = options.mode === "rollout";

  if (interrupted()) return report();
  try {
    await runner.install();
  } catch (error) {
    failure = `pulumi install failed: ${errorMessage(error)}`;
    stopped = "pulumi install failed";
    return report();
  }
  let initialized: ReadonlySet<string>;
  try {
    initialized = await runner.initialized(outcomes.map((o) => o.stack));
  } catch (error) {
    failure = `listing the backend's stacks failed: ${errorMessage(error)}`;
    stopped = "the backend's stacks could not be listed";
    return report();
  }
  for (const o of outcomes) {
    const unset = options.secretsNotSet?.get(o.stack);
    if (!initialized.has(o.stack)) Object.assign(o, { result: "not initialized", error: notInitialized(o.stack) });
    else if (unset !== undefined) Object.assign(o, { result: "secrets not set", error: unset });
  }
  const ready = outcomes.filter((o) => !NOT_READY.includes(o.result));

  const step = async (outcome: StackOutcome, operation: Operation, run: () => Promise<ChangeSummary>): Promise<ChangeSummary | undefined> => {
    const events = options.events;
    events?.start?.(outcome.stack, operation);
    const begin = performance.now();
    const elapsed = () => Math.round(performance.now() - begin);
    try {
      const { value, attempts } = await withRetry(run, options.retry ?? DEFAULT_RETRY, {
        wait: options.wait,
        onRetry: (retry, delayMs, error) => events?.retry?.(outcome.stack, operation, retry, delayMs, error),
      });
      outcome.attempts += attempts;
      outcome.durationMs += elapsed();
      events?.finish?.(outcome.stack, operation, { ok: true, durationMs: elapsed(), changes: effectiveChanges(value) });
      return value;
    } catch (error) {
      outcome.attempts += (error as { attempts?: number }).attempts ?? 1;
      outcome.durationMs += elapsed();
      outcome.result = "failed";
      outcome.error = errorMessage(error);
      if (failFast) stopped ??= `${outcome.stack} failed during ${operation}`;
      events?.finish?.(outcome.stack, operation, { ok: false, durationMs: elapsed(), error: outcome.error });
      return undefined;
    }
  };

  if (options.mode === "drift") {
    await runPool(ready, options.parallel, async (o) => {
      const changes = await step(o, "refresh-preview", () => runner.refreshPreview(o.stack));
      if (!changes) return;
      o.changes = effectiveChanges(changes);
      o.result = hasChanges(changes) ? "drifted" : "in sync";
    }, interrupted);
    return report();
  }

  await runPool(ready, options.parallel, async (o) => {
    const changes = await step(o, "preview", () => runner.preview(o.stack));
    if (!changes) return;
    o.changes = effectiveChanges(changes);
    o.result = "previewed";
  }, interrupted);
  if (options.mode === "preview") return report();

  for (const wave of waves) {
    if (interrupted()) break;
    const inWave = ready.filter((o) => o.wave === wave.name);
    await runPool(inWave, options.parallel, async (o) => {
      if (!o.changes || !hasChanges(o.changes)) {
        o.result = "unchanged";
        return;
      }
      if (await step(o, "update", () => runner.update(o.stack))) o.result = "updated";
    }, interrupted);
  }
  // In a rollout, a stack that was previewed but never updated was skipped.
  for (const o of outcomes) if (o.result === "previewed") o.result = "skipped";
  return report();
}

interface Tally {
  /** Stacks that failed or could not run. */
  failed: number;
  drifted: number;
}

export function tally(report: RolloutReport): Tally {
  return {
    failed: report.stacks.filter((s) => s.result === "failed" || NOT_READY.includes(s.result)).length + (report.error ? 1 : 0),
    drifted: report.stacks.filter((s) => s.result === "drifted").length,
  };
}
