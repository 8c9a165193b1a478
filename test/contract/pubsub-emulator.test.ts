/**
 * The emulator's Pub/Sub API (gRPC) through a plain @grpc/grpc-js client built from the service definition: auth
 * metadata, topics and schemas, Avro payloads, pull flow control, replay presets and Salesforce's error trailers.
 */
import * as grpc from '@grpc/grpc-js';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { eventCodec } from '../../src/schemas/pubsub/avro.ts';
import {
  PubSubErrorCode,
  decodeReplayId,
  encodeReplayId,
  pubSubService,
  type FetchRequestMessage,
  type FetchResponseMessage,
  type PublishResponseMessage,
  type SchemaInfoMessage,
  type TopicInfoMessage,
} from '../../src/schemas/pubsub/index.ts';
import { jsforceConnection, jwtToken, startTestEmulator } from '../support/emulator.ts';

const TOPIC = '/event/AgentTurnRequest__e';

type Client = grpc.Client & {
  GetTopic(req: object, md: grpc.Metadata, cb: grpc.requestCallback<TopicInfoMessage>): void;
  GetSchema(req: object, md: grpc.Metadata, cb: grpc.requestCallback<SchemaInfoMessage>): void;
  Publish(req: object, md: grpc.Metadata, cb: grpc.requestCallback<PublishResponseMessage>): void;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<FetchRequestMessage, FetchResponseMessage>;
};

let emulator: EmulatorHandle;
let client: Client;
/** Users hold no Create or Read on the request event; the admin (Modify All Data) publishes and reads it here. */
const PUBLISHER = 'admin@lending.test';
let publisher: Connection;
let publisherId: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  emulator = await startTestEmulator({ pubsubKeepAliveMs: 200 });
  const Service = pubSubService();
  client = new Service(new URL(emulator.pubsubUrl).host, grpc.credentials.createInsecure()) as unknown as Client;
  publisher = await jsforceConnection(emulator, PUBLISHER);
  publisherId = emulator.org.userByUsername(PUBLISHER)?.id ?? '';
  for (const user of ['worker@lending.test', PUBLISHER, 'nobody@lending.test'])
    tokens.set(user, await jwtToken(emulator, user));
});

afterAll(async () => {
  client.close();
  await emulator.close();
});

function metadata(user = 'worker@lending.test', overrides: Record<string, string> = {}): grpc.Metadata {
  const md = new grpc.Metadata();
  const values = {
    accesstoken: tokens.get(user) ?? '',
    instanceurl: emulator.url,
    tenantid: emulator.org.orgId,
    ...overrides,
  };
  for (const [key, value] of Object.entries(values)) md.set(key, value);
  return md;
}

function unary<T>(call: (cb: grpc.requestCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value as T))));
}

async function publishTurn(n: number): Promise<void> {
  const result = (await publisher
    .sobject('AgentTurnRequest__e')
    .create({ TurnIdentifier__c: `pubsub-${n}` })) as unknown as { success: boolean };
  expect(result.success).toBe(true);
}

