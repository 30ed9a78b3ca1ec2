import type { Operation } from "./engine";
import { ChangeSummary, StackRunner } from "./runner";

/** How a fake stack behaves. */
export interface FakeStack {
  /** Simulated duration of every operation. */
  durationMs?: number;
  /** What preview and update report. Default: one update. */
  changes?: ChangeSummary;
  /** What a refresh preview reports. Default: nothing changed. */
  drift?: ChangeSummary;
  /** Operations that fail for good. */
  fails?: Operation[];
  /** How many times each operation first fails with a lock error. */
  lockedTimes?: number;
  /** False for a stack the backend does not have. */
  initialized?: boolean;
}

interface FakeCall {
  stack: string;
  operation: Operation;
  startedAt: number;
  endedAt?: number;
  ok?: boolean;
}

/**
 * A runner with no Pulumi behind it, for tests and the bench: operations take simulated time on
 * real timers, and every call is recorded with how many ran at once.
 */
export class FakeRunner implements StackRunner {
  readonly calls: FakeCall[] = [];
  installs = 0;
  inFlight = 0;
  peakInFlight = 0;
  private readonly lockFailures = new Map<string, number>();

  constructor(private readonly stacks: (stack: string) => FakeStack = () => ({})) {}

  install(): Promise<void> {
    this.installs++;
    return Promise.resolve();
  }

  initialized(stacks: readonly string[]): Promise<ReadonlySet<string>> {
    return Promise.resolve(new Set(stacks.filter((stack) => this.stacks(stack).initialized !== false)));
  }

  preview(stack: string): Promise<ChangeSummary> {
    return this.run(stack, "preview", (s) => s.changes ?? { update: 1, same: 3 });
  }

  update(stack: string): Promise<ChangeSummary> {
    return this.run(stack, "update", (s) => s.changes ?? { update: 1, same: 3 });
  }

  refreshPreview(stack: string): Promise<ChangeSummary> {
    return this.run(stack, "refresh-preview", (s) => s.drift ?? { same: 4 });
  }

  /** Stacks in the order their operation of this kind started. */
  started(operation: Operation): string[] {
    return this.calls.filter((c) => c.operation === operation).map((c) => c.stack);
  }

  private async run(stack: string, operation: Operation, result: (s: FakeStack) => ChangeSummary): Promise<ChangeSummary> {
    const behaviour = this.stacks(stack);
    const call: FakeCall = { stack, operation, startedAt: performance.now() };
    this.calls.push(call);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, behaviour.durationMs ?? 0));
      const key = `${stack}\0${operation}`;
      const locked = this.lockFailures.get(key) ?? 0;
      if (locked < (behaviour.lockedTimes ?? 0)) {
        this.lockFailures.set(key, locked + 1);
        throw new Error(`error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.`);
      }
      if (behaviour.fails?.includes(operation)) throw new Error(`${operation} of ${stack} failed: simulated failure`);
      call.ok = true;
      return result(behaviour);
    } catch (error) {
      call.ok = false;
      throw error;
    } finally {
      call.endedAt = performance.now();
      this.inFlight--;
    }
  }
}
