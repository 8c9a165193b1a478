/**
 * Unmodified faye and jsforce streaming clients against the emulator's CometD endpoint on a real HTTP listener.
 */
import faye, { type Client as FayeClient, type Subscription as FayeSubscription } from 'faye';
import { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, API_VERSION, BOB, startHarness, until, type Harness } from '../unit/emulator/streaming/harness.ts';

const CHANNEL = '/event/AgentTurn__e';

interface EventData {
  payload: Record<string, unknown>;
  event: { replayId: number; EventUuid: string };
  schema: string;
}

let harness: Harness;
const clients: FayeClient[] = [];

beforeEach(async () => {
  harness = await startHarness({ connectTimeoutMs: 2_000 });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await harness.close();
});

function publish(attempt: number, userId = ALICE): { replayId: number; eventUuid: string } {
  return harness.streaming.eventSink.publish(
    'AgentTurn__e',
    { ExecutionId__c: `exec-${attempt}`, Attempt__c: attempt },
    { userId },
  );
}

/** A raw faye client as the wire doc describes it: Bearer header and a `-2` replay extension. */
function rawFaye(token: string, replay: number, options: { websocket: boolean }): FayeClient {
  const client = new faye.Client(harness.endpoint, { timeout: 10 });
  client.setHeader('Authorization', `Bearer ${token}`);
  if (!options.websocket) client.disable('websocket');
  client.addExtension({
    outgoing(message: Record<string, unknown>, callback: (message: Record<string, unknown>) => void) {
      if (message.channel === '/meta/subscribe')
        message.ext = { ...(message.ext as object | undefined), replay: { [CHANNEL]: replay } };
      callback(message);
    },
  });
  clients.push(client);
  return client;
}

function jsforceClient(token: string, extensions: unknown[]): FayeClient {
  const conn = new Connection({ instanceUrl: harness.instanceUrl, accessToken: token, version: API_VERSION });
  const client = conn.streaming.createClient(extensions as never) as unknown as FayeClient;
  clients.push(client);
  return client;
}

const replayIds = (events: EventData[]) => events.map((event) => event.event.replayId);

/** Resolves with the server's error text (`400::...`) when the subscription fails (faye keeps it as `message`). */
function subscriptionError(subscription: FayeSubscription): Promise<string> {
  return new Promise((resolve, reject) => {
    subscription.then(
      () => reject(new Error('subscription unexpectedly succeeded')),
      (error: unknown) => {
        // faye splits `400::text` into code and message when the text fits its grammar; rebuild the wire form.
        const { code, message } = error as { code: number | null; message: string };
        resolve(code === null ? message : `${code}::${message}`);
      },
    );
  });
}

