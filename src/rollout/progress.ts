import { Operation, OperationEnd, RolloutEvents } from "./engine";
import { formatDuration } from "./report";
import { formatChanges } from "./runner";

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Progress on stderr: a line when an operation on a stack starts and when it finishes (with its
 * duration), and, on a terminal, a status line kept at the bottom listing what is running.
 */
export class Progress implements RolloutEvents {
  private readonly running = new Map<string, { operation: Operation; since: number }>();
  private finished = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly out: Output) {
    if (out.isTTY) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
  }

  start(stack: string, operation: Operation): void {
    this.running.set(stack, { operation, since: performance.now() });
    this.line(`start   ${operation.padEnd(15)} ${stack}`);
  }

  finish(stack: string, operation: Operation, end: OperationEnd): void {
    this.running.delete(stack);
    this.finished++;
    const what = end.ok ? `ok      (${formatChanges(end.changes)})` : `FAILED  ${end.error?.split("\n")[0] ?? ""}`;
    this.line(`finish  ${operation.padEnd(15)} ${stack} ${formatDuration(end.durationMs)} ${what}`);
  }

  retry(stack: string, operation: Operation, retry: number, delayMs: number): void {
    this.line(`retry   ${operation.padEnd(15)} ${stack}: locked by another update, retry ${retry} in ${formatDuration(delayMs)}`);
  }

  /** Stops the live view and clears its line. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY) this.out.write("\r\x1b[2K");
  }

  private line(text: string): void {
    const stamp = new Date().toISOString().slice(11, 19);
    if (this.out.isTTY) this.out.write("\r\x1b[2K");
    this.out.write(`${stamp} ${text}\n`);
    this.draw();
  }

  private draw(): void {
    if (!this.out.isTTY) return;
    const now = performance.now();
    const items = [...this.running.entries()].map(([stack, r]) => `${stack} ${r.operation} ${formatDuration(now - r.since)}`);
    const status = `[${this.running.size} running, ${this.finished} finished] ${items.join(" | ")}`;
    this.out.write(`\r\x1b[2K${status.slice(0, Math.max(20, (this.out.columns ?? 120) - 1))}`);
  }
}
