import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { RolloutReport, StackOutcome, runRollout, tally } from "../src/rollout/engine";
import { renderMarkdown, renderTable } from "../src/rollout/report";
import { FakeRunner, FakeStack } from "../src/rollout/fake";
import { runPool } from "../src/rollout/pool";
import { backoffDelay, isLockError, withRetry } from "../src/rollout/retry";
import { StackTarget, planWaves } from "../src/rollout/waves";
import { nonEmpty } from "./helpers";

const target = (stack: string): StackTarget => ({ stack, environment: stack.endsWith("-prod") ? "prod" : stack.split("-").pop() ?? "" });
const targets = (...stacks: string[]) => stacks.map(target);
const noWait = () => Promise.resolve();
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

function outcome(report: RolloutReport, stack: string): StackOutcome {
  const found = report.stacks.find((s) => s.stack === stack);
  if (!found) throw new Error(`no ${stack} in report`);
  return found;
}

const FLEET = targets("a-prod", "b-prod", "c-prod", "d-prod", "a-staging", "b-staging", "demo-local");

describe("rollout waves", () => {
  it("puts every non-production stack first, then the canary, then the rest", () => {
    const waves = planWaves(FLEET, 2);
    assert.deepEqual(
      waves.map((w) => [w.name, w.stacks.map((t) => t.stack)]),
      [
        ["staging", ["a-staging", "b-staging", "demo-local"]],
        ["canary", ["a-prod", "b-prod"]],
        ["production", ["c-prod", "d-prod"]],
      ],
    );
  });

  it("puts the production stacks chosen as canaries first, whatever --canary says, and only production stacks", () => {
    const chosen = FLEET.map((t) => (["c-prod", "d-prod", "a-staging"].includes(t.stack) ? { ...t, canary: true } : t));
    for (const canary of [0, 1, 2, 6]) {
      assert.deepEqual(
        planWaves(chosen, canary).map((w) => [w.name, w.stacks.map((t) => t.stack)]),
        [
          ["staging", ["a-staging", "b-staging", "demo-local"]],
          ["canary", ["c-prod", "d-prod"]],
          ["production", ["a-prod", "b-prod"]],
        ],
        `--canary ${canary}`,
      );
    }
  });

  it("with no canary chosen among the selected stacks, takes the first --canary production stacks by name", () => {
    const chosenElsewhere = [...targets("b-prod", "c-prod", "a-staging"), { ...target("z-staging"), canary: true }];
    assert.deepEqual(
      planWaves(chosenElsewhere, 1).map((w) => [w.name, w.stacks.map((t) => t.stack)]),
      [
        ["staging", ["a-staging", "z-staging"]],
        ["canary", ["b-prod"]],
        ["production", ["c-prod"]],
      ],
    );
    assert.deepEqual(planWaves(targets("b-prod", "c-prod"), 0).map((w) => w.name), ["production"]);
  });

  it("leaves out empty waves and keeps every stack exactly once", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...FLEET.map((t) => t.stack))), fc.nat(6), (stacks, canary) => {
        const waves = planWaves(targets(...stacks), canary);
        assert.ok(waves.every((w) => w.stacks.length > 0));
        assert.deepEqual(waves.flatMap((w) => w.stacks.map((t) => t.stack)).sort(), [...stacks].sort());
        const canaryWave = waves.find((w) => w.name === "canary");
        assert.ok(!canaryWave || canaryWave.stacks.length <= canary);
      }),
    );
  });

  it("updates a wave only after the whole wave before it finished", async () => {
    const runner = new FakeRunner((stack) => ({ durationMs: stack.startsWith("a") ? 15 : 2 }));
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 3, canary: 2, wait: noWait });
    assert.equal(report.stacks.filter((s) => s.result === "updated").length, FLEET.length);
    const updates = runner.calls.filter((c) => c.operation === "update");
    assert.equal(updates.length, FLEET.length);
    const wave = (stack: string) => outcome(report, stack).wave;
    const updatesOf = (name: string) => nonEmpty(updates.filter((c) => wave(c.stack) === name), `update in wave ${name}`);
    for (const [earlier, later] of [["staging", "canary"], ["canary", "production"]]) {
      const lastEnd = Math.max(...updatesOf(earlier).map((c) => c.endedAt ?? Infinity));
      const firstStart = Math.min(...updatesOf(later).map((c) => c.startedAt));
      assert.ok(firstStart >= lastEnd, `${later} started before ${earlier} finished`);
    }
    const lastPreview = Math.max(...nonEmpty(runner.calls.filter((c) => c.operation === "preview"), "preview").map((c) => c.endedAt ?? Infinity));
    assert.ok(updates.every((c) => c.startedAt >= lastPreview), "an update started before every preview finished");
    assert.equal(runner.installs, 1);
  });
});

