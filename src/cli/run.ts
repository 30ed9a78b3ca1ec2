import { parseArgs, ParseArgsConfig } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/problems";
import { CliError, EXIT_INVALID_CONFIG, EXIT_USAGE } from "../errors";

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** A comma-separated flag value as a list (`a, b,` is `[a, b]`); undefined when the flag is absent. */
export function commaList(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command line strictly: an unknown or malformed flag, a flag given twice (the last
 * would silently win) or a flag given an empty value (an unset CI variable, say) is a
 * UsageError carrying the usage.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, usage: string, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true, tokens: true });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw new UsageError((error as Error).message, usage);
    throw error;
  }
  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    seen.set(token.name, (seen.get(token.name) ?? 0) + 1);
    if (seen.get(token.name) === 2) throw new UsageError(`--${token.name} is given more than once; give it once`, usage);
    if (token.value === "") throw new UsageError(`--${token.name} is empty; give it a value or leave it out`, usage);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

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
      const report = reportError(error);
      if (!report) throw error;
      process.stderr.write(report.stderr);
      process.exitCode = report.exitCode;
    },
  );
}

/** What a failed command prints and its exit code; undefined for an error that is a bug. */
export function reportError(error: unknown): { stderr: string; exitCode: number } | undefined {
  if (error instanceof ConfigError) return { stderr: `ffnodes: ${error.message}\n`, exitCode: EXIT_INVALID_CONFIG };
  if (error instanceof CliError) return { stderr: `ffnodes: ${error.message}\n`, exitCode: error.exitCode };
  if (error instanceof UsageError) return { stderr: `ffnodes: ${error.message}\n\n${error.usage}\n`, exitCode: EXIT_USAGE };
  if (pulumi.RunError.isInstance(error)) return { stderr: `ffnodes: ${error.message}\n`, exitCode: EXIT_INVALID_CONFIG };
  return undefined;
}
