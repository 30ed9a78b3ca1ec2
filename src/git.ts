// The git repository a command runs in: `diff` checks out its sides from it, `rollout
// --affected-since` reads what changed.
import { execFileSync } from "node:child_process";

/** Runs git in `root` and returns what it printed; throws when git fails. */
export function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The commit `ref` names in the repository at `root`; throws a message fit for the user when it names none. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim();
  } catch {
    throw new Error(`'${ref}' is not a commit in the git repository at ${root} (in CI, fetch it first, e.g. git fetch origin main)`);
  }
}

/**
 * Files changed since `ref`, relative to `root`: everything that differs between the point where
 * the current branch left `ref` and the working tree (committed, staged or not), plus untracked
 * files. Throws when `ref` is not a commit.
 */
export function changedFilesSince(root: string, ref: string): string[] {
  resolveCommit(root, ref);
  const base = git(root, ["merge-base", ref, "HEAD"]).trim();
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");
  const changed = lines(git(root, ["diff", "--name-only", "--no-renames", "--relative", base]));
  const untracked = lines(git(root, ["ls-files", "--others", "--exclude-standard"]));
  return [...new Set([...changed, ...untracked])].sort();
}
