/**
 * Salesforce's Pub/Sub API (gRPC service `eventbus.v1.PubSub`) on the emulator's event bus: the same events, replay
 * IDs, retention, delivery allocation and permissions as its CometD endpoint. Behaviour follows the Pub/Sub API
 * Developer Guide: authentication by the `accesstoken`, `instanceurl` and `tenantid` metadata; pull flow control
 * (`num_requested`, at most 100 outstanding, more is clamped); replay presets honoured on the first FetchRequest
 * only; an empty FetchResponse with the latest replay ID as keepalive; errors as gRPC statuses with Salesforce's
 * code in the `error-code` trailer. Served plaintext on loopback (a real org serves TLS on port 7443).
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../logger.ts';
import type { ObjectDef, OrgApi, UserAccess } from '../org/model.ts';
import type { TokenStore } from '../http/tokens.ts';
import { ApiError } from '../org/model.ts';
import { BayeuxError, StreamingErrors } from '../streaming/errors.ts';
import { REPLAY_ALL, REPLAY_NEW, type DeliveredEvent, type EventBus } from '../streaming/event-bus.ts';
import { eventCodec, type EventCodec } from '../../schemas/pubsub/avro.ts';
import {
  MAX_NUM_REQUESTED,
  MAX_PUBLISH_BATCH,
  PubSubErrorCode,
  decodeReplayId,
  encodeReplayId,
  pubSubService,
  type FetchRequestMessage,
  type FetchResponseMessage,
  type ProducerEventMessage,
  type PublishResponseMessage,
  type SchemaInfoMessage,
  type TopicInfoMessage,
} from '../../schemas/pubsub/index.ts';

/** Salesforce sends an empty FetchResponse within 270 s when there is nothing to deliver. */
export const DEFAULT_KEEPALIVE_MS = 270_000;

export interface PubSubDeps {
  org: OrgApi;
  tokens: TokenStore;
  bus: EventBus;
  logger: Logger;
  keepAliveMs?: number;
}

/** One open Subscribe stream as the server sees it (tests of flow control read these). */
export interface SubscribeStreamStats {
  userId: string;
  topic: string;
  /** Sum of every FetchRequest's num_requested. */
  requested: number;
  delivered: number;
  /** Requested and not yet delivered. */
  pending: number;
  /** Published and waiting for the subscriber to ask. */
  waiting: number;
  keepAlives: number;
}

export interface PubSubServer {
  /** `http://127.0.0.1:<port>`: what a client passes as its Pub/Sub endpoint. */
  url: string;
  streams(): SubscribeStreamStats[];
  /** Ends every open Subscribe stream with UNAVAILABLE, as a server restart would. */
  dropStreams(): number;
  close(): Promise<void>;
}

