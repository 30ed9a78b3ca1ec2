import { ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { listStacks, stackFileName } from "../config/files";
import { isPlainObject } from "../config/merge";
import { fullConfigKey } from "../config/stack-file";
import { CliError, EXIT_INVALID_CONFIG } from "../errors";
import type { StackPlan } from "../plan/engine";
import { git } from "../git";
import type { SecretFingerprints, Side } from "./compare";

/** One side of a diff: a project root to plan, and how to say which side it is. */
export interface Checkout {
  side: "base" | "head";
  /** What was checked out: `main (1a2b3c4)`, `working tree`. */
  description: string;
  root: string;
  /** Removes what was made for this side (a temporary worktree); nothing for the working tree. */
  remove(): void;
}

/** A side that does not plan (invalid configuration, or its plan failed): nothing is compared. */
class SideError extends CliError {
  constructor(checkout: Checkout, headline: string, lines: string[]) {
    super(`${headline} on the ${checkout.side} side (${checkout.description}); nothing was compared:\n${lines.map((l) => `  ${l}`).join("\n")}`, EXIT_INVALID_CONFIG);
  }
}

const live = new Set<{ remove(): void }>();
const children = new Set<ChildProcess>();

function interrupted(signal: NodeJS.Signals, code: number): void {
  for (const child of children) child.kill(signal);
  for (const checkout of live) checkout.remove();
  process.exit(code);
}

/** Ctrl-C or a termination removes every temporary worktree before the process ends. */
export function removeWorktreesOnSignal(): () => void {
  const onInt = () => interrupted("SIGINT", 130);
  const onTerm = () => interrupted("SIGTERM", 143);
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}

/** Gives `target` the packages of `source`: a link to its node_modules (the transpile cache included). */
export function linkPackages(source: string, target: string): void {
  fs.symlinkSync(fs.realpathSync(path.join(source, "node_modules")), path.join(target, "node_modules"));
}

/** The project at `commit`, checked out into a temporary git worktree, with `root`'s packages. */
export function addWorktree(root: string, side: Checkout["side"], ref: string, commit: string): Checkout {
  const prefix = git(root, ["rev-parse", "--show-prefix"]).trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ffnodes-diff-${side}-`));
  const checkout: Checkout = {
    side,
    description: `${ref} (${commit.slice(0, 7)})`,
    root: path.join(dir, prefix),
    remove: () => {
      live.delete(checkout);
      // The link first, so that nothing below can reach into the packages it points at.
      fs.rmSync(path.join(checkout.root, "node_modules"), { force: true });
      try {
        git(root, ["worktree", "remove", "--force", dir]);
      } catch {
        // Already gone, or never fully added: remove what is left and forget it.
      }
      fs.rmSync(dir, { recursive: true, force: true });
      try {
        git(root, ["worktree", "prune"]);
      } catch {
        // Nothing to prune.
      }
    },
  };
  live.add(checkout);
  try {
    git(root, ["worktree", "add", "--detach", "--quiet", dir, commit]);
    linkPackages(root, checkout.root);
  } catch (error) {
    checkout.remove();
    throw error;
  }
  return checkout;
}

export function workingTree(root: string): Checkout {
  return { side: "head", description: "working tree", root, remove: () => undefined };
}

const INVALID_CONFIG = /^ffnodes: invalid configuration[^\n]*\n/;

const PLAN_ALL = ["--all", "--json"];

/**
 * How to run a checkout's `npm run plan -- --all --json`: its `plan` script straight from node
 * when the script is a plain `node ...` command line (npm's own start costs as much as a small
 * plan), through npm otherwise.
 */
export function planCommand(root: string): [string, string[]] {
  let script: unknown;
  try {
    script = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, unknown> }).scripts?.plan;
  } catch {
    script = undefined;
  }
  if (typeof script === "string" && /^node( [A-Za-z0-9_./=-]+)+$/.test(script)) return [process.execPath, [...script.split(" ").slice(1), ...PLAN_ALL]];
  return ["npm", ["run", "--silent", "plan", "--", ...PLAN_ALL]];
}

/**
 * Plans every stack of a checkout with the checkout's own code, in a child process: the base may
 * be an older commit whose code differs from this one's.
 */
function planCheckout(checkout: Checkout): Promise<StackPlan[]> {
  return new Promise((resolve, reject) => {
    const [command, args] = planCommand(checkout.root);
    const child = spawn(command, args, { cwd: checkout.root, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => {
      children.delete(child);
      reject(error);
    });
    child.on("close", (code) => {
      children.delete(child);
      const invalid = INVALID_CONFIG.exec(stderr);
      if (code === 1 && invalid) {
        const problems = stderr
          .slice(invalid[0].length)
          .split("\n")
          .filter((l) => l.startsWith("  "))
          .map((l) => l.trim());
        reject(new SideError(checkout, "invalid configuration", problems));
      } else if (code !== 0) {
        const lines = stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("planned "));
        reject(new SideError(checkout, `plan failed (exit ${code})`, lines.length > 0 ? lines.slice(-5) : ["(it printed nothing on stderr)"]));
      } else {
        resolve(JSON.parse(Buffer.concat(stdout).toString("utf8")) as StackPlan[]);
      }
    });
  });
}

/**
 * A fingerprint of each `secure:` value in a checkout's stack files, so that a changed secret
 * shows as changed while neither its value nor its ciphertext leaves this function.
 */
function secretFingerprints(root: string): SecretFingerprints {
  const fingerprints: SecretFingerprints = {};
  for (const stack of listStacks(root)) {
    let document: unknown;
    try {
      document = parse(fs.readFileSync(path.join(root, stackFileName(stack)), "utf8"));
    } catch {
      continue; // the plan of that side reports an unreadable stack file
    }
    const config = isPlainObject(document) && isPlainObject(document.config) ? document.config : {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      if (isPlainObject(value) && "secure" in value) {
        secrets[fullConfigKey(key)] = createHash("sha256").update(String(value.secure)).digest("hex");
      }
    }
    fingerprints[stack] = secrets;
  }
  return fingerprints;
}

/** Plans a checkout and reads its secret fingerprints. */
export async function readSide(checkout: Checkout): Promise<Side> {
  const plans = await planCheckout(checkout);
  return { plans, secrets: secretFingerprints(checkout.root) };
}