describe("rollout parallelism", () => {
  it("never runs more than --parallel operations at once, and runs them all", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(3), { minLength: 25, maxLength: 25 }), async (n, parallel, durations) => {
        const stacks = Array.from({ length: n }, (_, i) => `s${String(i).padStart(2, "0")}-${i % 3 === 0 ? "staging" : "prod"}`);
        const runner = new FakeRunner((stack) => ({ durationMs: durations[Number(stack.slice(1, 3))] }));
        const report = await runRollout(targets(...stacks), runner, { mode: "rollout", parallel, canary: 1, wait: noWait });
        assert.ok(runner.peakInFlight <= parallel, `peak ${runner.peakInFlight} > ${parallel}`);
        assert.equal(runner.calls.length, 2 * n);
        assert.equal(report.stacks.filter((s) => s.result === "updated").length, n);
      }),
      { numRuns: 25 },
    );
  });

  it("uses the whole bound when there is enough work", async () => {
    const runner = new FakeRunner(() => ({ durationMs: 5 }));
    await runRollout(targets(...Array.from({ length: 12 }, (_, i) => `s${i}-prod`)), runner, { mode: "preview", parallel: 4, canary: 1 });
    assert.equal(runner.peakInFlight, 4);
  });

  it("the pool rejects a bound below one", async () => {
    await assert.rejects(runPool([1], 0, () => Promise.resolve()), RangeError);
  });
});

