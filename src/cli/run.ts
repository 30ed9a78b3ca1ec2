import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatProblem } from "../config/problems";

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** A failure with its own exit code, printed as its message alone. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A comma-separated flag value as a list (`a, b,` is `[a, b]`); undefined when the flag is absent. */
export function commaList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export const EXIT_INVALID_CONFIG = 1;
export const EXIT_USAGE = 2;
/** `rollout --drift`: some stack differs from its live resources. */
export const EXIT_DRIFT = 3;
/** `rollout`: some stack failed. */
export const EXIT_STACKS_FAILED = 4;
/** `diff`: some stack would change. */
export const EXIT_CHANGES = 5;

/**
 * Runs a command-line tool: its result on stdout; a user's mistake as a plain message on stderr
 * and a non-zero exit, never a stack trace. Anything else is a bug and keeps its trace.
 */
export function runCli(main: (argv: string[]) => Promise<string>): void {
  main(process.argv.slice(2)).then(
    (output) => {
      if (output) process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
    },
    (error: unknown) => {
      process.exitCode = reportError(error);
    },
  );
}

function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`ffnodes: invalid configuration, ${error.problems.length} problem(s); nothing was changed:\n`);
    for (const problem of error.problems) process.stderr.write(`  ${formatProblem(problem)}\n`);
    return EXIT_INVALID_CONFIG;
  }
  if (error instanceof CliError) {
    process.stderr.write(`ffnodes: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`ffnodes: ${error.message}\n\n${error.usage}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof Error && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`ffnodes: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (pulumi.RunError.isInstance(error)) {
    process.stderr.write(`ffnodes: ${error.message}\n`);
    return EXIT_INVALID_CONFIG;
  }
  throw error;
}
