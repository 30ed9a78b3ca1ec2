// A copy of the project to run the real `pulumi` in, against the e2e environment (e2e/env.ts):
// the end-to-end tests and the bench use it, so that nothing they do touches the checkout.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Environment, REPO_ROOT } from "./env";
import type { StackOutputs } from "../src/customer";
import { StateResource, stackExport } from "../src/decommission/state";

interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** The e2e customers and stacks, added to every copy. */
const FIXTURES = path.join(REPO_ROOT, "test", "e2e", "fixtures");

/** A copy of the project as a user's checkout has it (tracked and new files), plus the e2e fixtures. */
export class Workdir {
  readonly dir: string;

  constructor(readonly env: Environment) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-project-"));
    try {
      const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
      if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
      for (const file of listed.stdout.split("\0").filter(Boolean)) {
        const from = path.join(REPO_ROOT, file);
        if (!fs.existsSync(from)) continue; // deleted in the working tree
        fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
        fs.copyFileSync(from, path.join(this.dir, file));
      }
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(this.dir, "node_modules"));
      fs.cpSync(FIXTURES, this.dir, { recursive: true });
    } catch (error) {
      // No caller holds a copy that failed to be made, so none would remove it.
      this.remove();
      throw error;
    }
  }

  /** Writes a file of the project, relative to its root. */
  write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), text);
  }

  read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), "utf8");
  }

  /** Runs a command in the project directory with the environment's variables. */
  run(command: string, args: string[], options: { input?: string; timeoutSeconds?: number } = {}): CommandResult {
    const result = spawnSync(command, args, {
      cwd: this.dir,
      env: { ...process.env, ...this.env.vars },
      encoding: "utf8",
      input: options.input,
      timeout: (options.timeoutSeconds ?? 600) * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs `pulumi` and fails with its output unless it exits 0. */
  pulumi(args: string[], options: { timeoutSeconds?: number } = {}): string {
    const result = this.pulumiMayFail(args, options);
    if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** Runs `pulumi` without blocking, so that stacks apply side by side; fails with its output unless it exits 0. */
  pulumiAsync(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: { ...process.env, ...this.env.vars }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.on("error", reject);
      child.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`pulumi ${args.join(" ")} exited ${status}:\n${output}`))));
    });
  }

  pulumiMayFail(args: string[], options: { timeoutSeconds?: number } = {}): CommandResult {
    return this.run("pulumi", [...args, "--non-interactive"], options);
  }

  /** `pulumi stack init` (once) and `pulumi up` for a stack; returns its outputs, the Customer component's. */
  up(stack: string, extra: string[] = []): StackOutputs {
    this.ensureStack(stack);
    this.pulumi(["up", "--yes", "--skip-preview", "-s", stack, ...extra]);
    return this.outputs(stack);
  }

  /** A stack's outputs, the Customer component's, as `pulumi stack output --json` prints them. */
  outputs(stack: string): StackOutputs {
    return JSON.parse(this.pulumi(["stack", "output", "--json", "-s", stack])) as StackOutputs;
  }

  /** The resources of a stack's state, as `pulumi stack export` writes them. */
  stateResources(stack: string): StateResource[] {
    return stackExport.parse(JSON.parse(this.pulumi(["stack", "export", "-s", stack]))).deployment?.resources ?? [];
  }

  ensureStack(stack: string): void {
    const listed = this.pulumi(["stack", "ls", "--json"]);
    const names = (JSON.parse(listed) as { name: string }[]).map((s) => s.name.split("/").pop());
    if (!names.includes(stack)) this.pulumi(["stack", "init", stack]);
  }

  /** The resources of a preview as `pulumi preview --json` reports them, and its change summary. */
  preview(stack: string, extra: string[] = []): { steps: { op: string; urn: string }[]; changeSummary: Record<string, number> } {
    return JSON.parse(this.pulumi(["preview", "--json", "-s", stack, ...extra])) as {
      steps: { op: string; urn: string }[];
      changeSummary: Record<string, number>;
    };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
