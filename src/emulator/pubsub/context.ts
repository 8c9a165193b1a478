/**
 * What every Pub/Sub RPC resolves first: the caller from the call's metadata, the topic's event object, and the Avro
 * codec of a schema ID (built once per schema).
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../logger.ts';
import type { ObjectDef } from '../org/model.ts';
import { eventCodec, type EventCodec } from '../../schemas/pubsub/avro.ts';
import { PubSubErrorCode } from '../../schemas/pubsub/index.ts';
import { RpcFailure, authFailure } from './rpc-failure.ts';
import type { Caller, PubSubDeps } from './types.ts';

export interface PubSubContext {
  deps: PubSubDeps;
  logger: Logger;
  /** The caller from the call's metadata; a wrong org or a dead token is UNAUTHENTICATED. */
  authenticate(metadata: grpc.Metadata): Caller;
  /** `/event/Name__e` → its event object (case-sensitive, as on Salesforce); NOT_FOUND otherwise. */
  topic(name: string | undefined): ObjectDef;
  codecFor(schemaId: string): EventCodec | undefined;
}

export function createPubSubContext(deps: PubSubDeps): PubSubContext {
  const codecs = new Map<string, EventCodec>();
  return {
    deps,
    logger: deps.logger.child({ component: 'pubsub' }),
    authenticate: (metadata) => authenticate(deps, metadata),
    topic: (name) => topic(deps, name),
    codecFor(schemaId) {
      let codec = codecs.get(schemaId);
      if (!codec) {
        const document = deps.bus.eventSchema(schemaId);
        if (!document || document.uuid !== schemaId) return undefined;
        codec = eventCodec(schemaId, document);
        codecs.set(schemaId, codec);
      }
      return codec;
    },
  };
}

function authenticate(deps: PubSubDeps, metadata: grpc.Metadata): Caller {
  const value = (key: string): string => String(metadata.get(key)[0] ?? '');
  const token = value('accesstoken');
  const tenant = value('tenantid');
  const resolved = token ? deps.tokens.resolve(token) : undefined;
  const orgId = deps.org.orgId;
  const tenantMatches = tenant === orgId || tenant === orgId.slice(0, 15);
  if (!resolved || !tenantMatches || !value('instanceurl')) throw authFailure();
  deps.tokens.touch(token);
  return { token, userId: resolved.userId, access: resolved.access };
}

function topic(deps: PubSubDeps, name: string | undefined): ObjectDef {
  const object = name ? deps.bus.eventObjectForChannel(name) : undefined;
  if (!object)
    throw new RpcFailure(grpc.status.NOT_FOUND, PubSubErrorCode.topicNotFound, `Topic not found: ${name ?? ''}`);
  return object;
}