class RpcFailure extends Error {
  constructor(
    readonly code: grpc.status,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  toServiceError(rpcId: string): grpc.ServiceError {
    const metadata = new grpc.Metadata();
    metadata.set('error-code', this.errorCode);
    metadata.set('rpc-id', rpcId);
    return Object.assign(new Error(this.message), {
      code: this.code,
      details: `${this.message} rpcId: ${rpcId}`,
      metadata,
    }) as grpc.ServiceError;
  }
}

interface Caller {
  token: string;
  userId: string;
  access: UserAccess;
}

interface OpenStream {
  caller: Caller;
  fail(failure: RpcFailure): void;
  stats(): SubscribeStreamStats;
}

export async function startPubSub(deps: PubSubDeps, host = '127.0.0.1'): Promise<PubSubServer> {
  const logger = deps.logger.child({ component: 'pubsub' });
  const keepAliveMs = deps.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  const streams = new Set<OpenStream>();
  const codecs = new Map<string, EventCodec>();

  function codecFor(schemaId: string): EventCodec | undefined {
    let codec = codecs.get(schemaId);
    if (!codec) {
      const document = deps.bus.eventSchema(schemaId);
      if (!document || document.uuid !== schemaId) return undefined;
      codec = eventCodec(schemaId, document);
      codecs.set(schemaId, codec);
    }
    return codec;
  }

  /** The caller from the call's metadata; a wrong org or a dead token is UNAUTHENTICATED. */
  function authenticate(metadata: grpc.Metadata): Caller {
    const value = (key: string): string => String(metadata.get(key)[0] ?? '');
    const token = value('accesstoken');
    const tenant = value('tenantid');
    const resolved = token ? deps.tokens.resolve(token) : undefined;
    const orgId = deps.org.orgId;
    const tenantMatches = tenant === orgId || tenant === orgId.slice(0, 15);
    if (!resolved || !tenantMatches || !value('instanceurl')) {
      throw new RpcFailure(
        grpc.status.UNAUTHENTICATED,
        PubSubErrorCode.auth,
        'An error occurred while trying to authenticate. Check your credentials and try again.',
      );
    }
    deps.tokens.touch(token);
    return { token, userId: resolved.userId, access: resolved.access };
  }

  /** `/event/Name__e` → its event object (case-sensitive, as on Salesforce). */
  function topic(name: string | undefined): ObjectDef {
    const object = name ? deps.bus.eventObjectForChannel(name) : undefined;
    if (!object)
      throw new RpcFailure(grpc.status.NOT_FOUND, PubSubErrorCode.topicNotFound, `Topic not found: ${name ?? ''}`);
    return object;
  }

  function unary<Req, Res>(
    name: string,
    body: (request: Req, caller: Caller) => Omit<Res, 'rpc_id'>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const rpcId = randomUUID();
      try {
        const response = body(call.request, authenticate(call.metadata));
        callback(null, { ...response, rpc_id: rpcId } as Res);
      } catch (err) {
        if (err instanceof RpcFailure) return callback(err.toServiceError(rpcId));
        logger.error({ err, rpc: name }, 'Pub/Sub RPC failed');
        callback(
          new RpcFailure(
            grpc.status.INTERNAL,
            'sfdc.platform.eventbus.grpc.service.internal',
            'Internal error',
          ).toServiceError(rpcId),
        );
      }
    };
  }

  const getTopic = unary<{ topic_name?: string }, TopicInfoMessage>('GetTopic', (request, caller) => {
    const object = topic(request.topic_name);
    return {
      topic_name: request.topic_name ?? '',
      tenant_guid: deps.org.orgId,
      can_publish: caller.access.canObject(object.name, 'create'),
      can_subscribe: caller.access.canObject(object.name, 'read'),
      schema_id: deps.bus.schemaId(object.name) ?? '',
    };
  });

  const getSchema = unary<{ schema_id?: string }, SchemaInfoMessage>('GetSchema', (request) => {
    const schemaId = request.schema_id ?? '';
    const document = schemaId ? deps.bus.eventSchema(schemaId) : undefined;
    if (!document || document.uuid !== schemaId)
      throw new RpcFailure(grpc.status.NOT_FOUND, PubSubErrorCode.schemaNotFound, `Schema not found: ${schemaId}`);
    return { schema_json: JSON.stringify(document), schema_id: schemaId };
  });

