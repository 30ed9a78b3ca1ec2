import { z } from "zod";
import { LayerSource, valueAtPath } from "./merge";

/** A problem in a user's configuration: which file, which key, what is allowed. */
export interface Problem {
  file: string;
  /** Dotted key path inside the file, e.g. `environments.prod.storage.minio.size`. Empty for the whole file. */
  path: string;
  message: string;
}

/** One line, whatever a file name, key or value holds: control characters are printed escaped. */
export function formatProblem(problem: Problem): string {
  const line = problem.path ? `${problem.file}: ${problem.path}: ${problem.message}` : `${problem.file}: ${problem.message}`;
  return line.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** The one way problems are printed, by every command and by the program under `pulumi`: a header, then a line each. */
export function formatProblems(problems: Problem[]): string {
  return [`invalid configuration, ${problems.length} problem(s); nothing was changed:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n");
}

/** Problems without repeats (a file shared by several stacks is read for each), in the order first found. */
export function uniqueProblems(problems: Problem[]): Problem[] {
  return [...new Map(problems.map((p) => [formatProblem(p), p])).values()];
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

// An unknown key's issue carries no list of the keys there are; its schema, seen only while
// parsing, does. Every strict object of the configuration gets that list as its message.
z.config({
  customError: (issue) => {
    if (issue.code !== "unrecognized_keys" || !(issue.inst instanceof z.core.$ZodObject)) return undefined;
    return `the keys here are: ${Object.keys(issue.inst._zod.def.shape).join(", ")}`;
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
    const missing = issue.code === "invalid_type" && valueAtPath(input, issue.path) === undefined;
    // zod's own message for a bad key of a record says nothing of what a key may be; the key's schema does.
    const badKey = issue.code === "invalid_key" && issue.message === "Invalid key in record";
    problems.push({
      file: source.file,
      path: joinPath(source.prefix, base),
      message: missing
        ? `required: ${issue.message.replace(/, received undefined$/, "")}`
        : badKey
          ? `not allowed as a key here: ${issue.issues.map((i) => i.message).join("; ")}`
          : issue.message,
    });
  }
  return problems;
}

