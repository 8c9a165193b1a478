/**
 * One Subscribe RPC: a bidirectional stream with pull flow control. The first FetchRequest names the topic and the
 * replay preset; every FetchRequest adds `num_requested` (at most 100 outstanding, more is clamped); events the
 * subscriber has not asked for wait in a buffer; an empty FetchResponse with the latest replay ID is the keepalive.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { ObjectDef } from '../org/model.ts';
import { BayeuxError, StreamingErrors } from '../streaming/errors.ts';
import { REPLAY_ALL, REPLAY_NEW, type DeliveredEvent } from '../streaming/event-bus.ts';
import type { EventCodec } from '../../schemas/pubsub/avro.ts';
import {
  MAX_NUM_REQUESTED,
  PubSubErrorCode,
  decodeReplayId,
  encodeReplayId,
  type FetchRequestMessage,
  type FetchResponseMessage,
} from '../../schemas/pubsub/index.ts';
import type { PubSubContext } from './context.ts';
import { RpcFailure, internalFailure, replayIdFailure } from './rpc-failure.ts';
import type { Caller, SubscribeStreamStats } from './types.ts';

/** An open stream as the server's registry holds it: revoking its token or a restart ends it. */
export interface OpenStream {
  caller: Caller;
  fail(failure: RpcFailure): void;
  stats(): SubscribeStreamStats;
}

type SubscribeCall = grpc.ServerDuplexStream<FetchRequestMessage, FetchResponseMessage>;

/** The Subscribe RPC's handler: each call is served by its own stream, registered in `streams` while open. */
export function subscribeHandler(
  ctx: PubSubContext,
  streams: Set<OpenStream>,
  keepAliveMs: number,
): grpc.handleBidiStreamingCall<FetchRequestMessage, FetchResponseMessage> {
  return (call) => {
    new SubscribeStream(call, ctx, streams, keepAliveMs);
  };
}

class SubscribeStream {
  private readonly rpcId = randomUUID();
  private readonly buffered: DeliveredEvent[] = [];
  private readonly keepAlive: ReturnType<typeof setInterval>;
  private readonly call: SubscribeCall;
  private readonly ctx: PubSubContext;
  private readonly streams: Set<OpenStream>;
  private pending = 0;
  private unsubscribe: (() => void) | undefined;
  private latest = 0;
  private codec: EventCodec | undefined;
  private ended = false;
  private registration: OpenStream | undefined;
  private topicName = '';
  private requestedTotal = 0;
  private delivered = 0;
  private keepAlives = 0;

  /** Serves `call` until it ends; while open, the stream is in `streams`. */
  constructor(call: SubscribeCall, ctx: PubSubContext, streams: Set<OpenStream>, keepAliveMs: number) {
    this.call = call;
    this.ctx = ctx;
    this.streams = streams;
    this.keepAlive = setInterval(() => this.sendKeepAlive(), keepAliveMs);
    this.keepAlive.unref();
    call.on('data', (request: FetchRequestMessage) => this.onFetch(request));
    call.on('end', () => this.end());
    call.on('cancelled', () => this.end());
    call.on('error', () => this.end());
  }

  private onFetch(request: FetchRequestMessage): void {
    if (this.ended) return;
    try {
      if (!this.registration) this.open(request, this.ctx.authenticate(this.call.metadata));
      this.request(request.num_requested ?? 0);
    } catch (err) {
      if (err instanceof RpcFailure) return this.end(err);
      this.ctx.logger.error({ err }, 'Pub/Sub Subscribe failed');
      this.end(internalFailure());
    }
  }

  /** The first FetchRequest: register the stream, check the caller may read the topic, subscribe to the bus. */
  private open(request: FetchRequestMessage, caller: Caller): void {
    this.register(request, caller);
    const object = this.ctx.topic(request.topic_name);
    if (!caller.access.canObject(object.name, 'read')) {
      throw new RpcFailure(
        grpc.status.PERMISSION_DENIED,
        PubSubErrorCode.topicPermission,
        `You don't have permission to subscribe to ${request.topic_name ?? ''}`,
      );
    }
    this.codec = this.ctx.codecFor(this.ctx.deps.bus.schemaId(object.name) ?? '');
    this.subscribeToBus(object, replayFrom(request));
  }

