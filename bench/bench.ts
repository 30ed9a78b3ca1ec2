/**
 * npm run bench: how fast `plan` is, as ratios against baselines measured in the same run, so
 * that the numbers mean the same on a slow CI machine and a fast laptop.
 *   (a) plan --stack ff-a-prod against the floor of loading the four Pulumi SDKs;
 *       also the program's start the way `pulumi` runs it (Pulumi.yaml's nodeargs: the project's hook);
 *   (b) plan --all over generated customers: total and marginal time per customer;
 *   (c) peak memory of plan --all over 100 customers;
 *   (d) rollout scheduling over 200 fake stacks against the ideal ceil(n/p) x d;
 *   (f) diff of 100 generated customers where a default changed against plan --all of that fleet;
 *   (g), (h), (i) under the real CLI and providers (bench/real-engine.ts): a stack's preview against
 *       its resource graph as literals, a rollout's previews against single ones, and a stack's
 *       preview in a fleet of 300 customers against the repository's fleet.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { EXIT_CHANGES } from "../src/errors";
import { linkPackages } from "../src/diff/checkout";
import { benchRealEngine } from "./real-engine";
import { benchRollout } from "./rollout";

const ROOT = path.resolve(__dirname, "..");
const REGISTER = path.join(ROOT, "src/cli/register-typescript.js");
const PLAN = path.join(ROOT, "src/cli/plan.ts");
const RUNS = 5;

function seconds(args: string[], cwd = ROOT, expectedStatus = 0): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== expectedStatus) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const middle = (times: number[]): number => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];

function median(args: string[], cwd = ROOT): number {
  return middle(Array.from({ length: RUNS }, () => seconds(args, cwd)));
}

interface Command {
  args: string[];
  cwd?: string;
  expectedStatus?: number;
}

/** Medians of several commands run in turn, so that a busy machine slows each of them alike. */
function interleavedMedians(commands: (string[] | Command)[], runs = RUNS): number[] {
  const times = commands.map((): number[] => []);
  const asCommand = (c: string[] | Command): Command => (Array.isArray(c) ? { args: c } : c);
  for (let run = 0; run < runs; run++) commands.map(asCommand).forEach((c, i) => times[i].push(seconds(c.args, c.cwd, c.expectedStatus)));
  return times.map(middle);
}

