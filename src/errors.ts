// What a command's failure exits with: the exit codes of every command, and the error that carries
// its own. Any module may throw these; src/cli/run.ts prints them.

/** A failure with its own exit code, printed as its message alone. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT_INVALID_CONFIG = 1;
/** A mistake in the command line (printed with the usage). */
export const EXIT_USAGE = 2;
/** `rollout --drift`: some stack differs from its live resources. */
export const EXIT_DRIFT = 3;
/** `rollout`: some stack failed. */
export const EXIT_STACKS_FAILED = 4;
/** `diff`: some stack would change. */
export const EXIT_CHANGES = 5;
/** `adopt-ids`: the Cloudflare API refused the token or could not be read. */
export const EXIT_CLOUDFLARE = 6;
/** `rollout`: stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
