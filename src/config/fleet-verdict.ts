import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CUSTOMERS_DIR, RETIRED_DIR, STACKS_DIR, yamlEntries } from "./files";
import { readBoundedFile } from "./yaml";

/**
 * Verdicts of the cross-stack checks: a record that the whole fleet passed them, kept by a
 * fingerprint of everything those checks read (every file of customers/, its tombstones and
 * stacks/, and the code that checks). A stack's program and the policy pack check one stack
 * against the fleet by layering every other stack, which grows with the fleet; where the fleet
 * as it is now has passed already (a rollout's or `plan --all`'s check, or an earlier preview's),
 * they read and hash the files instead. Any byte changed anywhere is another fingerprint, so a
 * verdict never stands for files it did not see. A cache, kept beside the transpile cache: losing
 * it costs one full check.
 */

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const CODE_DIR = path.join(PROJECT_DIR, "src");
export const VERDICTS_DIR = path.join(PROJECT_DIR, "node_modules", ".cache", "ffnodes-fleet");
/** Verdicts kept: one per state of the fleet that passed; the oldest go first. */
const KEPT_VERDICTS = 64;

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : entry.isFile() ? [path.join(dir, entry.name)] : []))
    .sort();
}

let codeHash: string | undefined;

/** The checking code: every source file, and the locked dependencies (zod and yaml among them). */
function codeFingerprint(): string {
  if (codeHash === undefined) {
    const hash = crypto.createHash("sha256");
    const lock = path.join(PROJECT_DIR, "package-lock.json");
    for (const file of [...filesUnder(CODE_DIR), ...(fs.existsSync(lock) ? [lock] : [])]) {
      hash.update(path.relative(PROJECT_DIR, file)).update("\0").update(fs.readFileSync(file)).update("\0");
    }
    codeHash = hash.digest("hex");
  }
  return codeHash;
}

/**
 * The fingerprint of the fleet under `root` as the checks would read it now; undefined when a
 * file cannot be read as a configuration file (the checks themselves then say what is wrong).
 */
export function fleetFingerprint(root: string): string | undefined {
  const hash = crypto.createHash("sha256").update(codeFingerprint());
  for (const dir of [CUSTOMERS_DIR, RETIRED_DIR, STACKS_DIR]) {
    for (const name of yamlEntries(root, dir).sort()) {
      const file = `${dir}/${name}`;
      const read = readBoundedFile(path.join(root, file), file);
      if (!read.ok) return undefined;
      hash.update(file).update("\0").update(read.text).update("\0");
    }
  }
  return hash.digest("hex");
}

/** Whether the fleet with this fingerprint passed every cross-stack check. */
export function fleetPassed(fingerprint: string): boolean {
  return fs.existsSync(path.join(VERDICTS_DIR, fingerprint));
}

/**
 * Records that the fleet under `root` passed, if it still has the fingerprint it had when the
 * check began (a file changed meanwhile was not what the check read). Failing to write is no error.
 */
export function recordFleetPassed(root: string, checked: string): void {
  if (fleetFingerprint(root) !== checked) return;
  try {
    fs.mkdirSync(VERDICTS_DIR, { recursive: true });
    const temporary = path.join(VERDICTS_DIR, `${checked}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, "");
    fs.renameSync(temporary, path.join(VERDICTS_DIR, checked));
    const verdicts = fs
      .readdirSync(VERDICTS_DIR)
      .filter((name) => /^[0-9a-f]{64}$/.test(name))
      .map((name) => ({ name, time: fs.statSync(path.join(VERDICTS_DIR, name)).mtimeMs }))
      .sort((a, b) => b.time - a.time);
    for (const { name } of verdicts.slice(KEPT_VERDICTS)) fs.rmSync(path.join(VERDICTS_DIR, name), { force: true });
  } catch {
    // A read-only node_modules, or another process pruning at the same time: the next check runs in full.
  }
}
