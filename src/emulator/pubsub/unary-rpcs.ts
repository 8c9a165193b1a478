/** The Pub/Sub API's request-response RPCs: GetTopic, GetSchema and Publish. */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { ObjectDef } from '../org/model.ts';
import { ApiError } from '../org/model.ts';
import {
  MAX_PUBLISH_BATCH,
  PubSubErrorCode,
  encodeReplayId,
  type ProducerEventMessage,
  type PublishResponseMessage,
  type PublishResultMessage,
  type SchemaInfoMessage,
  type TopicInfoMessage,
} from '../../schemas/pubsub/index.ts';
import type { PubSubContext } from './context.ts';
import { RpcFailure, internalFailure } from './rpc-failure.ts';
import type { Caller } from './types.ts';

type PublishRequest = { topic_name?: string; events?: ProducerEventMessage[] };

export function unaryRpcs(ctx: PubSubContext) {
  return {
    GetTopic: unary<{ topic_name?: string }, TopicInfoMessage>(ctx, 'GetTopic', (request, caller) =>
      getTopic(ctx, request, caller),
    ),
    GetSchema: unary<{ schema_id?: string }, SchemaInfoMessage>(ctx, 'GetSchema', (request) => getSchema(ctx, request)),
    Publish: unary<PublishRequest, PublishResponseMessage>(ctx, 'Publish', (request, caller) =>
      publish(ctx, request, caller),
    ),
  };
}

/** One authenticated RPC: its answer carries a fresh rpc_id; a failure becomes a gRPC status with that id. */
function unary<Req, Res>(
  ctx: PubSubContext,
  name: string,
  body: (request: Req, caller: Caller) => Omit<Res, 'rpc_id'>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const rpcId = randomUUID();
    try {
      const response = body(call.request, ctx.authenticate(call.metadata));
      callback(null, { ...response, rpc_id: rpcId } as Res);
    } catch (err) {
      if (err instanceof RpcFailure) return callback(err.toServiceError(rpcId));
      ctx.logger.error({ err, rpc: name }, 'Pub/Sub RPC failed');
      callback(internalFailure().toServiceError(rpcId));
    }
  };
}

function getTopic(
  ctx: PubSubContext,
  request: { topic_name?: string },
  caller: Caller,
): Omit<TopicInfoMessage, 'rpc_id'> {
  const object = ctx.topic(request.topic_name);
  return {
    topic_name: request.topic_name ?? '',
    tenant_guid: ctx.deps.org.orgId,
    can_publish: caller.access.canObject(object.name, 'create'),
    can_subscribe: caller.access.canObject(object.name, 'read'),
    schema_id: ctx.deps.bus.schemaId(object.name) ?? '',
  };
}

function getSchema(ctx: PubSubContext, request: { schema_id?: string }): Omit<SchemaInfoMessage, 'rpc_id'> {
  const schemaId = request.schema_id ?? '';
  const document = schemaId ? ctx.deps.bus.eventSchema(schemaId) : undefined;
  if (!document || document.uuid !== schemaId)
    throw new RpcFailure(grpc.status.NOT_FOUND, PubSubErrorCode.schemaNotFound, `Schema not found: ${schemaId}`);
  return { schema_json: JSON.stringify(document), schema_id: schemaId };
}

function publish(ctx: PubSubContext, request: PublishRequest, caller: Caller): Omit<PublishResponseMessage, 'rpc_id'> {
  const object = ctx.topic(request.topic_name);
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
  const schemaId = ctx.deps.bus.schemaId(object.name) ?? '';
  const results = events.map((event) => publishOne(ctx, object, schemaId, event, caller));
  return { results, schema_id: schemaId };
}

/** One event of a batch: published, or an error in its own result (the others still go). */
function publishOne(
  ctx: PubSubContext,
  object: ObjectDef,
  schemaId: string,
  event: ProducerEventMessage,
  caller: Caller,
): PublishResultMessage {
  try {
    if (event.schema_id !== schemaId)
      throw new ApiError(
        400,
        'INVALID_SCHEMA',
        `Schema ID ${event.schema_id} is not the current schema of ${object.name}`,
      );
    const codec = ctx.codecFor(schemaId);
    if (!codec) throw new ApiError(400, 'INVALID_SCHEMA', `Unknown schema ID ${schemaId}`);
    const payload = codec.decode(Buffer.from(event.payload));
    delete payload.CreatedDate; // stamped by the bus; CreatedById must be the caller (the bus refuses a spoof)
    if (payload.CreatedById === '' || payload.CreatedById === null) delete payload.CreatedById;
    const published = ctx.deps.bus.publish(object.name, payload, { userId: caller.userId });
    return { replay_id: encodeReplayId(published.replayId), error: null, correlation_key: event.id };
  } catch (err) {
    const msg = err instanceof ApiError ? `${err.errorCode}: ${err.message}` : 'The event could not be published';
    return { replay_id: Buffer.alloc(0), error: { code: 'PUBLISH', msg }, correlation_key: event.id };
  }
}
