/**
 * Pub/Sub API subscriber (gRPC, Avro) for the worker's platform events, as the integration user. It keeps the CometD
 * subscriber's contract — events handed to `onEvent` in order per channel in the CometD `data` shape, positions
 * updated as they arrive, resubscription from the last delivered replay ID after any failure — and adds pull flow
 * control: it asks the org for at most as many events as the worker has free slots, so a busy worker is never
 * flooded (Pub/Sub API Developer Guide, "Flow Control").
 */
import * as grpc from '@grpc/grpc-js';
import { eventCodec, type EventCodec } from '../schemas/pubsub/avro.ts';
import {
  MAX_NUM_REQUESTED,
  PubSubErrorCode,
  decodeReplayId,
  encodeReplayId,
  pubSubService,
  type FetchRequestMessage,
  type FetchResponseMessage,
  type SchemaInfoMessage,
  type TopicInfoMessage,
} from '../schemas/pubsub/index.ts';
import {
  REPLAY_ALL,
  REPLAY_NEW,
  ReconnectingSubscriber,
  type EventSubscriberOptions,
  type StreamingSession,
  type SubscriptionState,
} from './event-subscriber.ts';

export interface PubSubSession extends StreamingSession {
  orgId: string;
}

export interface PubSubSubscriberOptions extends EventSubscriberOptions<PubSubSession> {
  /** `https://api.pubsub.salesforce.com:7443`, or `http://127.0.0.1:<port>` for the local emulator (loopback only). */
  endpoint: string;
  /** How many more events the worker can take now (free slots); the subscriber never asks for more. */
  capacity(): number;
  /** How often capacity is re-checked while nothing is requested (default 500 ms). */
  topUpMs?: number;
}

type PubSubClient = grpc.Client & {
  GetTopic(
    request: { topic_name: string },
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<TopicInfoMessage>,
  ): void;
  GetSchema(
    request: { schema_id: string },
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<SchemaInfoMessage>,
  ): void;
  Subscribe(metadata: grpc.Metadata): grpc.ClientDuplexStream<FetchRequestMessage, FetchResponseMessage>;
};

/** gRPC channel credentials for an endpoint URL; plaintext only to a loopback emulator (fail closed otherwise). */
export function channelTarget(endpoint: string): { target: string; credentials: grpc.ChannelCredentials } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`LOOM_PUBSUB_URL is not a URL: ${endpoint}`);
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const target = `${url.hostname.replace(/^\[|\]$/g, '')}:${port}`;
  if (url.protocol === 'https:') return { target, credentials: grpc.credentials.createSsl() };
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && loopback) return { target, credentials: grpc.credentials.createInsecure() };
  throw new Error(`LOOM_PUBSUB_URL must be https:// (plaintext is allowed only to a loopback emulator): ${endpoint}`);
}

function errorCode(err: grpc.ServiceError): string {
  return String(err.metadata?.get('error-code')[0] ?? '');
}

interface ChannelStream {
  call: grpc.ClientDuplexStream<FetchRequestMessage, FetchResponseMessage>;
  /** Events requested and not yet received. */
  outstanding: number;
}

export class PubSubSubscriber extends ReconnectingSubscriber<PubSubSubscriberOptions> {
  private client: PubSubClient | undefined;
  private session: PubSubSession | undefined;
  private readonly streams = new Map<string, ChannelStream>();
  private readonly codecs = new Map<string, EventCodec>();
  private subscriptions = 0;
  private connected = false;
  private topUpTimer: NodeJS.Timeout | undefined;

  constructor(options: PubSubSubscriberOptions) {
    super(options, 'pubsub-subscriber', 'Pub/Sub');
    channelTarget(options.endpoint); // a bad endpoint is a configuration error, before anything starts
  }

