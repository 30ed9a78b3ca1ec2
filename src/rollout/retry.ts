export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the first retry; doubled before each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 5_000, maxDelayMs: 60_000 };

/**
 * Errors that mean "someone else is updating this stack right now": a local backend's lock
 * file, or the service's 409 for a concurrent update. Worth waiting for; anything else is not.
 */
const TRANSIENT = [/the stack is currently locked/i, /\[409\] Conflict/i, /another update is currently in progress/i];

export function isLockError(error: unknown): boolean {
  // The Automation API's CommandError carries the command's stdout and stderr in its message.
  const text = error instanceof Error ? error.message : String(error);
  return TRANSIENT.some((pattern) => pattern.test(text));
}

/** Delay before retry number `retry` (1-based): base x 2^(retry-1), at most maxDelayMs. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying lock and conflict errors with exponential backoff, bounded by the
 * policy. Reports how many attempts it took; the last error is rethrown when they run out.
 */
export async function withRetry<R>(
  operation: () => Promise<R>,
  policy: RetryPolicy,
  options: { wait?: (ms: number) => Promise<void>; onRetry?: (retry: number, delayMs: number, error: unknown) => void } = {},
): Promise<{ value: R; attempts: number }> {
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await operation(), attempts: attempt };
    } catch (error) {
      if (attempt >= policy.attempts || !isLockError(error)) throw Object.assign(asError(error), { attempts: attempt });
      const delay = backoffDelay(policy, attempt);
      options.onRetry?.(attempt, delay, error);
      await wait(delay);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
