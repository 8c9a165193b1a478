import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';

export interface AllocationSource {
  /** Fraction (0..1) of the org's daily API allocation already used, from the last `Sforce-Limit-Info`. */
  allocationUsed(): number;
}

export interface PacingOptions {
  meter?: AllocationSource;
  /** Above this fraction of the allocation, jobs start with a delay that grows towards `maxDelayMs` at 100 %. */
  slowAbove?: number;
  maxDelayMs?: number;
  /** How long intake stays paused after REQUEST_LIMIT_EXCEEDED before trying again. */
  pauseMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Paces job starts against the org's API allocation: slows down near the limit and pauses entirely after the org
 * answered REQUEST_LIMIT_EXCEEDED, resuming on a timer. Emits `paused` and `resumed`.
 */
export class Pacing extends EventEmitter {
  readonly slowAbove: number;
  readonly maxDelayMs: number;
  readonly pauseMs: number;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PacingOptions) {
    super();
    this.slowAbove = options.slowAbove ?? 0.85;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.pauseMs = options.pauseMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Start delay for a given allocation use: 0 below the threshold, then linear up to `maxDelayMs`. */
  delayFor(used: number): number {
    if (!(used > this.slowAbove)) return 0;
    const share = Math.min(1, (used - this.slowAbove) / (1 - this.slowAbove));
    return Math.round(share * this.maxDelayMs);
  }

  get paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  /** Milliseconds until intake resumes (0 when not paused). */
  remainingPauseMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Pauses job starts; a second pause while paused extends it. */
  pause(reason: string, ms = this.pauseMs): void {
    const wasPaused = this.paused;
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => this.resume(), this.remainingPauseMs());
    this.resumeTimer.unref();
    if (!wasPaused) {
      this.options.logger.warn({ reason, pauseMs: ms }, 'job intake paused: org API allocation exhausted');
      this.emit('paused', reason);
    }
  }

  resume(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.pausedUntil = 0;
    this.options.logger.info('job intake resumed');
    this.emit('resumed');
  }

  /** Waits until a job may start: through a pause, then the near-limit delay. Rejects when `signal` aborts. */
  async admit(signal?: AbortSignal): Promise<void> {
    while (this.paused) await sleep(this.remainingPauseMs(), signal);
    const delay = this.delayFor(this.options.meter?.allocationUsed() ?? 0);
    if (delay > 0) await sleep(delay, signal);
  }

  close(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
  }
}

/** setTimeout as a promise that rejects with the signal's reason on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