describe('raw faye.Client', () => {
  it('with a Bearer header and -2 receives retained and new events over long-polling', async () => {
    const retained = [publish(1), publish(2)];
    const received: EventData[] = [];
    const client = rawFaye(harness.tokens.issue(ALICE), -2, { websocket: false });
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const fresh = publish(3);
    await until(() => received.length >= 3, 'three events');
    expect(replayIds(received)).toEqual([...retained, fresh].map((r) => r.replayId));
    expect(harness.upgradeAttempts()).toBe(0);
    expect(received[2]).toEqual({
      schema: harness.streaming.bus.schemaId('AgentTurn__e'),
      payload: {
        ExecutionId__c: 'exec-3',
        Attempt__c: 3,
        CreatedDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        CreatedById: ALICE,
      },
      event: { replayId: fresh.replayId, EventUuid: fresh.eventUuid },
    });
  });

  it('falls back from its WebSocket attempt to long-polling when websocket is not disabled', async () => {
    const received: EventData[] = [];
    const client = rawFaye(harness.tokens.issue(ALICE), -1, { websocket: true });
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const sent = publish(1);
    await until(() => received.length === 1, 'the event');
    expect(received[0]?.event.EventUuid).toBe(sent.eventUuid);
    expect(harness.upgradeAttempts()).toBeGreaterThan(0);
  });

  it("gets Salesforce's texts for unknown and restricted channels and invalid replay ids", async () => {
    const last = publish(1).replayId;
    const alice = rawFaye(harness.tokens.issue(ALICE), last + 50, { websocket: false });
    expect(await subscriptionError(alice.subscribe(CHANNEL, () => undefined))).toBe(
      `400::The replayId {${last + 50}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
    );
    expect(await subscriptionError(alice.subscribe('/event/Missing__e', () => undefined))).toBe(
      '400::The channel you requested to subscribe to does not exist {/event/Missing__e}',
    );
    expect(await subscriptionError(alice.subscribe('/event/Secret__e', () => undefined))).toBe(
      '403::Restricted channel',
    );
    const bob = rawFaye(harness.tokens.issue(BOB), -1, { websocket: false });
    expect(await subscriptionError(bob.subscribe(CHANNEL, () => undefined))).toBe('403::Restricted channel');
  });
});

describe('jsforce streaming client', () => {
  it('resumes after a given replay id with the Replay extension: no duplicates, no gaps', async () => {
    const published = [1, 2, 3, 4].map((n) => publish(n));
    const from = published[1]?.replayId as number;
    const received: EventData[] = [];
    const client = jsforceClient(harness.tokens.issue(ALICE), [new StreamingExtension.Replay(CHANNEL, from)]);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const later = [publish(5), publish(6)];
    await until(() => received.length >= 4, 'four events');
    expect(replayIds(received)).toEqual([published[2], published[3], ...later].map((r) => r?.replayId));
    expect(new Set(received.map((e) => e.event.EventUuid)).size).toBe(4);
  });

  it('without a replay extension (-1) sees only events published after subscribing', async () => {
    publish(1);
    const received: EventData[] = [];
    const conn = new Connection({
      instanceUrl: harness.instanceUrl,
      accessToken: harness.tokens.issue(ALICE),
      version: API_VERSION,
    });
    const topic = conn.streaming.topic(CHANNEL);
    const subscription = topic.subscribe((data) => received.push(data as unknown as EventData));
    await until(() => harness.streaming.clients().some((c) => c.channels.includes(CHANNEL)), 'the subscription');
    const fresh = publish(2);
    await until(() => received.length >= 1, 'the new event');
    expect(replayIds(received)).toEqual([fresh.replayId]);
    subscription.cancel();
    conn.streaming.unsubscribe(CHANNEL, subscription);
  });

  it('after eviction re-handshakes with a new client id and resumes from its last replay id', async () => {
    const received: EventData[] = [];
    const client = jsforceClient(harness.tokens.issue(ALICE), [new StreamingExtension.Replay(CHANNEL, -1)]);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    const before = [publish(1), publish(2)];
    await until(() => received.length === 2, 'the first two events');
    const [{ clientId: firstId } = { clientId: '' }] = harness.streaming.clients();
    harness.streaming.evictAll();
    // Published while the client has no server-side subscription: only replay can bring them back.
    const during = [publish(3), publish(4)];
    await until(() => received.length >= 4, 'the events published during eviction');
    const after = publish(5);
    await until(() => received.length >= 5, 'the event after resuming');
    expect(replayIds(received)).toEqual([...before, ...during, after].map((r) => r.replayId));
    const clientsNow = harness.streaming.clients();
    expect(clientsNow).toHaveLength(1);
    expect(clientsNow[0]?.clientId).not.toBe(firstId);
  });

  it('fires the AuthFailure extension when the token is revoked while connected', async () => {
    const token = harness.tokens.issue(ALICE);
    const failures: Array<Record<string, unknown>> = [];
    const client = jsforceClient(token, [
      new StreamingExtension.Replay(CHANNEL, -1),
      new StreamingExtension.AuthFailure((message: unknown) => failures.push(message as Record<string, unknown>)),
    ]);
    await client.subscribe(CHANNEL, () => undefined);
    await until(() => harness.streaming.clients()[0]?.holding, 'a held connect');
    harness.tokens.revoke(token);
    harness.streaming.revalidateTokens();
    await until(() => failures.length > 0, 'the auth failure callback');
    expect(failures[0]).toMatchObject({
      channel: '/meta/connect',
      successful: false,
      error: '401::Authentication invalid',
      advice: { reconnect: 'none' },
    });
    expect(harness.streaming.clients()).toEqual([]);
  });

  it('fires AuthFailure on the handshake when the token is already invalid', async () => {
    const failures: Array<Record<string, unknown>> = [];
    const client = jsforceClient('00DEM0000000001!not-a-live-token', [
      new StreamingExtension.AuthFailure((message: unknown) => failures.push(message as Record<string, unknown>)),
    ]);
    client.subscribe(CHANNEL, () => undefined);
    await until(() => failures.length > 0, 'the auth failure callback');
    expect(failures[0]).toMatchObject({
      channel: '/meta/handshake',
      error: '403::Handshake denied',
      ext: { sfdc: { failureReason: '401::Authentication invalid' } },
    });
  });

  it('delivers the publisher as CreatedById, per event', async () => {
    const received: EventData[] = [];
    const client = jsforceClient(harness.tokens.issue(ALICE), [new StreamingExtension.Replay(CHANNEL, -2)]);
    publish(1, ALICE);
    publish(2, BOB);
    await client.subscribe(CHANNEL, (data: unknown) => received.push(data as EventData));
    await until(() => received.length === 2, 'both events');
    expect(received.map((e) => e.payload.CreatedById)).toEqual([ALICE, BOB]);
  });
});
