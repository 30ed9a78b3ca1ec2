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

/** Reads and parses a YAML file, refusing oversized files before reading them. */
export function readYamlFile(absolutePath: string, displayName: string): YamlResult {
  let size: number;
  try {
    size = fs.statSync(absolutePath).size;
  } catch {
    return { ok: false, problems: [{ file: displayName, path: "", message: "file not found" }] };
  }
  if (size > MAX_FILE_BYTES) {
    return { ok: false, problems: [{ file: displayName, path: "", message: `file is larger than ${MAX_FILE_BYTES} bytes` }] };
  }
  return parseYaml(fs.readFileSync(absolutePath, "utf8"), displayName);
}
