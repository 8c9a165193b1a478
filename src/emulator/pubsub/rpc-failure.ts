/** A Pub/Sub RPC's failure as Salesforce reports it: a gRPC status, with its own code in the `error-code` trailer. */
import * as grpc from '@grpc/grpc-js';
import { PubSubErrorCode } from '../../schemas/pubsub/index.ts';

export class RpcFailure extends Error {
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

/** A wrong org, a missing instance URL, or a dead or revoked token. */
export function authFailure(): RpcFailure {
  return new RpcFailure(
    grpc.status.UNAUTHENTICATED,
    PubSubErrorCode.auth,
    'An error occurred while trying to authenticate. Check your credentials and try again.',
  );
}

/** Anything the emulator did not expect (the cause is logged, never sent). */
export function internalFailure(): RpcFailure {
  return new RpcFailure(grpc.status.INTERNAL, 'sfdc.platform.eventbus.grpc.service.internal', 'Internal error');
}

/** The server going away under an open stream (a restart, a shutdown). */
export function unavailableFailure(message: string): RpcFailure {
  return new RpcFailure(grpc.status.UNAVAILABLE, 'sfdc.platform.eventbus.grpc.service.unavailable', message);
}

export function replayIdFailure(): RpcFailure {
  return new RpcFailure(
    grpc.status.INVALID_ARGUMENT,
    PubSubErrorCode.replayCorrupted,
    'The Replay ID validation failed.',
  );
}
