// Bench lines under the real CLI and providers, against the e2e environment (`npm run e2e:env -- up`):
//   (g) `pulumi preview` of a production-shaped stack as committed, against its own resource graph
//       declared as literals in a plain-JS program (bench/literal-program.ts);
//   (h) `rollout --preview-only` of a generated fleet at --parallel 1 and 2, against the sum of
//       single previews of the same stacks;
//   (i) the same stack's preview in a fleet of 300 customers, against the repository's fleet.
// Each in one interleaved run, so that other work on the machine slows both sides alike.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { Environment, status } from "../e2e/env";
import { Workdir } from "../e2e/workdir";
import { VERDICTS_DIR, fleetFingerprint } from "../src/config/fleet-verdict";
import { StackPlan } from "../src/plan/engine";
import { literalProgram } from "./literal-program";

const STACK = "e2e-prod";
const RUNS = 5;
const ROLLOUT_STACKS = 12;
const ROLLOUT_ROUNDS = 1;
const LARGE_FLEET = 300;

const median = (times: number[]): number => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const mean = (times: number[]): number => times.reduce((sum, t) => sum + t, 0) / times.length;
/** The median of the runs' ratios: each run's two sides saw the same load. */
const ratio = (a: number[], b: number[]): number => median(a.map((t, i) => t / b[i]));
const verdict = (ok: boolean) => (ok ? "ok" : "OVER TARGET");