  /** The same states the CometD subscriber reports, for `/readyz`. */
  override connectionState(): SubscriptionState {
    if (this.stopped) return { state: 'stopped', detail: 'the subscriber is stopped' };
    if (this.backoff.scheduled)
      return {
        state: 'reconnecting',
        detail: `resubscribing to the Pub/Sub API after ${this.backoff.failures} failure(s)`,
      };
    const missing = this.options.channels.filter((channel) => !this.streams.has(channel));
    if (!this.connected || missing.length > 0)
      return {
        state: 'connecting',
        detail: missing.length > 0 ? `no Subscribe stream for ${missing.join(', ')}` : 'opening Subscribe streams',
      };
    return { state: 'connected', detail: `Pub/Sub streams open for ${this.options.channels.join(', ')}` };
  }

  /** Also starts the capacity top-up tick. */
  override async start(): Promise<void> {
    this.topUpTimer = setInterval(() => this.topUpAll(), this.options.topUpMs ?? 500);
    this.topUpTimer.unref();
    await super.start();
  }

  override async stop(): Promise<void> {
    if (this.topUpTimer) clearInterval(this.topUpTimer);
    this.topUpTimer = undefined;
    await super.stop();
  }

  /** Called when worker slots free up: asks for more events at once instead of at the next top-up tick. */
  topUpAll(): void {
    for (const [channel, stream] of this.streams) this.topUp(channel, stream);
  }

  protected override teardown(): void {
    this.generation++;
    this.connected = false;
    for (const stream of this.streams.values()) stream.call.cancel();
    this.streams.clear();
    this.client?.close();
    this.client = undefined;
  }

  private metadata(): grpc.Metadata {
    const session = this.session as PubSubSession;
    const metadata = new grpc.Metadata();
    metadata.set('accesstoken', session.accessToken);
    metadata.set('instanceurl', session.instanceUrl);
    metadata.set('tenantid', session.orgId);
    return metadata;
  }