  const publish = unary<{ topic_name?: string; events?: ProducerEventMessage[] }, PublishResponseMessage>(
    'Publish',
    (request, caller) => {
      const object = topic(request.topic_name);
      if (!caller.access.canObject(object.name, 'create')) {
        throw new RpcFailure(
          grpc.status.PERMISSION_DENIED,
          PubSubErrorCode.topicPermission,
          `You don't have permission to publish to ${request.topic_name ?? ''}`,
        );
      }
      const events = request.events ?? [];
      if (events.length === 0 || events.length > MAX_PUBLISH_BATCH) {
        throw new RpcFailure(
          grpc.status.INVALID_ARGUMENT,
          'sfdc.platform.eventbus.grpc.publish.events.invalid',
          `A publish request carries 1 to ${MAX_PUBLISH_BATCH} events; this one has ${events.length}`,
        );
      }
      const schemaId = deps.bus.schemaId(object.name) ?? '';
      const results = events.map((event) => {
        try {
          if (event.schema_id !== schemaId)
            throw new ApiError(
              400,
              'INVALID_SCHEMA',
              `Schema ID ${event.schema_id} is not the current schema of ${object.name}`,
            );
          const codec = codecFor(schemaId);
          if (!codec) throw new ApiError(400, 'INVALID_SCHEMA', `Unknown schema ID ${schemaId}`);
          const payload = codec.decode(Buffer.from(event.payload));
          delete payload.CreatedDate; // stamped by the bus; CreatedById must be the caller (the bus refuses a spoof)
          if (payload.CreatedById === '' || payload.CreatedById === null) delete payload.CreatedById;
          const published = deps.bus.publish(object.name, payload, { userId: caller.userId });
          return { replay_id: encodeReplayId(published.replayId), error: null, correlation_key: event.id };
        } catch (err) {
          const msg = err instanceof ApiError ? `${err.errorCode}: ${err.message}` : 'The event could not be published';
          return { replay_id: Buffer.alloc(0), error: { code: 'PUBLISH', msg }, correlation_key: event.id };
        }
      });
      return { results, schema_id: schemaId };
    },
  );

  function subscribe(call: grpc.ServerDuplexStream<FetchRequestMessage, FetchResponseMessage>): void {
    const rpcId = randomUUID();
    const buffered: DeliveredEvent[] = [];
    let pending = 0;
    let unsubscribe: (() => void) | undefined;
    let latest = 0;
    let codec: EventCodec | undefined;
    let ended = false;
    let stream: OpenStream | undefined;
    let topicName = '';
    let requestedTotal = 0;
    let delivered = 0;
    let keepAlives = 0;

    const end = (failure?: RpcFailure): void => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe?.();
      if (stream) streams.delete(stream);
      if (failure) call.emit('error', failure.toServiceError(rpcId));
      else call.end();
    };
    const write = (events: DeliveredEvent[]): void => {
      const response: FetchResponseMessage = {
        events: events.map((message) => ({
          event: {
            id: message.data.event.EventUuid,
            schema_id: message.data.schema,
            payload: (codec as EventCodec).encode(message.data.payload),
            headers: [],
          },
          replay_id: encodeReplayId(message.data.event.replayId),
        })),
        latest_replay_id: encodeReplayId(latest),
        rpc_id: rpcId,
        pending_num_requested: pending,
      };
      call.write(response);
    };
    const flush = (): void => {
      if (ended || pending === 0 || buffered.length === 0) return;
      const batch = buffered.splice(0, pending);
      pending -= batch.length;
      delivered += batch.length;
      try {
        write(batch);
      } catch (err) {
        // An event this stream cannot encode must not vanish: end the stream, and the client resubscribes from the
        // last replay ID it received (the event comes again, and so does the error, which is logged here).
        logger.error({ err }, 'could not encode an event for a Subscribe stream');
        end(new RpcFailure(grpc.status.INTERNAL, 'sfdc.platform.eventbus.grpc.service.internal', 'Internal error'));
      }
    };
    const keepAlive = setInterval(() => {
      if (!ended && unsubscribe && (buffered.length === 0 || pending === 0)) {
        keepAlives++;
        write([]);
      }
    }, keepAliveMs);
    keepAlive.unref();

