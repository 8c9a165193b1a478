/**
 * The Pub/Sub subscriber against a small gRPC server built from the same service definition: a payload that does not
 * decode with its schema reaches intake without a payload (so it is dead-lettered) and the subscription goes on,
 * instead of resubscribing from the same event forever.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestionMetrics } from '../../../src/ingestion/metrics.ts';
import { PubSubSubscriber } from '../../../src/ingestion/pubsub-subscriber.ts';
import { silentLogger } from '../../../src/logger.ts';
import { eventCodec } from '../../../src/schemas/pubsub/avro.ts';
import { encodeReplayId, pubSubService, type FetchResponseMessage } from '../../../src/schemas/pubsub/index.ts';

const CHANNEL = '/event/Test__e';
const SCHEMA = {
  type: 'record',
  name: 'Test__e',
  fields: [
    { name: 'CreatedDate', type: 'long' },
    { name: 'CreatedById', type: 'string' },
    { name: 'Note__c', type: ['null', 'string'], default: null },
  ],
};
const servers: grpc.Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.forceShutdown();
});

/** Serves one topic and, on the first FetchRequest, two events: a corrupt one, then a good one. */
async function serveTwoEvents(): Promise<{ url: string; subscribes: () => number }> {
  const codec = eventCodec('s1', SCHEMA);
  let subscribes = 0;
  const server = new grpc.Server();
  server.addService(pubSubService().service, {
    GetTopic: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, {
        topic_name: CHANNEL,
        tenant_guid: '00D',
        can_publish: false,
        can_subscribe: true,
        schema_id: 's1',
        rpc_id: 'r',
      }),
    GetSchema: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, { schema_json: JSON.stringify(SCHEMA), schema_id: 's1', rpc_id: 'r' }),
    Subscribe: (call: grpc.ServerDuplexStream<unknown, FetchResponseMessage>) => {
      subscribes++;
      call.once('data', () => {
        const good = codec.encode({
          CreatedDate: '2026-12-07T00:00:00.000Z',
          CreatedById: '005000000000001AAA',
          Note__c: 'ok',
        });
        call.write({
          events: [
            {
              event: { id: 'bad', schema_id: 's1', payload: Buffer.from([0xff, 0xff, 0xff]), headers: [] },
              replay_id: encodeReplayId(10),
            },
            { event: { id: 'good', schema_id: 's1', payload: good, headers: [] }, replay_id: encodeReplayId(11) },
          ],
          latest_replay_id: encodeReplayId(11),
          rpc_id: 'r',
          pending_num_requested: 0,
        });
      });
    },
    Publish: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, subscribes: () => subscribes };
}

describe('PubSubSubscriber', () => {
  it('hands an undecodable event to intake without a payload and keeps going, without resubscribing', async () => {
    const { url, subscribes } = await serveTwoEvents();
    const delivered: Array<{ payload?: unknown; event: { replayId: number; EventUuid: string } }> = [];
    const metrics = new IngestionMetrics();
    const positions = new Map<string, number>([[CHANNEL, -1]]);
    const subscriber = new PubSubSubscriber({
      channels: [CHANNEL],
      endpoint: url,
      session: async () => ({ instanceUrl: 'http://127.0.0.1', accessToken: '00D!token', orgId: '00D000000000001' }),
      positions,
      onEvent: (_channel, data) => delivered.push(data as (typeof delivered)[number]),
      capacity: () => 10,
      logger: silentLogger(),
      metrics,
      restartBaseMs: 10,
    });
    await subscriber.start();
    await waitFor(() => delivered.length === 2 || subscribes() > 1);
    await subscriber.stop();
    expect(delivered.map((d) => d.event.EventUuid)).toEqual(['bad', 'good']);
    expect(delivered[0]?.payload).toBeUndefined();
    expect(delivered[1]?.payload).toMatchObject({ Note__c: 'ok', CreatedById: '005000000000001AAA' });
    expect(positions.get(CHANNEL)).toBe(11);
    expect(subscribes()).toBe(1);
  });
});

/** Polls a condition that the test's own server makes true (no wall-clock assertion). */
async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}
