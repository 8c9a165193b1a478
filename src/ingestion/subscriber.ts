import faye from 'faye';
import {
  REPLAY_NEW,
  ReconnectingSubscriber,
  type EventSubscriberOptions,
  type StreamingSession,
  type SubscriptionState,
} from './event-subscriber.ts';

/** The parts of faye's Client this module uses (jsforce's bundled typings omit several). */
interface BayeuxClient {
  setHeader(name: string, value: string): void;
  disable(feature: string): void;
  addExtension(extension: BayeuxExtension): void;
  subscribe(channel: string, listener: (data: unknown) => void): PromiseLike<void>;
  disconnect(): void;
  bind(event: string, listener: () => void): void;
}

interface BayeuxMessage {
  channel: string;
  successful?: boolean;
  error?: string;
  subscription?: string;
  clientId?: string;
  advice?: { reconnect?: string; [key: string]: unknown };
  ext?: Record<string, unknown> & { sfdc?: { failureReason?: string } };
}

interface BayeuxExtension {
  incoming(message: BayeuxMessage, callback: (message: BayeuxMessage) => void): void;
  outgoing(message: BayeuxMessage, callback: (message: BayeuxMessage) => void): void;
}

export interface SubscriberOptions extends EventSubscriberOptions<StreamingSession> {
  apiVersion: string;
  /** faye's transport retry after a network error, in seconds (default 5). */
  retrySeconds?: number;
}

/**
 * CometD subscriber for platform events as the integration user, with its own replay extension: every subscribe sends
 * the LAST DELIVERED replay ID, so nothing is skipped and nothing replays from -1. One faye client is one org-side
 * client (one handshake): whenever that client is lost, the subscriber replaces it with a fresh one that subscribes
 * from the last delivered replay ID, with backoff while replacements keep failing:
 * - `403::Unknown client` (server restart, eviction, idle timeout). faye's own re-handshake is switched off: when a
 *   subscribe and a connect both got the 403, each reset faye's state and started a handshake, and the client then
 *   received nothing;
 * - a request that fails after the client has connected: faye gives up on a long poll after 1.2 × the org's advised
 *   timeout and aborts it (or the connection breaks). An org that answered it late took the events in that answer off
 *   the client's queue, and faye's retry keeps the same client, so nothing would ever replay them — the lost events of
 *   the 20,000-turn soak. The fresh client's subscription replays them; de-duplication drops anything that did arrive;
 * - token refusals (401, with a fresh JWT session) and failed subscribes.
 * An expired replay ID falls back to -2 and logs the possible gap.
 */
export class CometdSubscriber extends ReconnectingSubscriber<SubscriberOptions> {
  private client: BayeuxClient | undefined;
  private handshakes = 0;
  /** The generation whose client completed a `/meta/connect` (its long polls may have carried events). */
  private connectedGeneration = -1;
  /** Channels whose subscribe the current client's server acknowledged. */
  private subscribed = new Set<string>();
  /** faye's transport of the current client: false after `transport:down` until `transport:up`. */
  private transportUp = true;

  constructor(options: SubscriberOptions) {
    super(options, 'cometd-subscriber', 'CometD');
  }

  /**
   * The client's own view of its connection, for readiness: connected means the current client completed a
   * `/meta/connect`, its transport is up, no replacement is pending and every channel's subscribe was acknowledged.
   */
  override connectionState(): SubscriptionState {
    if (this.stopped) return { state: 'stopped', detail: 'the subscriber is stopped' };
    if (this.backoff.scheduled)
      return { state: 'reconnecting', detail: `replacing the CometD client after ${this.backoff.failures} failure(s)` };
    if (!this.client || this.connectedGeneration !== this.generation)
      return { state: 'connecting', detail: 'handshake or first /meta/connect not completed' };
    if (!this.transportUp) return { state: 'transport-down', detail: 'the CometD transport is down; faye retries' };
    const missing = this.options.channels.filter((channel) => !this.subscribed.has(channel));
    if (missing.length > 0) return { state: 'connecting', detail: `not subscribed to ${missing.join(', ')}` };
    return { state: 'connected', detail: `subscribed to ${this.options.channels.join(', ')}` };
  }

  protected override teardown(): void {
    this.generation++; // late messages from the old client are ignored
    this.subscribed = new Set();
    this.transportUp = true;
    const client = this.client;
    this.client = undefined;
    try {
      client?.disconnect();
    } catch (err) {
      this.logger.debug({ err }, 'disconnect of an old CometD client failed');
    }
  }