    const first = (request: FetchRequestMessage, caller: Caller): void => {
      const object = topic(request.topic_name);
      if (!caller.access.canObject(object.name, 'read')) {
        throw new RpcFailure(
          grpc.status.PERMISSION_DENIED,
          PubSubErrorCode.topicPermission,
          `You don't have permission to subscribe to ${request.topic_name ?? ''}`,
        );
      }
      const schemaId = deps.bus.schemaId(object.name) ?? '';
      codec = codecFor(schemaId);
      const preset = request.replay_preset ?? 'LATEST';
      let from: number;
      if (preset === 'CUSTOM' || preset === 2) {
        const decoded = decodeReplayId(request.replay_id);
        if (decoded === undefined)
          throw new RpcFailure(
            grpc.status.INVALID_ARGUMENT,
            PubSubErrorCode.replayCorrupted,
            'The Replay ID validation failed.',
          );
        from = decoded;
      } else from = preset === 'EARLIEST' || preset === 1 ? REPLAY_ALL : REPLAY_NEW;
      try {
        const subscription = deps.bus.subscribe(`/event/${object.name}`, from, (message) => {
          latest = Math.max(latest, message.data.event.replayId);
          buffered.push(message);
          flush();
        });
        latest = Math.max(latest, subscription.lastReplayId);
        unsubscribe = () => subscription.unsubscribe();
      } catch (err) {
        if (err instanceof BayeuxError && err.message === StreamingErrors.dailyDeliveryLimit) {
          throw new RpcFailure(
            grpc.status.RESOURCE_EXHAUSTED,
            PubSubErrorCode.deliveryLimit,
            'You have exceeded the event delivery limit for your org.',
          );
        }
        if (err instanceof BayeuxError)
          throw new RpcFailure(
            grpc.status.INVALID_ARGUMENT,
            PubSubErrorCode.replayCorrupted,
            'The Replay ID validation failed.',
          );
        throw err;
      }
    };

    call.on('data', (request: FetchRequestMessage) => {
      if (ended) return;
      try {
        const caller = stream?.caller ?? authenticate(call.metadata);
        if (!stream) {
          topicName = request.topic_name ?? '';
          stream = {
            caller,
            fail: end,
            stats: () => ({
              userId: caller.userId,
              topic: topicName,
              requested: requestedTotal,
              delivered,
              pending,
              waiting: buffered.length,
              keepAlives,
            }),
          };
          streams.add(stream);
          first(request, caller);
        }
        const requested = request.num_requested ?? 0;
        if (!Number.isInteger(requested) || requested <= 0) {
          throw new RpcFailure(
            grpc.status.INVALID_ARGUMENT,
            PubSubErrorCode.requestedEventsInvalid,
            'The number of requested events must be greater than 0.',
          );
        }
        requestedTotal += requested;
        pending = Math.min(MAX_NUM_REQUESTED, pending + requested);
        flush();
      } catch (err) {
        if (err instanceof RpcFailure) return end(err);
        logger.error({ err }, 'Pub/Sub Subscribe failed');
        end(new RpcFailure(grpc.status.INTERNAL, 'sfdc.platform.eventbus.grpc.service.internal', 'Internal error'));
      }
    });
    call.on('end', () => end());
    call.on('cancelled', () => end());
    call.on('error', () => end());
  }

  // A revoked token ends its streams at once, as the org ends a revoked session's CometD client.
  deps.tokens.onRevoke(() => {
    for (const stream of [...streams]) {
      if (!deps.tokens.resolve(stream.caller.token)) {
        stream.fail(
          new RpcFailure(
            grpc.status.UNAUTHENTICATED,
            PubSubErrorCode.auth,
            'An error occurred while trying to authenticate. Check your credentials and try again.',
          ),
        );
      }
    }
  });

  const server = new grpc.Server();
  server.addService(pubSubService().service, {
    Subscribe: subscribe,
    GetTopic: getTopic,
    GetSchema: getSchema,
    Publish: publish,
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  const url = `http://${host}:${port}`;
  logger.info({ url }, 'Pub/Sub API listening');
  return {
    url,
    streams: () => [...streams].map((stream) => stream.stats()),
    dropStreams() {
      const open = [...streams];
      for (const stream of open)
        stream.fail(
          new RpcFailure(
            grpc.status.UNAVAILABLE,
            'sfdc.platform.eventbus.grpc.service.unavailable',
            'The service is restarting',
          ),
        );
      return open.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of [...streams])
          stream.fail(
            new RpcFailure(
              grpc.status.UNAVAILABLE,
              'sfdc.platform.eventbus.grpc.service.unavailable',
              'The service is shutting down',
            ),
          );
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1_000).unref();
      }),
  };
}
