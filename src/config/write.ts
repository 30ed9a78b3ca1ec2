import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, Problem } from "./problems";

/** Whether anything is at `absolutePath`: a file, a directory, or a symbolic link even to nothing. */
export function entryExists(absolutePath: string): boolean {
  try {
    fs.lstatSync(absolutePath);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `file` (relative to `root`) may not be written; undefined when it may. Only a new file,
 * or with `replace` an existing regular file, is written: never through a symbolic link (it
 * could point anywhere), never over a directory, pipe or device.
 */
export function unwritable(root: string, file: string, replace: boolean): Problem | undefined {
  const absolute = path.join(root, file);
  const directory = path.dirname(absolute);
  if (fs.existsSync(directory) && !fs.statSync(directory).isDirectory()) return { file, path: "", message: `cannot be written: ${path.dirname(file)} is not a directory` };
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(absolute);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) return { file, path: "", message: "is a symbolic link; ffnodes writes only regular files: replace the link by the file it points to" };
  if (!stat.isFile()) return { file, path: "", message: "exists and is not a regular file: remove or rename it" };
  return replace ? undefined : { file, path: "", message: "already exists" };
}

/**
 * Writes files relative to `root`, after checking that every one may be written, so that a
 * refusal leaves all of them as they were.
 */
export function writeConfigFiles(root: string, files: { file: string; text: string }[], replace: boolean): void {
  const problems = files.flatMap(({ file }) => unwritable(root, file, replace) ?? []);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const { file, text } of files) {
    const absolute = path.join(root, file);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    // A new file is created exclusively: whatever appeared there since the check is not overwritten.
    fs.writeFileSync(absolute, text, { flag: entryExists(absolute) ? "w" : "wx" });
  }
}
