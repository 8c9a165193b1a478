import type { TurnWritten } from '../runtime/turn-handler.ts';

const KEEP_MS = 2 * 60_000;
const MAX_KEPT = 2_000;

/**
 * In-process completion notifications keyed by turn identifier: the turn handler reports each written turn, and a
 * synchronous HTTP caller waits for its own. Results are kept briefly in case a turn finishes before anyone waits.
 */
export class TurnWaiter {
  private readonly waiting = new Map<string, Set<(turn: TurnWritten) => void>>();
  private readonly recent = new Map<string, { turn: TurnWritten; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Pass as the runtime's `onTurnWritten`. */
  readonly notify = (turn: TurnWritten): void => {
    this.recent.set(turn.turnId, { turn, at: this.now() });
    this.prune();
    const listeners = this.waiting.get(turn.turnId);
    if (!listeners) return;
    this.waiting.delete(turn.turnId);
    for (const listener of listeners) listener(turn);
  };

  /** The written turn, or undefined when `timeoutMs` passed or `signal` aborted first. */
  wait(turnId: string, timeoutMs: number, signal?: AbortSignal): Promise<TurnWritten | undefined> {
    const done = this.recent.get(turnId);
    if (done) return Promise.resolve(done.turn);
    return new Promise((resolve) => {
      const listeners = this.waiting.get(turnId) ?? new Set();
      this.waiting.set(turnId, listeners);
      const finish = (turn: TurnWritten | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        listeners.delete(listener);
        if (listeners.size === 0 && this.waiting.get(turnId) === listeners) this.waiting.delete(turnId);
        resolve(turn);
      };
      const listener = (turn: TurnWritten): void => finish(turn);
      const onAbort = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));
      listeners.add(listener);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Callers currently waiting (for the concurrency cap). */
  get waitingCount(): number {
    let count = 0;
    for (const listeners of this.waiting.values()) count += listeners.size;
    return count;
  }

  private prune(): void {
    const cutoff = this.now() - KEEP_MS;
    for (const [turnId, entry] of this.recent) {
      if (entry.at >= cutoff && this.recent.size <= MAX_KEPT) break;
      this.recent.delete(turnId);
    }
  }
}
