import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { PUBSUB_PROTO } from './eventbus-v1.ts';

export { PUBSUB_PROTO };

/** Salesforce's public Pub/Sub API endpoint (Pub/Sub API Developer Guide, "Pub/Sub API Endpoint"). */
export const SALESFORCE_PUBSUB_URL = 'https://api.pubsub.salesforce.com:7443';

/** Most events a subscriber may have requested and not yet received on one Subscribe stream (more is clamped). */
export const MAX_NUM_REQUESTED = 100;
/** Most events in one PublishRequest (Pub/Sub API Developer Guide, "Pub/Sub API Allocations"). */
export const MAX_PUBLISH_BATCH = 200;

/** Error codes Salesforce puts in the `error-code` trailer of a failed RPC (Pub/Sub API Developer Guide, "Handle Errors"). */
export const PubSubErrorCode = {
  auth: 'sfdc.platform.eventbus.grpc.service.auth.error',
  replayCorrupted: 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
  deliveryLimit: 'sfdc.platform.eventbus.grpc.subscription.limit.exceeded',
  requestedEventsInvalid: 'sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid',
  topicNotFound: 'sfdc.platform.eventbus.grpc.topic.notfound',
  topicPermission: 'sfdc.platform.eventbus.grpc.topic.permission.denied',
  schemaNotFound: 'sfdc.platform.eventbus.grpc.schema.notfound',
} as const;

export type ReplayPresetName = 'LATEST' | 'EARLIEST' | 'CUSTOM';

/** Message shapes as @grpc/proto-loader hands them over (keepCase, bytes as Buffer, enums as names, longs as strings). */
export interface FetchRequestMessage {
  topic_name?: string;
  replay_preset?: ReplayPresetName | number;
  replay_id?: Buffer;
  num_requested?: number;
  auth_refresh?: string;
}
export interface ProducerEventMessage {
  id: string;
  schema_id: string;
  payload: Buffer;
  headers?: Array<{ key: string; value: Buffer }>;
}
export interface ConsumerEventMessage {
  event: ProducerEventMessage;
  replay_id: Buffer;
}
export interface FetchResponseMessage {
  events: ConsumerEventMessage[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}
export interface TopicInfoMessage {
  topic_name: string;
  tenant_guid: string;
  can_publish: boolean;
  can_subscribe: boolean;
  schema_id: string;
  rpc_id: string;
}
export interface SchemaInfoMessage {
  schema_json: string;
  schema_id: string;
  rpc_id: string;
}
export interface PublishResultMessage {
  replay_id: Buffer;
  error?: { code: string | number; msg: string } | null;
  correlation_key: string;
}
export interface PublishResponseMessage {
  results: PublishResultMessage[];
  schema_id: string;
  rpc_id: string;
}

let cached: grpc.ServiceClientConstructor | undefined;

/** The `eventbus.v1.PubSub` service, for both the emulator's server and the worker's client. */
export function pubSubService(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const root = protobuf.parse(PUBSUB_PROTO, { keepCase: true }).root;
  const definition = fromJSON(root.toJSON(), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } };
  };
  cached = loaded.eventbus.v1.PubSub;
  return cached;
}

/**
 * Replay IDs are opaque bytes on the wire. Salesforce's are 8-byte big-endian integers (the same position CometD
 * reports as a number; the Node client salesforce-pubsub-api-client decodes them with readBigUInt64BE), which lets
 * one checkpoint store serve both event APIs.
 */
export function encodeReplayId(replayId: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(replayId));
  return bytes;
}

/** The replay position in `bytes`, or undefined when they are not an 8-byte position this code can store. */
export function decodeReplayId(bytes: Buffer | Uint8Array | undefined): number | undefined {
  if (!bytes || bytes.length !== 8) return undefined;
  const value = Buffer.from(bytes).readBigUInt64BE();
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
