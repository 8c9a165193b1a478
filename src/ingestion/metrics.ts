import { EventEmitter } from 'node:events';

/** Counter names intake and the queues maintain; the ops layer exports them (e.g. to Prometheus). */
export const COUNTERS = [
  'received',
  'enqueued',
  'duplicates',
  'deadLettered',
  'securityRefused',
  'checkpointsSaved',
  'completed',
  'failed',
  'retried',
  'handedBack',
  'reconnects',
  'replayFallbacks',
  'allocationPauses',
  /** Turns whose event never arrived, started by the reconciliation sweep (src/ingestion/reconcile.ts). */
  'reconciled',
  /** Turns the worker's /v1/turns recorded as the requesting user and enqueued itself (no request event exists). */
  'startedOverHttp',
] as const;
export type CounterName = (typeof COUNTERS)[number];

export interface IngestionSnapshot {
  counters: Record<CounterName, number>;
  /** Milliseconds between an event's CreatedDate and its enqueue, for the last event seen (0 before any). */
  lagMs: number;
  /** Last queue depth reported by the queue. */
  queueDepth: number;
}

/**
 * Plain counters with an `update` event on every change. No metrics library here: the ops engineer maps
 * `snapshot()` to Prometheus, tests read it directly.
 */
export class IngestionMetrics extends EventEmitter {
  private readonly counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<CounterName, number>;
  private lagMs = 0;
  private queueDepth = 0;

  inc(name: CounterName, by = 1): void {
    this.counters[name] += by;
    this.emit('update', name, this.counters[name]);
  }

  get(name: CounterName): number {
    return this.counters[name];
  }

  observeLag(ms: number): void {
    if (Number.isFinite(ms)) this.lagMs = Math.max(0, ms);
  }

  observeDepth(depth: number): void {
    this.queueDepth = depth;
  }

  snapshot(): IngestionSnapshot {
    return { counters: { ...this.counters }, lagMs: this.lagMs, queueDepth: this.queueDepth };
  }
}
