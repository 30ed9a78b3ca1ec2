import { Mode, runRollout } from "../src/rollout/engine";
import { FakeRunner } from "../src/rollout/fake";
import { StackTarget, planWaves } from "../src/rollout/waves";

const STACKS = 200;
const STAGING = 40;
const PARALLEL = 10;
const CANARY = 5;
const DURATION_MS = 25;

const MB = 1024 * 1024;

/** The scheduling ceiling: every operation of a phase packed `parallel` at a time, phases back to back. */
function idealMs(targets: StackTarget[], mode: Mode): number {
  const batches = (n: number) => Math.ceil(n / PARALLEL);
  const previews = batches(targets.length);
  if (mode !== "rollout") return previews * DURATION_MS;
  return (previews + planWaves(targets, CANARY).reduce((sum, wave) => sum + batches(wave.stacks.length), 0)) * DURATION_MS;
}

/**
 * Rollout scheduling over 200 fake stacks whose every operation takes 25 ms on real timers, at
 * most 10 at a time: wall time against the ideal ceil(n/p) x d per phase (target ratio <= 1.1),
 * and the orchestrator's peak heap while it runs.
 */
export async function benchRollout(): Promise<string[]> {
  const targets: StackTarget[] = Array.from({ length: STACKS }, (_, i) => {
    const environment = i < STAGING ? "staging" : "prod";
    return { stack: `customer-${String(i).padStart(3, "0")}-${environment}`, environment };
  });
  const lines = [`rollout scheduling: ${STACKS} fake stacks (${STAGING} staging), ${DURATION_MS} ms per operation, --parallel ${PARALLEL}, --canary ${CANARY}`];
  for (const mode of ["preview", "rollout"] as const) {
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const runner = new FakeRunner(() => ({ durationMs: DURATION_MS }));
    const started = performance.now();
    const report = await runRollout(targets, runner, { mode, parallel: PARALLEL, canary: CANARY });
    const wall = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const ideal = idealMs(targets, mode);
    const ok = report.stacks.every((s) => s.result === (mode === "rollout" ? "updated" : "previewed"));
    lines.push(
      `  ${mode.padEnd(7)} ${runner.calls.length} operations in ${wall.toFixed(0)} ms, ideal ${ideal} ms, ratio ${(wall / ideal).toFixed(3)} (target <= 1.1)` +
        `, peak in flight ${runner.peakInFlight}, peak heap ${(peak / MB).toFixed(1)} MB (+${((peak - baseline) / MB).toFixed(1)} MB)${ok ? "" : ", NOT ALL STACKS SUCCEEDED"}`,
    );
  }
  return lines;
}

if (require.main === module) {
  benchRollout().then((lines) => console.log(lines.join("\n")), (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
