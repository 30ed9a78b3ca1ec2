/** A problem in a user's configuration: which file, which key, what is allowed. */
export interface Problem {
  file: string;
  /** Dotted key path inside the file, e.g. `environments.prod.storage.minio.size`. Empty for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(problem: Problem): string {
  return problem.path ? `${problem.file}: ${problem.path}: ${problem.message}` : `${problem.file}: ${problem.message}`;
}

/** Thrown when configuration is invalid; carries every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `invalid ffnodes configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function joinPath(...parts: (string | number)[]): string {
  return parts
    .filter((p) => p !== "")
    .map(String)
    .join(".");
}