function seconds(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Several measurements taken in turn, `runs` times: each one's times, run by run. */
function interleaved(measures: (() => number)[], runs = RUNS): number[][] {
  const times = measures.map((): number[] => []);
  for (let run = 0; run < runs; run++) measures.forEach((measure, i) => times[i].push(measure()));
  return times;
}

/** Workdirs of the project, each with its own state backend, removed by `cleanup`. */
class Projects {
  private readonly made: string[] = [];
  private readonly workdirs: Workdir[] = [];

  constructor(private readonly env: Environment) {}

  workdir(customers: Record<string, string> = {}): Workdir {
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-bench-state-"));
    this.made.push(backend);
    const workdir = new Workdir({ ...this.env, vars: { ...this.env.vars, PULUMI_BACKEND_URL: `file://${backend}` } });
    this.workdirs.push(workdir);
    for (const [name, text] of Object.entries(customers)) {
      workdir.write(`customers/${name}.yaml`, text);
      workdir.write(`stacks/Pulumi.${name}-prod.yaml`, `config:\n  kubernetes:context: ffnodes-local\n`);
    }
    return workdir;
  }

  cleanup(): void {
    for (const w of this.workdirs) w.remove();
    for (const dir of this.made) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function preview(workdir: Workdir, stack = STACK, extra: string[] = []): number {
  return seconds(() => workdir.pulumi(["preview", "-s", stack, ...extra]));
}

/** A production-shaped customer like test/e2e/fixtures/customers/e2e.yaml: DNS off, pgweb on. */
function generatedCustomer(name: string): string {
  return stringify({
    name,
    displayName: `Bench ${name}`,
    fitConnectCode: `FITConnect Bench ${name}`,
    dns: { enabled: false },
    storage: { minio: { size: "2Gi" }, postgresql: { size: "1Gi" } },
    environments: { prod: { domain: `${name}.fitfile.net`, extraHosts: [`${name}-pgweb.fitfile.net`], addons: ["pgweb"] } },
  });
}

function generatedFleet(prefix: string, count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(3, "0")}`).map((name) => [name, generatedCustomer(name)]));
}

/** (g): the stack's preview as committed against its plan declared as literals. */
function previewAgainstLiterals(projects: Projects): string[] {
  const committed = projects.workdir();
  const planned = committed.run(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/plan.ts", "--stack", STACK, "--json"]);
  if (planned.status !== 0) throw new Error(`plan --stack ${STACK} failed: ${planned.stderr}`);
  const plan = JSON.parse(planned.stdout) as StackPlan;
  const literal = (withDynamic: boolean) => {
    const workdir = projects.workdir();
    workdir.write("Pulumi.yaml", "name: ffnodes\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nstackConfigDir: stacks\n");
    workdir.write("package.json", JSON.stringify({ name: "ffnodes-literal", private: true, main: "index.js" }));
    workdir.write("index.js", literalProgram(plan, require, withDynamic));
    return workdir;
  };
  const workdirs = [committed, literal(true), literal(false)];
  for (const workdir of workdirs) {
    workdir.ensureStack(STACK);
    preview(workdir); // the transpile cache, the fleet's verdict, the plugins' first start
  }
  const [own, literals, withoutDynamic] = interleaved(workdirs.map((w) => () => preview(w)));
  const [toLiterals, toWithoutDynamic] = [ratio(own, literals), ratio(own, withoutDynamic)];
  return [
    `(g) pulumi preview -s ${STACK} as committed (${plan.resources.length} resources)   ${median(own).toFixed(2)} s (median of ${RUNS}; ratios are medians of each run's)`,
    `    the same graph as literals in plain JS             ${median(literals).toFixed(2)} s; committed = ${toLiterals.toFixed(2)}x (target <= 1.2x) ${verdict(toLiterals <= 1.2)}`,
    `    ... without the dynamic resource (no provider host)  ${median(withoutDynamic).toFixed(2)} s; committed = ${toWithoutDynamic.toFixed(2)}x of it`,
  ];
}

/** (h): rollout --preview-only of a generated fleet against the sum of single previews of its stacks. */
function rolloutAgainstSingles(projects: Projects): string[] {
  const customers = generatedFleet("bench", ROLLOUT_STACKS);
  const stacks = Object.keys(customers).map((name) => `${name}-prod`);
  const workdir = projects.workdir(customers);
  for (const stack of stacks) workdir.ensureStack(stack);
  const policy = ["--policy-pack", "src/policy"];
  preview(workdir, stacks[0], policy);
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-bench-reports-"));
  const rollout = (parallel: number) =>
    seconds(() => {
      const result = workdir.run(
        process.execPath,
        ["--require", "./src/cli/register-typescript.js", "src/cli/rollout.ts", "--preview-only", "--stacks", stacks.join(","), "--parallel", String(parallel), "--report-dir", reports],
        { timeoutSeconds: 1800 },
      );
      if (result.status !== 0) throw new Error(`rollout --parallel ${parallel} failed:\n${result.stdout}\n${result.stderr}`);
    });
  const previews = (some: string[]) => some.reduce((sum, stack) => sum + preview(workdir, stack, policy), 0);
  const half = Math.ceil(stacks.length / 2);
  const times: [number[], number[], number[]] = [[], [], []];
  try {
    for (let round = 0; round < ROLLOUT_ROUNDS; round++) {
      // The single previews around the rollouts, half before and half after, so that a load that
      // changes during the round weighs on both sides alike.
      const before = previews(stacks.slice(0, half));
      times[1].push(rollout(1));
      times[2].push(rollout(2));
      times[0].push(before + previews(stacks.slice(half)));
    }
  } finally {
    fs.rmSync(reports, { recursive: true, force: true });
  }
  const [singles, one, two] = times;
  const [oneRatio, twoRatio] = [ratio(one, singles), ratio(two, singles)];
  return [
    `(h) ${ROLLOUT_STACKS} single previews with the policy pack, summed     ${mean(singles).toFixed(1)} s (${ROLLOUT_ROUNDS} round(s))`,
    `    rollout --preview-only --parallel 1                   ${mean(one).toFixed(1)} s = ${oneRatio.toFixed(2)}x of them`,
    `    rollout --preview-only --parallel 2                   ${mean(two).toFixed(1)} s = ${twoRatio.toFixed(2)}x (target <= 0.6x on 2 cores) ${verdict(twoRatio <= 0.6)}`,
  ];
}

/** (i): one stack's preview in a fleet of 300 customers against the same in the repository's fleet. */
function previewInLargeFleet(projects: Projects): string[] {
  const small = projects.workdir();
  const large = projects.workdir(generatedFleet("fleet", LARGE_FLEET));
  for (const workdir of [small, large]) {
    workdir.ensureStack(STACK);
    preview(workdir); // records the fleet's verdict
  }
  const [own, inLarge] = interleaved([() => preview(small), () => preview(large)]);
  const warm = ratio(inLarge, own);
  // Without a verdict: the first preview after any change to the fleet's files.
  const cold = (workdir: Workdir) => () => {
    fs.rmSync(path.join(VERDICTS_DIR, fleetFingerprint(workdir.dir) ?? "none"), { force: true });
    return preview(workdir);
  };
  const [coldSmall, coldLarge] = interleaved([cold(small), cold(large)], 3);
  const coldRatio = ratio(coldLarge, coldSmall);
  return [
    `(i) pulumi preview -s ${STACK}, the repository's fleet        ${median(own).toFixed(2)} s`,
    `    in a fleet of ${LARGE_FLEET} more customers                   ${median(inLarge).toFixed(2)} s = ${warm.toFixed(3)}x (target <= 1.05x) ${verdict(warm <= 1.05)}`,
    `    ... each the first preview after a change: ${median(coldSmall).toFixed(2)} s and ${median(coldLarge).toFixed(2)} s = ${coldRatio.toFixed(2)}x`,
  ];
}

/** A measurement's lines, then the machine's load average before and after it: a ratio means more next to the load it was taken under. */
function underLoad(measure: () => string[]): string[] {
  const before = os.loadavg()[0];
  const lines = measure();
  return [...lines, `    load average (1 min) ${before.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after, on ${os.cpus().length} cores`];
}

export function benchRealEngine(): string[] {
  const env = status();
  if (!env) return ["(g), (h), (i) not measured: they need the e2e environment: npm run e2e:env -- up, then npm run bench"];
  const projects = new Projects(env);
  try {
    return [previewAgainstLiterals, rolloutAgainstSingles, previewInLargeFleet].flatMap((measure) => underLoad(() => measure(projects)));
  } finally {
    projects.cleanup();
  }
}

if (require.main === module) {
  for (const line of benchRealEngine()) process.stdout.write(`${line}\n`);
}
