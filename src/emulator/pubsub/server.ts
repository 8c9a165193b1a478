/**
 * Salesforce's Pub/Sub API (gRPC service `eventbus.v1.PubSub`) on the emulator's event bus: the same events, replay
 * IDs, retention, delivery allocation and permissions as its CometD endpoint. Behaviour follows the Pub/Sub API
 * Developer Guide: authentication by the `accesstoken`, `instanceurl` and `tenantid` metadata; pull flow control
 * (`num_requested`, at most 100 outstanding, more is clamped); replay presets honoured on the first FetchRequest
 * only; an empty FetchResponse with the latest replay ID as keepalive; errors as gRPC statuses with Salesforce's
 * code in the `error-code` trailer. Served plaintext on loopback (a real org serves TLS on port 7443).
 */
import * as grpc from '@grpc/grpc-js';
import { pubSubService } from '../../schemas/pubsub/index.ts';
import { createPubSubContext, type PubSubContext } from './context.ts';
import { authFailure, unavailableFailure } from './rpc-failure.ts';
import { subscribeHandler, type OpenStream } from './subscribe-stream.ts';
import type { PubSubDeps, SubscribeStreamStats } from './types.ts';
import { unaryRpcs } from './unary-rpcs.ts';

export type { PubSubDeps, SubscribeStreamStats } from './types.ts';

/** Salesforce sends an empty FetchResponse within 270 s when there is nothing to deliver. */
export const DEFAULT_KEEPALIVE_MS = 270_000;

export interface PubSubServer {
  /** `http://127.0.0.1:<port>`: what a client passes as its Pub/Sub endpoint. */
  url: string;
  streams(): SubscribeStreamStats[];
  /** Ends every open Subscribe stream with UNAVAILABLE, as a server restart would. */
  dropStreams(): number;
  close(): Promise<void>;
}

export async function startPubSub(deps: PubSubDeps, host = '127.0.0.1'): Promise<PubSubServer> {
  const ctx = createPubSubContext(deps);
  const keepAliveMs = deps.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  const streams = new Set<OpenStream>();
  endStreamsOnRevoke(ctx, streams);

  const server = new grpc.Server();
  server.addService(pubSubService().service, {
    Subscribe: subscribeHandler(ctx, streams, keepAliveMs),
    ...unaryRpcs(ctx),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  const url = `http://${host}:${port}`;
  ctx.logger.info({ url }, 'Pub/Sub API listening');
  return {
    url,
    streams: () => [...streams].map((stream) => stream.stats()),
    dropStreams() {
      const open = [...streams];
      for (const stream of open) stream.fail(unavailableFailure('The service is restarting'));
      return open.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of [...streams]) stream.fail(unavailableFailure('The service is shutting down'));
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1_000).unref();
      }),
  };
}

/** A revoked token ends its streams at once, as the org ends a revoked session's CometD client. */
function endStreamsOnRevoke(ctx: PubSubContext, streams: Set<OpenStream>): void {
  ctx.deps.tokens.onRevoke(() => {
    for (const stream of [...streams]) {
      if (!ctx.deps.tokens.resolve(stream.caller.token)) stream.fail(authFailure());
    }
  });
}
