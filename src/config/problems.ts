import { z } from "zod";
import { LayerSource, valueAtPath } from "./merge";

/** A problem in a user's configuration: which file, which key, what is allowed. */
export interface Problem {
  file: string;
  /** Dotted key path inside the file, e.g. `environments.prod.storage.minio.size`. Empty for the whole file. */
  path: string;
  message: string;
  /**
   * The stacks a problem breaks, for one told in a file that many stacks layer (the defaults): the
   * same problem of several stacks is told once, naming them all.
   */
  stacks?: string[];
}

/** One line, whatever a file name, key or value holds: control characters are printed escaped. */
export function formatProblem(problem: Problem): string {
  const message = problem.stacks ? `${problem.message} (in ${problem.stacks.length === 1 ? "stack" : "stacks"} ${problem.stacks.join(", ")})` : problem.message;
  const line = problem.path ? `${problem.file}: ${problem.path}: ${message}` : `${problem.file}: ${message}`;
  return line.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** The one way problems are printed, by every command and by the program under `pulumi`: a header, then a line each. */
export function formatProblems(problems: Problem[]): string {
  return [`invalid configuration, ${problems.length} problem(s); nothing was changed:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n");
}

/**
 * Problems without repeats (a file shared by several stacks is read for each), in the order first
 * found; one that several stacks have is told once, with all their names.
 */
export function uniqueProblems(problems: Problem[]): Problem[] {
  const unique = new Map<string, Problem>();
  for (const problem of problems) {
    const key = formatProblem({ ...problem, stacks: undefined });
    const first = unique.get(key);
    if (!first) unique.set(key, problem);
    else if (first.stacks && problem.stacks) unique.set(key, { ...first, stacks: [...new Set([...first.stacks, ...problem.stacks])] });
  }
  return [...unique.values()];
}

/** Thrown when configuration is invalid; carries every problem found, not just the first, each once. */
export class ConfigError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const unique = uniqueProblems(problems);
    super(formatProblems(unique));
    this.problems = unique;
    this.name = "ConfigError";
  }
}

/** The "file" of a problem in a command-line flag; its path is the flag. */
export const COMMAND_LINE = "command line";

export function joinPath(...parts: (string | number)[]): string {
  return parts
    .filter((p) => p !== "")
    .map(String)
    .join(".");
}

/** A message a schema or one of its checks was given, for an issue it did not raise itself. */
function messageOf(error: z.core.$ZodErrorMap<never> | undefined, expected: string): string | undefined {
  const message = error?.({ code: "invalid_type", expected, input: undefined } as never);
  return typeof message === "string" ? message : (message?.message ?? undefined);
}

/**
 * What a schema takes, in ffnodes's words: the schema's own message or description, the message
 * of its pattern (each says "such as ..."), or what its kind of value is, spelt out.
 */
function expectedOf(schema: z.core.$ZodType): string {
  const own = z.globalRegistry.get(schema)?.description ?? messageOf(schema._zod.def.error, schema._zod.def.type);
  if (own) return own;
  const s = schema as z.core.$ZodTypes;
  switch (s._zod.def.type) {
    case "string": {
      // A pattern's message says what it takes; a length's, when it was given one, what it is for.
      const checks = [...(s._zod.def.checks ?? [])].sort((a, b) => Number(b._zod.def.check === "string_format") - Number(a._zod.def.check === "string_format"));
      return checks.map((c) => messageOf(c._zod.def.error, "string")).find((m) => m !== undefined) ?? "a text value";
    }
    case "boolean":
      return "true or false";
    case "number":
      return "a number";
    case "enum":
      return `one of ${Object.values(s._zod.def.entries).join(", ")}`;
    case "literal":
      return `one of ${s._zod.def.values.join(", ")}`;
    case "array":
      return `a list, each item ${expectedOf(s._zod.def.element)} ([] for none)`;
    case "object": {
      const keys = Object.entries(s._zod.def.shape).filter(([, value]) => value._zod.optin !== "optional").map(([key]) => key);
      return keys.length > 0 ? `a mapping with ${keys.join(", ")}` : `a mapping with any of ${Object.keys(s._zod.def.shape).join(", ")}`;
    }
    case "record":
      return "a mapping";
    case "union":
      return s._zod.def.options.map(expectedOf).join(", or ");
    case "optional":
    case "nullable":
    case "default":
    case "readonly":
      return expectedOf(s._zod.def.innerType);
    case "pipe":
      return expectedOf(s._zod.def.in);
    default:
      return "a value";
  }
}

/** A value as a message shows what was found instead. */
function found(value: unknown): string {
  if (value === null) return "an empty value (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
  return typeof value === "number" || typeof value === "boolean" ? `${typeof value} ${value}` : typeof value;
}

// zod's own words for a wrong or missing value name a JavaScript type ("expected string,
// received undefined"); the schema, seen only while parsing, knows what the key takes. An
// unknown key's issue carries no list of the keys there are; its strict object does.
z.config({
  customError: (issue) => {
    if (!issue.inst) return undefined;
    if (issue.code === "unrecognized_keys" && issue.inst instanceof z.core.$ZodObject) {
      return `the keys here are: ${Object.keys(issue.inst._zod.def.shape).join(", ")}`;
    }
    if (issue.code === "too_small" && issue.minimum === 1) return issue.origin === "string" ? "must not be empty" : "at least one item";
    const wrongValue = issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union";
    if (!wrongValue || !(issue.inst instanceof z.core.$ZodType)) return undefined;
    const expected = expectedOf(issue.inst);
    return issue.input === undefined ? expected : `${expected}; found ${found(issue.input)}`;
  },
});

/**
 * Turns zod issues into problems, attributing each to the layer that set (or lacked) the key.
 * `fileRootKeys`: keys a file's top level takes besides the schema's (a customer file's identity).
 */
export function issuesToProblems(
  issues: z.core.$ZodIssue[],
  input: unknown,
  locate: (path: string) => LayerSource,
  fileRootKeys: readonly string[] = [],
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = joinPath(base, key);
        const source = locate(keyPath);
        const atFileRoot = base === "" && source.prefix === "" && fileRootKeys.length > 0;
        const allowed = atFileRoot ? `${issue.message}, ${fileRootKeys.join(", ")}` : issue.message;
        problems.push({ file: source.file, path: joinPath(source.prefix, keyPath), message: `unknown key (check its spelling); ${allowed}` });
      }
      continue;
    }
    const source = locate(base);
    const missing = (issue.code === "invalid_type" || issue.code === "invalid_value") && valueAtPath(input, issue.path) === undefined;
    // zod's own message for a bad key of a record says nothing of what a key may be; the key's schema does.
    const badKey = issue.code === "invalid_key" && issue.message === "Invalid key in record";
    problems.push({
      file: source.file,
      path: joinPath(source.prefix, base),
      message: missing
        ? `required: ${issue.message}`
        : badKey
          ? `not allowed as a key here: ${issue.issues.map((i) => i.message).join("; ")}`
          : issue.message,
    });
  }
  return problems;
}

