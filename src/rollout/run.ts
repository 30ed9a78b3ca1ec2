// Runs a selection of stacks: previews and updates them in waves through a runner (the
// Automation API by default), stops new starts on Ctrl-C, writes the reports, and says what the
// run exits with.
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentConfig } from "../config/environment";
import { EXIT_DRIFT, EXIT_INTERRUPTED, EXIT_STACKS_FAILED } from "../errors";
import { AutomationRunner } from "./automation";
import { Mode, RolloutReport, runRollout, tally } from "./engine";
import { Progress } from "./progress";
import { secretsNotSet } from "./ready";
import { writeReports } from "./report";
import { RetryPolicy } from "./retry";
import { StackRunner } from "./runner";
import { StackTarget } from "./waves";

export interface RolloutDependencies {
  createRunner?: (root: string) => Promise<StackRunner>;
  /** Where progress goes (default: stderr). */
  progress?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Replaces Ctrl-C handling (tests abort through it). */
  signal?: AbortSignal;
  retry?: RetryPolicy;
}

async function defaultRunner(root: string): Promise<StackRunner> {
  try {
    return await AutomationRunner.create({ root });
  } catch (error) {
    const lines = (error instanceof Error ? error.message : String(error)).split("\n").map((l) => l.trim());
    const reason = lines.find((l) => /Command failed|ENOENT|version/i.test(l)) ?? lines[0];
    throw new pulumi.RunError(`rollout needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/): ${reason}`);
  }
}

/** Stops new starts on the first Ctrl-C; a second one exits at once. */
function interruptOnSigint(stderr: { write(text: string): unknown }): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    stderr.write("\nffnodes: interrupted; waiting for stacks in flight to finish (Ctrl-C again to quit now)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

/** How to run the selection: the mode, at most `parallel` operations at a time, the canaries, where the reports go. */
interface RolloutRun {
  mode: Mode;
  parallel: number;
  canary: number;
  reportDir: string;
}

/** Runs the selected stacks and writes the reports; the report and the exit code. */
export async function executeRollout(
  root: string,
  configs: readonly EnvironmentConfig[],
  targets: StackTarget[],
  { mode, parallel, canary, reportDir }: RolloutRun,
  deps: RolloutDependencies = {},
): Promise<{ report: RolloutReport; exitCode: number }> {
  const stderr = deps.progress ?? process.stderr;
  stderr.write(`ffnodes: ${mode} of ${targets.length} stack(s): ${targets.map((t) => t.stack).join(", ") || "(none)"}\n`);
  const runner = await (deps.createRunner ?? defaultRunner)(root);
  const sigint = deps.signal ? undefined : interruptOnSigint(stderr);
  const progress = new Progress(stderr);
  let report;
  try {
    report = await runRollout(targets, runner, {
      mode,
      parallel,
      canary,
      secretsNotSet: secretsNotSet(root, configs, targets, process.env),
      retry: deps.retry,
      signal: deps.signal ?? sigint?.signal,
      events: progress,
    });
  } finally {
    progress.close();
    sigint?.dispose();
  }
  const files = writeReports(report, reportDir);
  stderr.write(`ffnodes: reports written to ${files.join(", ")}\n`);

  const { failed, drifted } = tally(report);
  const interrupted = (deps.signal ?? sigint?.signal)?.aborted === true;
  const exitCode = failed > 0 ? EXIT_STACKS_FAILED : interrupted ? EXIT_INTERRUPTED : drifted > 0 ? EXIT_DRIFT : 0;
  return { report, exitCode };
}
