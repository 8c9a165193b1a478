/**
 * Streaming end to end through the real emulator: JWT bearer tokens, REST publishes by one user, CometD subscribers
 * (unmodified jsforce and faye) as another, and the admin surface (evict, revoke, purge).
 */
import faye, { type Client as FayeClient } from 'faye';
import type { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, jwtToken, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';
import { until } from '../unit/emulator/streaming/harness.ts';

const CHANNEL = '/event/AgentTurnRequest__e';

interface EventData {
  payload: Record<string, unknown>;
  event: { replayId: number; EventUuid: string };
}

let emulator: EmulatorHandle;
/**
 * Users hold no Create or Read on the package's request event (AgentTurnService publishes it): the admin, whose Modify All
 * Data reaches platform events, publishes and reads it in these wire-level tests.
 */
const PUBLISHER = 'admin@lending.test';
let publisher: Connection;
let publisherId: string;
let workerId: string;
let turn = 0;
const clients: FayeClient[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 2_000 });
  publisher = await jsforceConnection(emulator, PUBLISHER);
  publisherId = emulator.org.userByUsername(PUBLISHER)?.id ?? '';
  workerId = emulator.org.userByUsername('worker@lending.test')?.id ?? '';
});

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await emulator.close();
});

/** Publishes one AgentTurnRequest__e through REST as the publisher; returns its EventUuid. */
async function publishTurn(): Promise<string> {
  turn += 1;
  const result = (await publisher
    .sobject('AgentTurnRequest__e')
    .create({ TurnIdentifier__c: `turn-${turn}` })) as unknown as {
    success: boolean;
    errors: Array<{ statusCode: string; message: string }>;
  };
  expect(result.success).toBe(true);
  const enqueued = result.errors.find((e) => e.statusCode === 'OPERATION_ENQUEUED');
  if (!enqueued) throw new Error(`no OPERATION_ENQUEUED in ${JSON.stringify(result)}`);
  return enqueued.message;
}

/**
 * A jsforce streaming client logged in as `username`. Wrapped in an object because a faye Client is a thenable
 * (it resolves once connected), so returning it from an async function would wait for a connection never started.
 */
async function workerClient(extensions: unknown[], username = 'worker@lending.test'): Promise<{ client: FayeClient }> {
  const conn = await jsforceConnection(emulator, username);
  const client = conn.streaming.createClient(extensions as never) as unknown as FayeClient;
  clients.push(client);
  return { client };
}

async function admin(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/__emulator${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('streaming through the emulator', () => {
  it('delivers a REST-published event to a jsforce subscriber with the publisher as CreatedById', async () => {
    const received: EventData[] = [];
    const { client } = await workerClient([new StreamingExtension.Replay(CHANNEL, -1)]);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const uuid = await publishTurn();
    await until(() => received.length === 1, 'the event');
    expect(received[0]?.event.EventUuid).toBe(uuid);
    expect(received[0]?.payload).toMatchObject({ TurnIdentifier__c: `turn-${turn}`, CreatedById: publisherId });
  });

  it('does not let a publisher set CreatedById through the payload', async () => {
    await expect(
      publisher.sobject('AgentTurnRequest__e').create({ TurnIdentifier__c: 'spoof', CreatedById: workerId }),
    ).rejects.toThrow();
    const received: EventData[] = [];
    const { client } = await workerClient([new StreamingExtension.Replay(CHANNEL, -2)]);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    await until(() => received.length === turn, 'all retained events');
    expect(received.some((e) => e.payload.TurnIdentifier__c === 'spoof')).toBe(false);
    expect(new Set(received.map((e) => e.payload.CreatedById))).toEqual(new Set([publisherId]));
  });

  it('serves a raw faye client with a Bearer token from the JWT flow, and refuses users without read access', async () => {
    await publishTurn();
    const received: EventData[] = [];
    const client = new faye.Client(`${emulator.url}/cometd/${TEST_API_VERSION}`);
    clients.push(client);
    client.setHeader('Authorization', `Bearer ${await jwtToken(emulator, 'worker@lending.test')}`);
    client.addExtension({
      outgoing(message: Record<string, unknown>, callback: (message: Record<string, unknown>) => void) {
        if (message.channel === '/meta/subscribe') message.ext = { replay: { [CHANNEL]: -2 } };
        callback(message);
      },
    });
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    await until(() => received.length === turn, 'every retained event');

    const { client: nobody } = await workerClient([], 'nobody@lending.test');
    const error = await new Promise<{ code: number | null; message: string }>((resolve, reject) => {
      nobody.subscribe(CHANNEL, () => undefined).then(() => reject(new Error('subscribed')), resolve);
    });
    expect(`${error.code}::${error.message}`).toBe('403::Restricted channel');
  });

  it('resumes without gaps or duplicates after an admin eviction', async () => {
    const received: EventData[] = [];
    const { client } = await workerClient([new StreamingExtension.Replay(CHANNEL, -1)]);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const before = await publishTurn();
    await until(() => received.length === 1, 'the first event');
    expect((await admin('/cometd/evict')).evicted).toBeGreaterThanOrEqual(1);
    const during = [await publishTurn(), await publishTurn()];
    await until(() => received.length >= 3, 'the events published during eviction');
    const after = await publishTurn();
    await until(() => received.length >= 4, 'the event after resuming');
    expect(received.map((e) => e.event.EventUuid)).toEqual([before, ...during, after]);
  });

  it("fires AuthFailure when an admin revokes the subscriber's tokens", async () => {
    const failures: Array<Record<string, unknown>> = [];
    const { client } = await workerClient([
      new StreamingExtension.Replay(CHANNEL, -1),
      new StreamingExtension.AuthFailure((message: unknown) => failures.push(message as Record<string, unknown>)),
    ]);
    await client.subscribe(CHANNEL, () => undefined);
    await admin('/tokens/revoke', { username: 'worker@lending.test' });
    await until(() => failures.length > 0, 'the auth failure callback');
    expect(failures[0]).toMatchObject({ error: '401::Authentication invalid', advice: { reconnect: 'none' } });
  });

  it('refuses a purged replay position and reports delivered events in /limits', async () => {
    const conn = await jsforceConnection(emulator, 'worker@lending.test');
    const limitsBefore = (await conn.request(`/services/data/v${TEST_API_VERSION}/limits`)) as Record<
      string,
      { Remaining: number }
    >;
    let lastReplayId = 0;
    const { client } = await workerClient([new StreamingExtension.Replay(CHANNEL, -2)]);
    await client.subscribe(CHANNEL, (data: unknown) => {
      lastReplayId = (data as EventData).event.replayId;
    });
    await until(() => lastReplayId > 0, 'a retained event');
    const limitsAfter = (await conn.request(`/services/data/v${TEST_API_VERSION}/limits`)) as Record<
      string,
      { Remaining: number }
    >;
    expect(limitsAfter.DailyDeliveredPlatformEvents?.Remaining).toBeLessThan(
      limitsBefore.DailyDeliveredPlatformEvents?.Remaining ?? 0,
    );

    const expired = lastReplayId - 1;
    await admin('/events/purge', { olderThanHours: 0 });
    await publishTurn();
    const { client: stale } = await workerClient([new StreamingExtension.Replay(CHANNEL, expired)]);
    const error = await new Promise<{ message: string }>((resolve, reject) => {
      stale.subscribe(CHANNEL, () => undefined).then(() => reject(new Error('subscribed')), resolve);
    });
    expect(error.message).toContain(`The replayId {${expired}} you provided was invalid.  Please provide a valid ID`);
  });
});