/** Collects responses of a Subscribe stream; `until` resolves once `count` events have arrived. */
function subscription(md: grpc.Metadata) {
  const call = client.Subscribe(md);
  const responses: FetchResponseMessage[] = [];
  let failure: grpc.ServiceError | undefined;
  const waiters: Array<() => void> = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  call.on('data', (r: FetchResponseMessage) => {
    responses.push(r);
    wake();
  });
  call.on('error', (err: grpc.ServiceError) => {
    failure = err;
    wake();
  });
  const events = () => responses.flatMap((r) => r.events);
  return {
    call,
    responses,
    events,
    failure: () => failure,
    async until(predicate: () => boolean): Promise<void> {
      while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

describe('Pub/Sub API on the emulator', () => {
  it('describes a topic for the caller and serves its Avro schema, the same as REST eventSchema', async () => {
    const topic = await unary<TopicInfoMessage>((cb) => client.GetTopic({ topic_name: TOPIC }, metadata(), cb));
    expect(topic).toMatchObject({ topic_name: TOPIC, tenant_guid: emulator.org.orgId, can_subscribe: true });
    expect(topic.rpc_id).toMatch(/^[0-9a-f-]{36}$/);
    const schema = await unary<SchemaInfoMessage>((cb) =>
      client.GetSchema({ schema_id: topic.schema_id }, metadata(), cb),
    );
    const document = JSON.parse(schema.schema_json) as {
      name: string;
      type: string;
      fields: Array<{ name: string; type: unknown }>;
    };
    expect(document).toMatchObject({ name: 'AgentTurnRequest__e', type: 'record' });
    expect(document.fields.slice(0, 2)).toMatchObject([
      { name: 'CreatedDate', type: 'long' },
      { name: 'CreatedById', type: 'string' },
    ]);
    expect(document.fields.find((f) => f.name === 'TurnIdentifier__c')?.type).toEqual(['null', 'string']);
    expect(schema.schema_id).toBe(topic.schema_id);
    const nobody = await unary<TopicInfoMessage>((cb) =>
      client.GetTopic({ topic_name: TOPIC }, metadata('nobody@lending.test'), cb),
    );
    expect(nobody).toMatchObject({ can_subscribe: false, can_publish: false });
  });

  it('delivers no more events than requested and reports what is still pending', async () => {
    const sub = subscription(metadata());
    sub.call.write({ topic_name: TOPIC, replay_preset: 'LATEST', num_requested: 2 });
    await sub.until(() => sub.responses.length > 0); // the keepalive says the stream is up
    for (let i = 0; i < 5; i++) await publishTurn(i);
    await sub.until(() => sub.events().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a keepalive later, still only two
    expect(sub.events()).toHaveLength(2);
    expect(sub.responses.at(-1)?.pending_num_requested).toBe(0);
    sub.call.write({ num_requested: 10 });
    await sub.until(() => sub.events().length >= 5);
    const events = sub.events();
    const ids = events.map((e) => decodeReplayId(e.replay_id) as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const codec = eventCodec(
      events[0]?.event.schema_id ?? '',
      JSON.parse(
        (
          await unary<SchemaInfoMessage>((cb) =>
            client.GetSchema({ schema_id: events[0]?.event.schema_id }, metadata(), cb),
          )
        ).schema_json,
      ),
    );
    const payload = codec.decode(Buffer.from(events[0]?.event.payload ?? []));
    expect(payload).toMatchObject({ TurnIdentifier__c: 'pubsub-0', CreatedById: publisherId });
    expect(typeof payload.CreatedDate).toBe('string');
    expect(events[0]?.event.id).toMatch(/^[0-9a-f-]{36}$/);
    sub.call.cancel();
  });

  it('replays from EARLIEST and from a CUSTOM replay ID, and refuses an expired one with the replay error code', async () => {
    await publishTurn(100);
    const earliest = subscription(metadata());
    earliest.call.write({ topic_name: TOPIC, replay_preset: 'EARLIEST', num_requested: 100 });
    await earliest.until(() => earliest.events().some((e) => e.event.id !== ''));
    const all = earliest.events();
    earliest.call.cancel();
    const middle = all[Math.floor(all.length / 2)] as (typeof all)[number];
    const custom = subscription(metadata());
    custom.call.write({ topic_name: TOPIC, replay_preset: 'CUSTOM', replay_id: middle.replay_id, num_requested: 100 });
    await custom.until(() => custom.events().length > 0);
    expect(decodeReplayId(custom.events()[0]?.replay_id)).toBeGreaterThan(decodeReplayId(middle.replay_id) as number);
    custom.call.cancel();

    const expired = subscription(metadata());
    expired.call.write({ topic_name: TOPIC, replay_preset: 'CUSTOM', replay_id: encodeReplayId(1), num_requested: 1 });
    await expired.until(() => expired.failure() !== undefined);
    expect(expired.failure()?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(expired.failure()?.metadata.get('error-code')).toEqual([PubSubErrorCode.replayCorrupted]);
  });

  it('refuses a bad token, another org and a user without Read on the event, with Salesforce codes', async () => {
    const bad = await unary((cb) =>
      client.GetTopic({ topic_name: TOPIC }, metadata('worker@lending.test', { accesstoken: '00Dbogus!token' }), cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((bad as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((bad as grpc.ServiceError).metadata.get('error-code')).toEqual([PubSubErrorCode.auth]);
    const otherOrg = await unary((cb) =>
      client.GetTopic({ topic_name: TOPIC }, metadata('worker@lending.test', { tenantid: '00D000000000001' }), cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((otherOrg as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const nobody = subscription(metadata('nobody@lending.test'));
    nobody.call.write({ topic_name: TOPIC, num_requested: 1 });
    await nobody.until(() => nobody.failure() !== undefined);
    expect(nobody.failure()?.code).toBe(grpc.status.PERMISSION_DENIED);
    const zero = subscription(metadata());
    zero.call.write({ topic_name: TOPIC, num_requested: 0 });
    await zero.until(() => zero.failure() !== undefined);
    expect(zero.failure()?.metadata.get('error-code')).toEqual([PubSubErrorCode.requestedEventsInvalid]);
  });

  it('publishes Avro events as the caller: CreatedById is the caller, never what the payload claims', async () => {
    const topic = await unary<TopicInfoMessage>((cb) =>
      client.GetTopic({ topic_name: TOPIC }, metadata(PUBLISHER), cb),
    );
    const schema = await unary<SchemaInfoMessage>((cb) =>
      client.GetSchema({ schema_id: topic.schema_id }, metadata(PUBLISHER), cb),
    );
    const codec = eventCodec(topic.schema_id, JSON.parse(schema.schema_json));
    const workerId = emulator.org.userByUsername('worker@lending.test')?.id ?? '';
    const events = [
      {
        id: 'a-1',
        schema_id: topic.schema_id,
        payload: codec.encode({
          TurnIdentifier__c: 'via-pubsub',
          CreatedDate: new Date().toISOString(),
          CreatedById: publisherId,
        }),
      },
      {
        id: 'a-2',
        schema_id: topic.schema_id,
        payload: codec.encode({
          TurnIdentifier__c: 'spoof',
          CreatedDate: new Date().toISOString(),
          CreatedById: workerId,
        }),
      },
      { id: 'a-3', schema_id: 'stale-schema', payload: Buffer.alloc(0) },
    ];
    const response = await unary<PublishResponseMessage>((cb) =>
      client.Publish({ topic_name: TOPIC, events }, metadata(PUBLISHER), cb),
    );
    expect(response.results.map((r) => r.correlation_key)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(decodeReplayId(response.results[0]?.replay_id)).toBeGreaterThan(0);
    expect(response.results[0]?.error).toBeNull();
    expect(response.results[1]?.error?.msg).toMatch(/CreatedById/);
    expect(response.results[2]?.error?.msg).toMatch(/schema/i);
    const denied = await unary((cb) =>
      client.Publish({ topic_name: TOPIC, events: events.slice(0, 1) }, metadata('nobody@lending.test'), cb),
    ).catch((e: grpc.ServiceError) => e);
    expect((denied as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('ends an open stream with UNAUTHENTICATED when its token is revoked', async () => {
    const token = await jwtToken(emulator, 'worker@lending.test');
    const md = metadata('worker@lending.test', { accesstoken: token });
    const sub = subscription(md);
    sub.call.write({ topic_name: TOPIC, num_requested: 1 });
    await sub.until(() => sub.responses.length > 0);
    const revoke = await fetch(`${emulator.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    expect(revoke.status).toBe(200);
    await sub.until(() => sub.failure() !== undefined);
    expect(sub.failure()?.code).toBe(grpc.status.UNAUTHENTICATED);
  });
});
