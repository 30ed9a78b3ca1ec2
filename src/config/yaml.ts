import * as fs from "node:fs";
import { parseDocument } from "yaml";
import { Problem } from "./problems";

/** Configuration files are small; anything larger is a mistake or an attack. */
export const MAX_FILE_BYTES = 256 * 1024;
/** Enough for legitimate anchors, far too few for an alias bomb. */
const MAX_ALIASES = 50;

export type YamlResult = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

/** Parses YAML text with alias and size limits; reports syntax errors with their line. */
export function parseYaml(text: string, file: string): YamlResult {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    return { ok: false, problems: [{ file, path: "", message: `file is larger than ${MAX_FILE_BYTES} bytes` }] };
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        path: "",
        message: `invalid YAML${e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ""}: ${e.message
          .split("\n")[0]
          .replace(/ at line \d+, column \d+:?$/, "")}`,
      })),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (e) {
    return { ok: false, problems: [{ file, path: "", message: `invalid YAML: ${(e as Error).message}` }] };
  }
}

/**
 * Parsed files, keyed by path, size and modification time: planning a fleet reads the defaults
 * and each peer's file once per stack, and must not parse them again each time.
 */
const parsed = new Map<string, { stamp: string; result: YamlResult }>();

/** Reads and parses a YAML file, refusing oversized files before reading them. */
export function readYamlFile(absolutePath: string, displayName: string): YamlResult {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolutePath);
  } catch {
    return { ok: false, problems: [{ file: displayName, path: "", message: "file not found" }] };
  }
  if (stat.size > MAX_FILE_BYTES) {
    return { ok: false, problems: [{ file: displayName, path: "", message: `file is larger than ${MAX_FILE_BYTES} bytes` }] };
  }
  const stamp = `${displayName}\0${stat.size}\0${stat.mtimeMs}`;
  const cached = parsed.get(absolutePath);
  if (cached?.stamp === stamp) return structuredClone(cached.result);
  const result = parseYaml(fs.readFileSync(absolutePath, "utf8"), displayName);
  parsed.set(absolutePath, { stamp, result });
  return structuredClone(result);
}