describe("rollout failures", () => {
  it("a failed update stops new starts; updates in flight finish; later waves never start", async () => {
    const behaviour: Record<string, FakeStack> = {
      "a-staging": { durationMs: 2, fails: ["update"] },
      "b-staging": { durationMs: 20 },
    };
    const runner = new FakeRunner((stack) => behaviour[stack] ?? { durationMs: 2 });
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 2, canary: 1, wait: noWait });
    assert.equal(outcome(report, "a-staging").result, "failed");
    assert.match(outcome(report, "a-staging").error ?? "", /simulated failure/);
    // b-staging was in flight when a-staging failed: it finished.
    assert.equal(outcome(report, "b-staging").result, "updated");
    // demo-local was next in the wave: never started.
    assert.equal(outcome(report, "demo-local").result, "skipped");
    assert.deepEqual(runner.started("update").sort(), ["a-staging", "b-staging"]);
    for (const s of ["a-prod", "b-prod", "c-prod", "d-prod"]) assert.equal(outcome(report, s).result, "skipped");
    assert.equal(report.stopped, "a-staging failed during update");
  });

  it("a failed preview stops the rollout before any update", async () => {
    const runner = new FakeRunner((stack) => (stack === "c-prod" ? { fails: ["preview"] } : {}));
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 1, canary: 1, wait: noWait });
    assert.deepEqual(runner.started("update"), []);
    assert.equal(outcome(report, "c-prod").result, "failed");
    assert.equal(outcome(report, "d-prod").changes, undefined, "a preview started after the failure");
  });

  it("preview-only previews every stack even after a failure", async () => {
    const runner = new FakeRunner((stack) => (stack === "a-staging" ? { fails: ["preview"] } : {}));
    const report = await runRollout(FLEET, runner, { mode: "preview", parallel: 1, canary: 1, wait: noWait });
    assert.equal(runner.started("preview").length, FLEET.length);
    assert.equal(report.stacks.filter((s) => s.result === "previewed").length, FLEET.length - 1);
    assert.equal(report.stopped, undefined);
  });

  describe("stacks that cannot run: not in the backend, or a secret not set", () => {
    const secretsNotSet = new Map([["c-prod", "invalid configuration, 1 problem(s); nothing was changed:\n  stacks/Pulumi.c-prod.yaml: config.cloudflare:apiToken: a placeholder, not an encrypted secret"]]);
    const runner = () => new FakeRunner((stack) => (["b-staging", "d-prod"].includes(stack) ? { initialized: false } : {}));
    for (const mode of ["preview", "rollout", "drift"] as const) {
      it(`${mode}: each is reported once, with what to do, never run; the others go on; the run counts them as failed`, async () => {
        const fake = runner();
        const report = await runRollout(FLEET, fake, { mode, parallel: 2, canary: 1, wait: noWait, secretsNotSet });
        assert.deepEqual(
          report.stacks.filter((s) => s.error).map((s) => [s.stack, s.result, s.error]),
          [
            ["b-staging", "not initialized", "not initialized: `pulumi stack init b-staging`"],
            ["c-prod", "secrets not set", secretsNotSet.get("c-prod")],
            ["d-prod", "not initialized", "not initialized: `pulumi stack init d-prod`"],
          ],
        );
        const ran = [...new Set(fake.calls.map((c) => c.stack))].sort();
        assert.deepEqual(ran, ["a-prod", "a-staging", "b-prod", "demo-local"]);
        const expected = { preview: "previewed", rollout: "updated", drift: "in sync" }[mode];
        assert.deepEqual(report.stacks.filter((s) => ran.includes(s.stack)).map((s) => s.result), [expected, expected, expected, expected]);
        assert.equal(report.stopped, undefined);
        assert.equal(tally(report).failed, 3);
        const table = renderTable(report);
        for (const s of report.stacks.filter((s) => s.error)) assert.equal(table.split(s.error ?? "").length - 1, 1, `${s.stack}'s message is not printed once:\n${table}`);
        const markdown = renderMarkdown(report);
        for (const s of report.stacks.filter((s) => s.error)) assert.equal(markdown.split(s.error ?? "").length - 1, 1, `${s.stack}'s message is not in the report once`);
      });
    }
  });

  it("a stack whose preview finds nothing to change is not updated", async () => {
    const runner = new FakeRunner((stack) => (stack === "b-prod" ? { changes: { same: 12 } } : {}));
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 3, canary: 1, wait: noWait });
    assert.equal(outcome(report, "b-prod").result, "unchanged");
    assert.ok(!runner.started("update").includes("b-prod"));
  });

  it("an abort starts nothing new and reports why", async () => {
    const controller = new AbortController();
    const runner = new FakeRunner(() => ({ durationMs: 5 }));
    const events = { start: () => controller.abort() };
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 2, canary: 1, wait: noWait, signal: controller.signal, events });
    // The first preview aborts as it starts: it finishes, and nothing else starts.
    assert.equal(runner.calls.length, 1);
    assert.ok(runner.calls.every((c) => c.ok));
    assert.match(report.stopped ?? "", /interrupted/);
    assert.equal(report.stacks.filter((s) => s.result === "skipped").length, FLEET.length);
  });

  it("a failed stack's error: each of Pulumi's error lines once, in the order it printed them", async () => {
    // As the CLI prints a program's failure: the diagnostic, its repetitions, and the operation's end.
    const output = [
      "Previewing update (a-prod):",
      "error: invalid configuration, 1 problem(s); nothing was changed:",
      "  pulumi:pulumi:Stack ffnodes-a-prod create error: invalid configuration, 1 problem(s); nothing was changed:",
      "    error: invalid configuration, 1 problem(s); nothing was changed:",
      "error: preview failed",
      "    error: preview failed",
    ].join("\n");
    const runner = new FakeRunner();
    runner.preview = (stack) => (stack === "a-prod" ? Promise.reject(new Error(output)) : Promise.resolve({ same: 1 }));
    const report = await runRollout(FLEET, runner, { mode: "preview", parallel: 2, canary: 1, wait: noWait });
    assert.equal(outcome(report, "a-prod").error, "error: invalid configuration, 1 problem(s); nothing was changed:\nerror: preview failed");
  });

  it("a failed pulumi install runs no stack", async () => {
    const runner = new FakeRunner();
    runner.install = () => Promise.reject(new Error("error: npm install failed"));
    const report = await runRollout(FLEET, runner, { mode: "rollout", parallel: 2, canary: 1 });
    assert.equal(runner.calls.length, 0);
    assert.match(report.error ?? "", /pulumi install failed: error: npm install failed/);
  });
});