/** Peak resident memory of a node process, in MB. */
function peakMegabytes(args: string[], cwd: string): number {
  const report = path.join(cwd, "report-peak-memory.js");
  fs.writeFileSync(report, `process.on("exit", () => process.stderr.write("\\nmaxrss:" + process.resourceUsage().maxRSS + "\\n"));\n`);
  const result = spawnSync(process.execPath, ["--require", report, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const match = /maxrss:(\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`memory run failed: ${result.stderr}`);
  return Number(match[1]) / 1024;
}

function fleetRoot(customers: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-bench-"));
  fs.mkdirSync(path.join(root, "customers"));
  fs.mkdirSync(path.join(root, "stacks"));
  fs.copyFileSync(path.join(ROOT, "customers/_defaults.yaml"), path.join(root, "customers/_defaults.yaml"));
  for (let i = 1; i <= customers; i++) {
    const name = `c${String(i).padStart(3, "0")}`;
    const customer = { name, displayName: `Customer ${i}`, fitConnectCode: `FITConnect ${i}`, environments: { prod: { domain: `${name}-bench.fitfile.net` } } };
    fs.writeFileSync(path.join(root, `customers/${name}.yaml`), stringify(customer));
    fs.writeFileSync(path.join(root, `stacks/Pulumi.${name}-prod.yaml`), "config:\n  kubernetes:context: bench\n");
  }
  return root;
}

/** The fleet as a git repository of the project's files, committed, with a default changed in the working tree. */
function changedFleetRepo(customers: number): string {
  const root = fleetRoot(customers);
  for (const entry of ["package.json", "tsconfig.json", "Pulumi.yaml", "src"]) fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
  linkPackages(ROOT, root);
  fs.writeFileSync(path.join(root, ".gitignore"), "node_modules\n");
  const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@ffnodes.invalid", ...args], { cwd: root, stdio: "ignore" });
  git("init", "--quiet");
  git("add", "-A");
  git("commit", "--quiet", "-m", "fleet");
  const defaults = path.join(root, "customers/_defaults.yaml");
  fs.writeFileSync(defaults, fs.readFileSync(defaults, "utf8").replace("    pods: 100\n", "    pods: 120\n"));
  return root;
}

const verdict = (ok: boolean) => (ok ? "ok" : "OVER TARGET");

async function main(): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`ffnodes bench (median of ${RUNS} runs; node ${process.version}, ${os.cpus().length} cores)`);

  const floorScript = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/vault", "@pulumi/cloudflare"].map((m) => `require(${JSON.stringify(m)});`).join("");
  seconds(["--require", REGISTER, PLAN, "--stack", "ff-a-prod"]); // fills the transpile cache
  // The program's start as `pulumi` runs it (Pulumi.yaml: the same hook via nodeargs), under mocks,
  // with ff-a-prod's Cloudflare token in the environment, as CI may give it.
  const pulumiStart = [
    "--require",
    REGISTER,
    "-e",
    `process.env.CLOUDFLARE_API_TOKEN = "bench"; const pulumi = require("@pulumi/pulumi");` +
      `pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: () => ({ id: "zone-id" }) }, "ffnodes", "ff-a-prod", false)` +
      `.then(() => { process.chdir(${JSON.stringify(ROOT)}); require(${JSON.stringify(path.join(ROOT, "src/index.ts"))}); });`,
  ];
  const [floor, plan, start] = interleavedMedians([["-e", floorScript], ["--require", REGISTER, PLAN, "--stack", "ff-a-prod", "--json"], pulumiStart]);
  print(`(a) floor: load the four Pulumi SDKs                 ${floor.toFixed(3)} s`);
  print(`    plan --stack ff-a-prod --json                     ${plan.toFixed(3)} s = ${(plan / floor).toFixed(2)}x floor (target <= 1.5x) ${verdict(plan / floor <= 1.5)}`);
  print(`    program start as pulumi runs it               ${start.toFixed(3)} s = ${(start / floor).toFixed(2)}x floor`);

  const small = fleetRoot(10);
  const large = fleetRoot(100);
  const all = ["--require", REGISTER, PLAN, "--all", "--json"];
  const tSmall = median(all, small);
  const tLarge = median(all, large);
  const marginal = ((tLarge - tSmall) / 90) * 1000;
  print(`(b) plan --all, 10 customers                          ${tSmall.toFixed(3)} s`);
  print(`    plan --all, 100 customers                         ${tLarge.toFixed(3)} s; marginal ${marginal.toFixed(1)} ms per customer (target <= 30 ms) ${verdict(marginal <= 30)}`);

  const peak = peakMegabytes(all, large);
  print(`(c) peak memory, plan --all over 100 customers        ${peak.toFixed(0)} MB (target <= 400 MB) ${verdict(peak <= 400)}`);
  for (const dir of [small, large]) fs.rmSync(dir, { recursive: true, force: true });

  for (const line of await benchRollout()) print(`(d) ${line}`);

  const changed = changedFleetRepo(100);
  const [fleetPlan, fleetDiff] = interleavedMedians(
    [
      { args: ["--require", REGISTER, "src/cli/plan.ts", "--all", "--json"], cwd: changed },
      { args: ["--require", REGISTER, "src/cli/diff.ts", "--base", "HEAD", "--json"], cwd: changed, expectedStatus: EXIT_CHANGES },
    ],
    3,
  );
  fs.rmSync(changed, { recursive: true, force: true });
  print(`(f) plan --all, 100 customers                          ${fleetPlan.toFixed(3)} s`);
  print(`    diff, a default changed in 100 customers          ${fleetDiff.toFixed(3)} s = ${(fleetDiff / fleetPlan).toFixed(2)}x plan --all (target <= 2.2x) ${verdict(fleetDiff / fleetPlan <= 2.2)}`);

  for (const line of benchRealEngine()) print(line);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
