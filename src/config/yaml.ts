import * as fs from "node:fs";
import { parseDocument, isMap, isPair, isScalar, isSeq, Node as YamlNode } from "yaml";
import { Problem, joinPath } from "./problems";

/** Configuration files are small; anything larger is a mistake or an attack. */
export const MAX_FILE_BYTES = 256 * 1024;
/** Enough for legitimate anchors, far too few for an alias bomb. */
const MAX_ALIASES = 50;
/** A key that would set an object's prototype instead of a setting, wherever it is merged. */
const PROTOTYPE_KEY = "__proto__";

type YamlResult = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

/** Key paths of every `__proto__` key in a tree of mappings and lists. */
export function prototypeKeyPaths(value: unknown, at: (string | number)[] = []): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeyPaths(item, [...at, i]));
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const child = (value as Record<string, unknown>)[key];
    return key === PROTOTYPE_KEY ? [joinPath(...at, key)] : prototypeKeyPaths(child, [...at, key]);
  });
}

export const PROTOTYPE_KEY_MESSAGE = `'${PROTOTYPE_KEY}' is not a setting: remove the key (it would replace the object's prototype)`;

/** Key paths of `__proto__` keys in a YAML document, found before it becomes JavaScript. */
function prototypeKeysOf(node: unknown, at: (string | number)[] = []): string[] {
  if (isMap(node)) {
    return node.items.flatMap((pair) => {
      if (!isPair(pair)) return [];
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      return key === PROTOTYPE_KEY ? [joinPath(...at, key)] : prototypeKeysOf(pair.value, [...at, key]);
    });
  }
  if (isSeq(node)) return node.items.flatMap((item, i) => prototypeKeysOf(item as YamlNode, [...at, i]));
  return [];
}

/** Parses YAML text with alias and size limits; reports syntax errors with their line. */
function parseYaml(text: string, file: string): YamlResult {
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
  const prototypeKeys = prototypeKeysOf(doc.contents);
  if (prototypeKeys.length > 0) return { ok: false, problems: prototypeKeys.map((path) => ({ file, path, message: PROTOTYPE_KEY_MESSAGE })) };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) };
  } catch (e) {
    return { ok: false, problems: [{ file, path: "", message: `invalid YAML: ${(e as Error).message}` }] };
  }
}

/** What a path that is not a readable regular file is, in words; undefined for a regular file. */
function entryProblem(absolutePath: string): { message: string } | undefined {
  let link: fs.Stats;
  try {
    link = fs.lstatSync(absolutePath);
  } catch {
    return { message: "file not found" };
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolutePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { message: "is a loop of symbolic links, not a file" };
    if (link.isSymbolicLink()) return { message: "is a symbolic link to a file that does not exist" };
    return { message: `cannot be read (${code ?? "unknown error"})` };
  }
  if (stat.isFile()) return undefined;
  const kind = stat.isDirectory()
    ? "a directory"
    : stat.isFIFO()
      ? "a named pipe"
      : stat.isSocket()
        ? "a socket"
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? "a device"
          : "not a regular file";
  return { message: `is ${kind}${link.isSymbolicLink() ? " (through a symbolic link)" : ""}; expected a regular YAML file` };
}

/** Whether `absolutePath` is a regular file (or a link to one) of at most MAX_FILE_BYTES: what is safe to copy. */
export function isReadableConfigFile(absolutePath: string): boolean {
  return entryProblem(absolutePath) === undefined && fs.statSync(absolutePath).size <= MAX_FILE_BYTES;
}

let readBuffer: Buffer | undefined;

/**
 * Reads a file that must be a regular file of at most MAX_FILE_BYTES. Opened without blocking
 * (a named pipe would wait for a writer) and checked again once open, then read no further than
 * the limit: a device or a file that grows is never read whole.
 */
export function readBoundedFile(absolutePath: string, displayName: string): { ok: true; text: string } | { ok: false; problems: Problem[] } {
  const fail = (message: string) => ({ ok: false as const, problems: [{ file: displayName, path: "", message }] });
  const before = entryProblem(absolutePath);
  if (before) return fail(before.message);
  let fd: number;
  try {
    fd = fs.openSync(absolutePath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return fail("is not a regular file; expected a regular YAML file");
    if (stat.size > MAX_FILE_BYTES) return fail(`file is larger than ${MAX_FILE_BYTES} bytes`);
    // One buffer for every read (reads are synchronous, and the text is copied out of it): the
    // fleet checks read hundreds of small files, and a fresh buffer each time kept the collector busy.
    readBuffer ??= Buffer.allocUnsafe(MAX_FILE_BYTES + 1);
    const buffer = readBuffer;
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_FILE_BYTES) return fail(`file is larger than ${MAX_FILE_BYTES} bytes`);
    return { ok: true, text: buffer.subarray(0, length).toString("utf8") };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Parsed files, keyed by path and text: planning a fleet reads the defaults and each peer's file
 * once per stack, and must not parse them again each time.
 */
const parsed = new Map<string, { text: string; result: YamlResult }>();

/** Reads and parses a YAML file: a regular file, read no further than MAX_FILE_BYTES. */
export function readYamlFile(absolutePath: string, displayName: string): YamlResult {
  const read = readBoundedFile(absolutePath, displayName);
  if (!read.ok) return read;
  const cached = parsed.get(`${absolutePath}\0${displayName}`);
  if (cached?.text === read.text) return structuredClone(cached.result);
  const result = parseYaml(read.text, displayName);
  parsed.set(`${absolutePath}\0${displayName}`, { text: read.text, result });
  return structuredClone(result);
}
