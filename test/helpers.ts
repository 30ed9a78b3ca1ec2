import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EnvironmentConfig } from "../src/config/environment";
import { EnvironmentSettings } from "../src/config/schema";
import { resolveTenancy } from "../src/config/tenancy";
import { stackFileName } from "../src/config/files";
import { resolveEnvironment } from "../src/config/resolve";
import { StackPlan, PlannedResource, planStack } from "../src/plan/engine";
import { reportError } from "../src/cli/run";
import { ConfigError, Problem, formatProblem } from "../src/config/problems";
import { KindType } from "../src/kinds";

export const REPO_ROOT = path.resolve(__dirname, "..");

const tempDirs: string[] = [];

/** A new empty directory under the system's temporary folder, removed after the run (test/hooks.ts). */
export function tempDir(prefix = "test"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ffnodes-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir made. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A throw-away project root holding the repository's defaults file plus the given files
 * (paths relative to the root, e.g. `customers/x.yaml`). Returns the root.
 */
export function fixtureRoot(files: Record<string, string>, options: { withRepoCustomers?: boolean } = {}): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "customers"));
  fs.mkdirSync(path.join(root, "stacks"));
  const copy = (dir: string) => {
    for (const f of fs.readdirSync(path.join(REPO_ROOT, dir))) {
      fs.copyFileSync(path.join(REPO_ROOT, dir, f), path.join(root, dir, f));
    }
  };
  if (options.withRepoCustomers) {
    copy("customers");
    copy("stacks");
  } else {
    fs.copyFileSync(path.join(REPO_ROOT, "customers/_defaults.yaml"), path.join(root, "customers/_defaults.yaml"));
  }
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** A minimal stack file for `stack` with optional extra config lines. */
export function stackFile(extraConfig = ""): string {
  return `config:\n  kubernetes:context: test\n${extraConfig}`;
}

/** The list, after asserting it holds something: a check over every element of an empty list passes whatever it claims. */
export function nonEmpty<T>(list: readonly T[], what: string): readonly T[] {
  assert.ok(list.length > 0, `no ${what}`);
  return list;
}

export function planRepoStack(stack: string): Promise<StackPlan> {
  return planStack(REPO_ROOT, stack);
}

export function resourcesOfType(plan: StackPlan, type: KindType): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function findResource(plan: StackPlan, type: KindType, name: string): PlannedResource {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in plan of ${plan.stack}`);
  return found;
}

/** Files for a customer `name` with one `prod` environment made of the YAML lines `prod`, and its stack file. */
export function customerFixture(name: string, prod: string): Record<string, string> {
  const section = prod
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return {
    [`customers/${name}.yaml`]: `name: ${name}\ndisplayName: Customer ${name}\nfitConnectCode: FITConnect ${name}\nenvironments:\n  prod:\n${section}\n`,
    [stackFileName(`${name}-prod`)]: stackFile(),
  };
}

/** Layers a stack's configuration under `root`, with `settings` as its `ffnodes:settings`. */
export function resolveStack(root: string, stack: string, settings?: unknown): EnvironmentConfig {
  return resolveEnvironment(root, stack, { settings, file: stackFileName(stack) });
}

/**
 * A resolved config with some settings replaced and its tenancy derived anew from them, as
 * resolveEnvironment derives it. The names the config had (namespace, dbSuffix, Vault path) are
 * kept as if set, unless `changes` sets them (a `vault` without `path` derives it anew).
 */
export function withSettings(config: EnvironmentConfig, changes: Partial<EnvironmentSettings>): EnvironmentConfig {
  const { tenancy } = config;
  const settings: EnvironmentSettings = {
    ...config.settings,
    namespace: tenancy.namespace,
    namespaceSuffix: "",
    dbSuffix: tenancy.dbSuffix,
    vault: { ...config.settings.vault, path: tenancy.vault.path },
    ...changes,
  };
  return { ...config, ...resolveTenancy(config.customer.name, settings) };
}

/** What a command printed and its exit code. */
export interface CommandOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command's main function in this process, and reports it as runCli would print it: the
 * output on stdout and exit 0, or a user's mistake on stderr with its exit code. A bug throws.
 */
export async function runCommand(main: () => Promise<string> | string): Promise<CommandOutcome> {
  try {
    return { status: 0, stdout: await main(), stderr: "" };
  } catch (error) {
    const report = reportError(error);
    if (!report) throw error;
    return { status: report.exitCode, stdout: "", stderr: report.stderr };
  }
}

/** The problems of the ConfigError `run` throws; none when it succeeds. Any other error is a bug and is thrown on. */
export function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** A row of a table of refused input: the problem it must cause, at a file and a key path, saying what is allowed. */
export interface Refusal {
  title: string;
  file: string;
  path: string;
  says: RegExp;
}

/**
 * One test per row: the problems `problemsFor(row)` returns hold one at the row's file and key
 * path whose message matches `says`. With `alone`, it is the only problem; `check` asserts more
 * of every row's problems.
 */
export function itRejects<R extends Refusal>(rows: R[], problemsFor: (row: R) => Problem[], options: { alone?: boolean; check?: (problems: Problem[], row: R) => void } = {}): void {
  for (const row of rows) {
    it(`rejects ${row.title} at ${row.file}: ${row.path}`, () => {
      const problems = problemsFor(row);
      const lines = problems.map(formatProblem).join("\n");
      const problem = problems.find((p) => p.file === row.file && p.path === row.path);
      assert.ok(problem, `no problem at ${row.file}: ${row.path}; got:\n${lines || "(none)"}`);
      assert.match(problem.message, row.says);
      if (options.alone) assert.equal(problems.length, 1, lines);
      options.check?.(problems, row);
    });
  }
}
