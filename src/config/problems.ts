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