  private register(request: FetchRequestMessage, caller: Caller): void {
    this.topicName = request.topic_name ?? '';
    this.registration = {
      caller,
      fail: (failure) => this.end(failure),
      stats: () => ({
        userId: caller.userId,
        topic: this.topicName,
        requested: this.requestedTotal,
        delivered: this.delivered,
        pending: this.pending,
        waiting: this.buffered.length,
        keepAlives: this.keepAlives,
      }),
    };
    this.streams.add(this.registration);
  }

  private subscribeToBus(object: ObjectDef, from: number): void {
    try {
      const subscription = this.ctx.deps.bus.subscribe(`/event/${object.name}`, from, (message) => {
        this.latest = Math.max(this.latest, message.data.event.replayId);
        this.buffered.push(message);
        this.flush();
      });
      this.latest = Math.max(this.latest, subscription.lastReplayId);
      this.unsubscribe = () => subscription.unsubscribe();
    } catch (err) {
      throw busFailure(err);
    }
  }

  /** A FetchRequest's `num_requested`: a positive integer, added to what is outstanding (clamped to 100). */
  private request(requested: number): void {
    if (!Number.isInteger(requested) || requested <= 0) {
      throw new RpcFailure(
        grpc.status.INVALID_ARGUMENT,
        PubSubErrorCode.requestedEventsInvalid,
        'The number of requested events must be greater than 0.',
      );
    }
    this.requestedTotal += requested;
    this.pending = Math.min(MAX_NUM_REQUESTED, this.pending + requested);
    this.flush();
  }

  /** Sends as many buffered events as the subscriber has asked for. */
  private flush(): void {
    if (this.ended || this.pending === 0 || this.buffered.length === 0) return;
    const batch = this.buffered.splice(0, this.pending);
    this.pending -= batch.length;
    this.delivered += batch.length;
    try {
      this.write(batch);
    } catch (err) {
      // An event this stream cannot encode must not vanish: end the stream, and the client resubscribes from the
      // last replay ID it received (the event comes again, and so does the error, which is logged here).
      this.ctx.logger.error({ err }, 'could not encode an event for a Subscribe stream');
      this.end(internalFailure());
    }
  }

  private sendKeepAlive(): void {
    if (!this.ended && this.unsubscribe && (this.buffered.length === 0 || this.pending === 0)) {
      this.keepAlives++;
      this.write([]);
    }
  }

  private write(events: DeliveredEvent[]): void {
    const response: FetchResponseMessage = {
      events: events.map((message) => ({
        event: {
          id: message.data.event.EventUuid,
          schema_id: message.data.schema,
          payload: (this.codec as EventCodec).encode(message.data.payload),
          headers: [],
        },
        replay_id: encodeReplayId(message.data.event.replayId),
      })),
      latest_replay_id: encodeReplayId(this.latest),
      rpc_id: this.rpcId,
      pending_num_requested: this.pending,
    };
    this.call.write(response);
  }

  private end(failure?: RpcFailure): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    this.unsubscribe?.();
    if (this.registration) this.streams.delete(this.registration);
    if (failure) this.call.emit('error', failure.toServiceError(this.rpcId));
    else this.call.end();
  }
}

/** Where the bus starts: the replay preset, honoured on the first FetchRequest only. */
function replayFrom(request: FetchRequestMessage): number {
  const preset = request.replay_preset ?? 'LATEST';
  if (preset === 'CUSTOM' || preset === 2) {
    const decoded = decodeReplayId(request.replay_id);
    if (decoded === undefined) throw replayIdFailure();
    return decoded;
  }
  return preset === 'EARLIEST' || preset === 1 ? REPLAY_ALL : REPLAY_NEW;
}

/** The bus refusing a subscription, as the Pub/Sub API reports it. */
function busFailure(err: unknown): unknown {
  if (err instanceof BayeuxError && err.message === StreamingErrors.dailyDeliveryLimit) {
    return new RpcFailure(
      grpc.status.RESOURCE_EXHAUSTED,
      PubSubErrorCode.deliveryLimit,
      'You have exceeded the event delivery limit for your org.',
    );
  }
  if (err instanceof BayeuxError) return replayIdFailure();
  return err;
}