  private unary<T>(call: (callback: grpc.requestCallback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) =>
      call((err, value) => (err || value === undefined ? reject(err ?? new Error('empty response')) : resolve(value))),
    );
  }

  protected override async connect(refresh: boolean): Promise<void> {
    const generation = ++this.generation;
    this.session = await this.options.session({ refresh });
    if (this.stopped || generation !== this.generation) return;
    const { target, credentials } = channelTarget(this.options.endpoint);
    const Client = pubSubService();
    const client = new Client(target, credentials) as unknown as PubSubClient;
    this.client = client;
    try {
      for (const channel of this.options.channels) {
        const topic = await this.unary<TopicInfoMessage>((cb) =>
          client.GetTopic({ topic_name: channel }, this.metadata(), cb),
        );
        if (!topic.can_subscribe)
          throw Object.assign(new Error(`the integration user cannot subscribe to ${channel}`), {
            code: grpc.status.PERMISSION_DENIED,
          });
        await this.codec(client, topic.schema_id);
        if (this.stopped || generation !== this.generation) return;
        this.subscribe(channel, generation);
      }
      this.connected = true;
      this.backoff.succeeded();
      this.subscriptions++;
      if (this.subscriptions > 1) this.options.metrics.inc('reconnects');
    } catch (err) {
      if (generation !== this.generation) return;
      this.failed(err as grpc.ServiceError, undefined);
    }
  }

  private async codec(client: PubSubClient, schemaId: string): Promise<EventCodec> {
    let codec = this.codecs.get(schemaId);
    if (!codec) {
      const info = await this.unary<SchemaInfoMessage>((cb) =>
        client.GetSchema({ schema_id: schemaId }, this.metadata(), cb),
      );
      codec = eventCodec(schemaId, JSON.parse(info.schema_json) as Record<string, unknown>);
      this.codecs.set(schemaId, codec);
    }
    return codec;
  }

  private subscribe(channel: string, generation: number): void {
    const client = this.client as PubSubClient;
    const call = client.Subscribe(this.metadata());
    const stream: ChannelStream = { call, outstanding: 0 };
    this.streams.set(channel, stream);
    const from = this.replay.get(channel) ?? REPLAY_NEW;
    const start: FetchRequestMessage =
      from === REPLAY_NEW
        ? { topic_name: channel, replay_preset: 'LATEST' }
        : from === REPLAY_ALL
          ? { topic_name: channel, replay_preset: 'EARLIEST' }
          : { topic_name: channel, replay_preset: 'CUSTOM', replay_id: encodeReplayId(from) };
    this.logger.info({ channel, replayFrom: from }, 'subscribed');
    // Events are handled in arrival order; decoding needs a schema that may have to be fetched first.
    let chain = Promise.resolve();
    call.on('data', (response: FetchResponseMessage) => {
      if (generation !== this.generation) return;
      stream.outstanding = Math.max(0, stream.outstanding - response.events.length);
      chain = chain
        .then(() => this.deliver(channel, response, generation))
        .catch((err: unknown) => {
          this.logger.error(
            { err, channel },
            'could not fetch the schema of a Pub/Sub event; resubscribing from the last delivered replay ID',
          );
          this.backoff.schedule(false);
        });
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (generation !== this.generation || this.stopped || err.code === grpc.status.CANCELLED) return;
      this.failed(err, channel);
    });
    call.on('end', () => {
      if (generation !== this.generation || this.stopped) return;
      this.logger.warn(
        { channel },
        'Pub/Sub stream ended by the server; resubscribing from the last delivered replay ID',
      );
      this.backoff.schedule(false);
    });
    this.topUp(channel, stream, start);
  }

  private async deliver(channel: string, response: FetchResponseMessage, generation: number): Promise<void> {
    for (const consumed of response.events) {
      if (generation !== this.generation) return;
      const replayId = decodeReplayId(consumed.replay_id);
      // A schema that cannot be fetched is transient (the catch in subscribe() resubscribes); a payload that does not
      // decode never will, so it goes to intake without one and is dead-lettered instead of retried forever.
      const codec = await this.codec(this.client as PubSubClient, consumed.event.schema_id);
      let payload: Record<string, unknown> | undefined;
      try {
        payload = codec.decode(Buffer.from(consumed.event.payload));
      } catch (err) {
        this.logger.error(
          { err, channel, replayId, eventUuid: consumed.event.id },
          'Pub/Sub event payload does not decode with its schema; handed to intake without it (dead letter)',
        );
      }
      if (replayId !== undefined) this.replay.delivered(channel, replayId);
      this.options.onEvent(channel, {
        schema: consumed.event.schema_id,
        ...(payload === undefined ? {} : { payload }),
        event: { replayId: replayId ?? Number.NaN, EventUuid: consumed.event.id },
      });
    }
  }

  /** Asks for as many events as the worker has room for, minus what is already requested. */
  private topUp(channel: string, stream: ChannelStream, first?: FetchRequestMessage): void {
    if (this.stopped) return;
    const room = Math.min(MAX_NUM_REQUESTED, Math.max(0, Math.floor(this.options.capacity())));
    const want = room - stream.outstanding;
    if (want <= 0) {
      // The first request must still go out (it opens the subscription); ask for one event.
      if (!first) return;
      stream.outstanding += 1;
      stream.call.write({ ...first, num_requested: 1 });
      return;
    }
    stream.outstanding += want;
    stream.call.write({ ...(first ?? { topic_name: channel }), num_requested: want });
  }

  private failed(err: grpc.ServiceError, channel: string | undefined): void {
    const code = errorCode(err);
    if (err.code === grpc.status.UNAUTHENTICATED || code === PubSubErrorCode.auth) {
      this.logger.warn({ code }, 'Pub/Sub refused the token; re-authenticating');
      this.backoff.schedule(true);
    } else if (channel && code === PubSubErrorCode.replayCorrupted) {
      const stored = this.replay.fellBack(channel);
      this.logger.warn(
        { channel, storedReplayId: stored },
        'stored replay ID no longer retained; resubscribing from the earliest retained event (duplicates are dropped by de-duplication)',
      );
      this.backoff.schedule(false);
    } else {
      this.logger.error(
        { channel, status: err.code, code, message: err.details ?? err.message },
        'Pub/Sub request failed; resubscribing with backoff',
      );
      this.backoff.schedule(false);
    }
  }
}