describe("rollout retries", () => {
  it("retries lock errors with exponential backoff and counts the attempts", async () => {
    const waits: number[] = [];
    const runner = new FakeRunner((stack) => (stack === "a-prod" ? { lockedTimes: 2 } : {}));
    const retried: string[] = [];
    const report = await runRollout(targets("a-prod"), runner, {
      mode: "rollout",
      parallel: 1,
      canary: 1,
      retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 },
      wait: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      events: { retry: (stack, operation) => retried.push(`${operation} ${stack}`) },
    });
    assert.equal(outcome(report, "a-prod").result, "updated");
    // Two locked attempts for the preview, two for the update.
    assert.deepEqual(waits, [100, 200, 100, 200]);
    assert.equal(outcome(report, "a-prod").attempts, 6);
    assert.deepEqual(retried, ["preview a-prod", "preview a-prod", "update a-prod", "update a-prod"]);
  });

  it("gives up after the last attempt", async () => {
    const runner = new FakeRunner(() => ({ lockedTimes: 10 }));
    const report = await runRollout(targets("a-prod"), runner, { mode: "rollout", parallel: 1, canary: 1, retry: fast, wait: noWait });
    assert.equal(outcome(report, "a-prod").result, "failed");
    assert.equal(outcome(report, "a-prod").attempts, 3);
    assert.match(outcome(report, "a-prod").error ?? "", /currently locked/);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls++;
        return Promise.reject(new Error("error: preview failed: invalid config"));
      }, fast, { wait: noWait }),
      /invalid config/,
    );
    assert.equal(calls, 1);
  });

  const lockErrors: [string, boolean][] = [
    ["error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end", true],
    ["code: 255\n stdout: \n stderr: error: [409] Conflict: Another update is currently in progress.", true],
    ["error: another update is currently in progress", true],
    ["error: resource 'x' failed: conflict in field spec", false],
    ["error: preview failed", false],
  ];
  for (const [message, expected] of lockErrors) {
    it(`${expected ? "retries" : "does not retry"}: ${message.split("\n").pop()?.slice(0, 50)}`, () => {
      assert.equal(isLockError(new Error(message)), expected);
    });
  }

  it("backoff doubles and is bounded", () => {
    const policy = { attempts: 10, baseDelayMs: 5000, maxDelayMs: 60000 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(policy, r)), [5000, 10000, 20000, 40000, 60000, 60000]);
  });
});

describe("drift", () => {
  it("reports drifted and in-sync stacks from refresh previews, never updating", async () => {
    const runner = new FakeRunner((stack) => (stack === "b-prod" ? { drift: { update: 2, same: 9 } } : {}));
    const report = await runRollout(FLEET, runner, { mode: "drift", parallel: 3, canary: 1 });
    assert.deepEqual(outcome(report, "b-prod"), { ...outcome(report, "b-prod"), result: "drifted", changes: { update: 2 } });
    assert.equal(report.stacks.filter((s) => s.result === "in sync").length, FLEET.length - 1);
    assert.deepEqual(new Set(runner.calls.map((c) => c.operation)), new Set(["refresh-preview"]));
  });
});