  protected override async connect(refresh: boolean): Promise<void> {
    const generation = ++this.generation;
    const session = await this.options.session({ refresh });
    if (this.stopped || generation !== this.generation) return;
    const endpoint = `${session.instanceUrl.replace(/\/$/, '')}/cometd/${this.options.apiVersion}`;
    const client = new faye.Client(endpoint, { retry: this.options.retrySeconds ?? 5 }) as unknown as BayeuxClient;
    client.setHeader('Authorization', `OAuth ${session.accessToken}`);
    client.disable('websocket'); // Salesforce has no WebSocket transport
    client.addExtension(this.extension(generation));
    client.bind('transport:down', () => this.transportDown(generation));
    client.bind('transport:up', () => {
      if (generation === this.generation) this.transportUp = true;
      this.logger.info('CometD transport up');
    });
    this.client = client;
    const replayFrom = new Map(this.options.positions);
    // Failures surface in the extension (which restarts); here they only must not go unhandled.
    await Promise.all(
      this.options.channels.map((channel) =>
        // A replaced client's late answers are ignored: its replacement subscribed from the last delivered replay ID.
        Promise.resolve(
          client.subscribe(channel, (data) => generation === this.generation && this.deliver(channel, data)),
        ).then(
          () => this.logger.info({ channel, replayFrom: replayFrom.get(channel) }, 'subscribed'),
          () => undefined,
        ),
      ),
    );
  }

  private deliver(channel: string, data: unknown): void {
    const replayId = (data as { event?: { replayId?: unknown } } | undefined)?.event?.replayId;
    if (typeof replayId === 'number' && Number.isSafeInteger(replayId)) this.replay.delivered(channel, replayId);
    this.options.onEvent(channel, data);
  }

  private extension(generation: number): BayeuxExtension {
    return {
      outgoing: (message, callback) => {
        if (message.channel === '/meta/subscribe' && message.subscription) {
          const replay = this.replay.get(message.subscription) ?? REPLAY_NEW;
          message.ext = { ...message.ext, replay: { [message.subscription]: replay } };
        }
        callback(message);
      },
      incoming: (message, callback) => {
        if (generation === this.generation && !this.stopped) this.observe(message, generation);
        // Never let faye re-handshake by itself (see the class comment): the subscriber replaces the client instead.
        if (message.advice?.reconnect === 'handshake') message.advice = { ...message.advice, reconnect: 'none' };
        callback(message);
      },
    };
  }

  /**
   * A request of a connected client failed. Before the first connect faye's own retry is right (no long poll has
   * answered yet); after it, the failed request may have been a long poll whose events are now lost to this client.
   */
  private transportDown(generation: number): void {
    if (generation !== this.generation || this.stopped) return;
    this.transportUp = false;
    if (this.connectedGeneration !== generation) {
      this.logger.warn('CometD transport down; faye retries');
      return;
    }
    this.logger.warn(
      'CometD transport down after connecting: a lost long poll may have held events; resubscribing from the last delivered replay ID',
    );
    this.backoff.schedule(false); // the new client's handshake counts as a reconnect
  }

  private observe(message: BayeuxMessage, generation: number): void {
    if (message.channel === '/meta/handshake' && message.successful) {
      this.handshakes++;
      if (this.handshakes > 1) this.options.metrics.inc('reconnects');
      this.logger.info({ clientId: message.clientId }, 'CometD handshake');
      return;
    }
    if (message.channel === '/meta/connect' && message.successful) {
      this.backoff.succeeded();
      this.connectedGeneration = generation;
      this.transportUp = true;
      return;
    }
    if (message.channel === '/meta/subscribe' && message.successful && message.subscription) {
      this.subscribed.add(message.subscription);
      return;
    }
    if (message.successful !== false) return;
    const error = message.error ?? '';
    const reason = message.ext?.sfdc?.failureReason ?? '';
    if (error.startsWith('401::') || reason.startsWith('401::')) {
      this.logger.warn({ error, reason }, 'CometD refused the token; re-authenticating');
      this.backoff.schedule(true);
    } else if (message.channel === '/meta/subscribe' && error.startsWith('400::The replayId')) {
      const channel = message.subscription ?? '';
      const stored = this.replay.fellBack(channel);
      this.logger.warn(
        { channel, storedReplayId: stored },
        'stored replay ID no longer retained; resubscribing from -2 (duplicates are dropped by de-duplication)',
      );
      this.backoff.schedule(false);
    } else if (error.startsWith('403::Unknown client')) {
      this.logger.warn(
        { channel: message.channel },
        'CometD client evicted; resubscribing with a new client from the last delivered replay ID',
      );
      this.backoff.schedule(false);
    } else if (
      message.channel === '/meta/subscribe' ||
      message.advice?.reconnect === 'none' ||
      message.advice?.reconnect === 'handshake' ||
      message.channel === '/meta/handshake'
    ) {
      this.logger.error(
        { channel: message.channel, subscription: message.subscription, error, reason },
        'CometD request refused; reconnecting with backoff',
      );
      this.backoff.schedule(false);
    } else {
      this.logger.warn({ channel: message.channel, error }, 'CometD request failed; faye retries');
    }
  }
}
