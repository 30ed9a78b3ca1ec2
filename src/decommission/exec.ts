import { spawn } from "node:child_process";

/**
 * Runs a command and resolves with its stdout; rejects with its stderr when it exits non-zero,
 * or with `missing` when it cannot be started at all.
 */
export function capture(command: string, args: string[], options: { cwd?: string; missing: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (e) => reject(new Error(`${options.missing} (${e.message})`)));
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
  });
}
