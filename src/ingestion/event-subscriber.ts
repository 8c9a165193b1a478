/**
 * What the two platform-event subscribers (CometD in subscriber.ts, Pub/Sub API in pubsub-subscriber.ts) have in
 * common: the options the worker runtime gives either one, the connection state it reads for readiness, the replay
 * positions each keeps per channel, and the start/stop/reconnect life cycle around their own connect and teardown.
 */
import type { Logger } from '../logger.ts';
import type { IngestionMetrics } from './metrics.ts';
import { ReconnectBackoff } from './reconnect-backoff.ts';

/** Replay position "new events only": a channel without a stored replay ID starts here. */
export const REPLAY_NEW = -1;
/** Replay position "earliest retained event": where a channel resubscribes once its stored replay ID has expired. */
export const REPLAY_ALL = -2;

/** The integration user's session. */
export interface StreamingSession {
  instanceUrl: string;
  accessToken: string;
}

export interface EventSubscriberOptions<Session extends StreamingSession> {
  channels: readonly string[];
  /** The integration user's session; `refresh` after the org refused the token. */
  session(options: { refresh: boolean }): Promise<Session>;
  /** Starting replay position per channel (checkpoint or -1/-2); updated as events arrive. */
  positions: Map<string, number>;
  /** Receives every delivered event's `data` (the CometD shape), in order per channel. */
  onEvent(channel: string, data: unknown): void;
  logger: Logger;
  metrics: IngestionMetrics;
  /** Backoff of full reconnects (new token, new client or new streams) after repeated failures. */
  restartBaseMs?: number;
  restartMaxMs?: number;
}

/** A subscriber's own view of its connection, for readiness (`/readyz`). */
export interface SubscriptionState {
  state: 'connected' | 'connecting' | 'reconnecting' | 'transport-down' | 'stopped';
  detail: string;
}

/**
 * The replay position of each channel: the last delivered replay ID (or the starting position), and the gap a fallback
 * to the earliest retained event may leave, reported when the first event after it arrives.
 */
export class ReplayPositions {
  /** Channels that fell back to -2: the replay ID they had. */
  private readonly gaps = new Map<string, number>();

  constructor(
    private readonly positions: Map<string, number>,
    private readonly metrics: IngestionMetrics,
    private readonly logger: Logger,
  ) {}

  get(channel: string): number | undefined {
    return this.positions.get(channel);
  }

  /** An event with this replay ID was delivered on the channel: it is the new position. */
  delivered(channel: string, replayId: number): void {
    const gapFrom = this.gaps.get(channel);
    if (gapFrom !== undefined) {
      this.gaps.delete(channel);
      this.logger.warn(
        { channel, lastProcessed: gapFrom, firstRetained: replayId },
        'replay gap: events between these replay IDs may have expired unseen',
      );
    }
    this.positions.set(channel, replayId);
  }

  /** The org no longer retains the channel's stored replay ID: it moves to -2; returns the ID it had (-1 if none). */
  fellBack(channel: string): number {
    const stored = this.positions.get(channel) ?? REPLAY_NEW;
    this.gaps.set(channel, stored);
    this.positions.set(channel, REPLAY_ALL);
    this.metrics.inc('replayFallbacks');
    return stored;
  }
}

/**
 * A subscription that replaces its connection with backoff (`ReconnectBackoff`). Each connection is a generation:
 * callbacks of a replaced one compare their generation with the current one and are ignored. A subclass opens the
 * connection in `connect` (bumping the generation) and drops it in `teardown`.
 */
export abstract class ReconnectingSubscriber<Options extends EventSubscriberOptions<StreamingSession>> {
  protected generation = 0;
  protected stopped = true;
  protected readonly backoff: ReconnectBackoff;
  protected readonly replay: ReplayPositions;
  protected readonly logger: Logger;

  /** `component` names the logger child; `label` the subscriber in the backoff's log lines ("CometD", "Pub/Sub"). */
  constructor(
    protected readonly options: Options,
    component: string,
    label: string,
  ) {
    this.logger = options.logger.child({ component });
    this.replay = new ReplayPositions(options.positions, options.metrics, this.logger);
    this.backoff = new ReconnectBackoff({
      baseMs: options.restartBaseMs,
      maxMs: options.restartMaxMs,
      teardown: () => this.teardown(),
      connect: (refresh) => this.connect(refresh),
      logger: this.logger,
      label,
    });
  }

  /** Last delivered replay ID (or the starting position) of a channel. */
  position(channel: string): number | undefined {
    return this.replay.get(channel);
  }

  abstract connectionState(): SubscriptionState;

  /**
   * Connects (CometD also waits for the subscribe replies); rejects only if the first session cannot be obtained (bad
   * key, unknown user).
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.backoff.start();
    await this.connect(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.backoff.stop();
    this.teardown();
  }

  /** Opens a new connection (a new generation); `refresh` asks for a new session first. */
  protected abstract connect(refresh: boolean): Promise<void>;

  /** Drops the current connection; its late callbacks must be ignored from now on. */
  protected abstract teardown(): void;
}
