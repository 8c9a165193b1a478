import type { Logger } from '../logger.ts';

export interface ReconnectBackoffOptions {
  /** First pause after a failure that followed a failure (the first retry is immediate). */
  baseMs?: number | undefined;
  maxMs?: number | undefined;
  /** Drops the current connection before the pause. */
  teardown(): void;
  /** Opens a new connection; `refresh` asks for a new session first. */
  connect(refresh: boolean): Promise<void>;
  logger: Logger;
  /** What is reconnecting, for the log line when a reconnect throws ("CometD", "Pub/Sub"). */
  label: string;
}

/**
 * The subscribers' one reconnect policy: tear down, then reconnect after a pause that doubles with consecutive failures
 * (with jitter, capped), asking for a fresh session if any request since the last reconnect asked for one. Requests
 * while a reconnect is scheduled fold into it.
 */
export class ReconnectBackoff {
  private timer: NodeJS.Timeout | undefined;
  private pendingRefresh = false;
  private stopped = false;
  private consecutive = 0;

  constructor(private readonly options: ReconnectBackoffOptions) {}

  /** Consecutive failures since the last successful connection. */
  get failures(): number {
    return this.consecutive;
  }

  /** True while a reconnect is waiting for its pause to end. */
  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** A connection succeeded: the next failure retries at once again. */
  succeeded(): void {
    this.consecutive = 0;
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  schedule(refresh: boolean): void {
    if (this.stopped) return;
    this.pendingRefresh ||= refresh;
    if (this.timer) return;
    this.options.teardown();
    const base = this.options.baseMs ?? 1_000;
    const delay =
      this.consecutive === 0
        ? 0
        : Math.min(this.options.maxMs ?? 60_000, base * 2 ** (this.consecutive - 1)) * (0.5 + Math.random() / 2);
    this.consecutive++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const refreshNow = this.pendingRefresh;
      this.pendingRefresh = false;
      this.options.connect(refreshNow).catch((err: unknown) => {
        this.options.logger.error({ err }, `${this.options.label} reconnect failed`);
        this.schedule(refreshNow);
      });
    }, delay);
  }
}
