import { afterEach, describe, expect, it } from 'vitest';
import type { Streaming } from '../../../../src/emulator/streaming/bayeux-server.ts';
import { ALICE, API_VERSION, BOB, createTestStreaming, FakeTokens, until } from './harness.ts';

type Msg = Record<string, unknown>;

const INVALID_REPLAY = (n: unknown) =>
  `400::The replayId {${String(n)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;

let streaming: Streaming | undefined;
afterEach(() => streaming?.close());

function setup(connectTimeoutMs = 60_000): { s: Streaming; tokens: FakeTokens; alice: string; bob: string } {
  const tokens = new FakeTokens();
  streaming = createTestStreaming(tokens, { connectTimeoutMs });
  return { s: streaming, tokens, alice: tokens.issue(ALICE), bob: tokens.issue(BOB) };
}

async function send(s: Streaming, token: string | undefined, messages: unknown): Promise<Msg[]> {
  const response = await s.handle({
    version: API_VERSION,
    authorization: token === undefined ? undefined : `OAuth ${token}`,
    messages,
  });
  expect(response.status).toBe(200);
  return response.body as Msg[];
}

async function handshake(s: Streaming, token: string): Promise<string> {
  const [reply] = await send(s, token, [
    { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' },
  ]);
  expect(reply?.successful).toBe(true);
  return reply?.clientId as string;
}

const connect = (clientId: string, id = 'c') => ({
  channel: '/meta/connect',
  clientId,
  connectionType: 'long-polling',
  id,
});
const subscribe = (clientId: string, channel: string, replay?: unknown, id = 's') => ({
  channel: '/meta/subscribe',
  clientId,
  subscription: channel,
  id,
  ...(replay === undefined ? {} : { ext: { replay: { [channel]: replay } } }),
});

describe('handshake', () => {
  it("accepts OAuth, Bearer and bare tokens and answers with Salesforce's reply", async () => {
    const { s, alice } = setup();
    for (const authorization of [`OAuth ${alice}`, `Bearer ${alice}`, alice]) {
      const response = await s.handle({
        version: API_VERSION,
        authorization,
        messages: [{ channel: '/meta/handshake', version: '1.0', id: '1' }],
      });
      expect((response.body as Msg[])[0]).toEqual({
        channel: '/meta/handshake',
        id: '1',
        successful: true,
        clientId: expect.stringMatching(/^[0-9a-z]{20,}$/),
        version: '1.0',
        minimumVersion: '1.0',
        supportedConnectionTypes: ['long-polling'],
        advice: { reconnect: 'retry', interval: 0, timeout: 60_000 },
        ext: { replay: true, 'payload.format': true },
      });
    }
    expect(s.clients()).toHaveLength(3);
  });

  it('denies a missing token and a revoked one with the failure reason and no reconnect', async () => {
    const { s, tokens, alice } = setup();
    const [missing] = await send(s, undefined, [{ channel: '/meta/handshake', id: '1' }]);
    expect(missing).toMatchObject({ successful: false, error: '403::Handshake denied', advice: { reconnect: 'none' } });
    expect(missing?.ext).toEqual({
      sfdc: { failureReason: '401::Request requires authentication' },
      replay: true,
      'payload.format': true,
    });
    tokens.revoke(alice);
    const [revoked] = await send(s, alice, [{ channel: '/meta/handshake', id: '2' }]);
    expect(revoked).toMatchObject({
      id: '2',
      successful: false,
      error: '403::Handshake denied',
      advice: { reconnect: 'none' },
    });
    expect((revoked?.ext as Msg).sfdc).toEqual({ failureReason: '401::Authentication invalid' });
  });

  it('refuses clients beyond the concurrent client allocation', async () => {
    const tokens = new FakeTokens();
    streaming = createTestStreaming(tokens, { maxClients: 1 });
    const token = tokens.issue(ALICE);
    await handshake(streaming, token);
    const [reply] = await send(streaming, token, [{ channel: '/meta/handshake', id: '1' }]);
    expect((reply?.ext as { sfdc: Msg }).sfdc.failureReason).toBe('403::Organization concurrent user limit exceeded');
    expect(streaming.limits().DurableStreamingApiConcurrentClients).toEqual({ Max: 1, Remaining: 0 });
  });
});

describe('HTTP-level checks', () => {
  it("answers missing or old versions and oversized bodies with Salesforce's texts", async () => {
    const { s } = setup();
    const messages = [{ channel: '/meta/handshake', id: '1' }];
    expect(await s.handle({ version: '', authorization: undefined, messages })).toEqual({
      status: 400,
      body: [
        {
          channel: '/meta/handshake',
          id: '1',
          successful: false,
          error: "400::API version in the URI is mandatory. URI format: '/cometd/66.0'",
        },
      ],
    });
    expect(await s.handle({ version: '36.0', authorization: undefined, messages })).toEqual({
      status: 400,
      body: [
        {
          channel: '/meta/handshake',
          id: '1',
          successful: false,
          error: "400::Unsupported API version. Only API versions '37.0' and later are supported.",
        },
      ],
    });
    expect(await s.handle({ version: '37.0', authorization: undefined, messages })).toMatchObject({ status: 200 });
    const big = [{ channel: '/meta/handshake', ext: { pad: 'x'.repeat(40_000) } }];
    expect(await s.handle({ version: API_VERSION, authorization: undefined, messages: big })).toMatchObject({
      status: 413,
      text: 'Maximum Request Size Exceeded',
    });
  });

  it('answers malformed messages with a Bayeux error instead of dropping them', async () => {
    const { s, alice } = setup();
    const replies = await send(s, alice, [{ id: '7' }, { channel: '/event/AgentTurn__e', data: {}, id: '8' }]);
    expect(replies[0]).toMatchObject({
      id: '7',
      successful: false,
      error: expect.stringMatching(/^400::Invalid Bayeux message: channel/),
    });
    expect(replies[1]).toMatchObject({ id: '8', successful: false, error: expect.stringMatching(/^403::/) });
  });
});

describe('connect', () => {
  it('answers the first connect at once and holds the next until an event arrives, events first', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    expect(await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e')])).toEqual([
      { channel: '/meta/subscribe', id: 's', clientId, successful: true, subscription: '/event/AgentTurn__e' },
    ]);
    const first = await send(s, alice, [connect(clientId, '2')]);
    expect(first).toEqual([
      {
        channel: '/meta/connect',
        id: '2',
        clientId,
        successful: true,
        advice: { reconnect: 'retry', interval: 0, timeout: 60_000 },
      },
    ]);
    let answered = false;
    const held = send(s, alice, [connect(clientId, '3')]).then((replies) => {
      answered = true;
      return replies;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(s.clients()[0]?.holding).toBe(true);
    s.eventSink.publish('AgentTurn__e', { ExecutionId__c: 'a01' }, { userId: ALICE });
    s.eventSink.publish('AgentTurn__e', { ExecutionId__c: 'a02' }, { userId: ALICE });
    const replies = await held;
    expect(replies.map((m) => m.channel)).toEqual(['/event/AgentTurn__e', '/event/AgentTurn__e', '/meta/connect']);
    expect(replies.map((m) => (m.data as { payload?: Msg } | undefined)?.payload?.ExecutionId__c)).toEqual([
      'a01',
      'a02',
      undefined,
    ]);
  });

  it('answers a held connect empty when the advertised timeout passes', async () => {
    const { s, alice } = setup(50);
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const replies = await send(s, alice, [connect(clientId, '3')]);
    expect(replies).toEqual([
      {
        channel: '/meta/connect',
        id: '3',
        clientId,
        successful: true,
        advice: { reconnect: 'retry', interval: 0, timeout: 50 },
      },
    ]);
  });

  it('answers at once a connect that asks for advice.timeout 0', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const replies = await send(s, alice, [{ ...connect(clientId, '3'), advice: { timeout: 0 } }]);
    expect(replies).toEqual([expect.objectContaining({ channel: '/meta/connect', id: '3', successful: true })]);
  });

  it('serves a subscribe that arrives while a connect is held', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const held = send(s, alice, [connect(clientId, '3')]);
    const sub = await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', -1)]);
    expect(sub[0]?.successful).toBe(true);
    const { replayId } = s.eventSink.publish('AgentTurn__e', {}, { userId: ALICE });
    expect((await held)[0]).toMatchObject({ channel: '/event/AgentTurn__e', data: { event: { replayId } } });
  });

  it('does not hold a connect batched with other messages', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const replies = await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e'), connect(clientId, '3')]);
    expect(replies.map((m) => [m.channel, m.successful])).toEqual([
      ['/meta/subscribe', true],
      ['/meta/connect', true],
    ]);
  });

  it('tells evicted and unknown clients to handshake again', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const held = send(s, alice, [connect(clientId, '3')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.evictClient(clientId)).toBe(true);
    const unknown = {
      successful: false,
      error: '403::Unknown client',
      advice: { reconnect: 'handshake', interval: 0 },
    };
    expect((await held)[0]).toMatchObject(unknown);
    expect((await send(s, alice, [connect(clientId, '4')]))[0]).toMatchObject(unknown);
    expect((await send(s, alice, [subscribe('nosuchclient', '/event/AgentTurn__e')]))[0]).toMatchObject(unknown);
  });

  it('drops a client that does not come back within the reconnect window', async () => {
    const { s, alice } = setup(30);
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    await until(() => s.clients().length === 0, 'the idle client to be dropped');
    expect((await send(s, alice, [connect(clientId, '3')]))[0]).toMatchObject({ error: '403::Unknown client' });
  });

  it('ends a client whose token was revoked with 401 and no reconnect, also while a connect is held', async () => {
    const { s, tokens, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    const held = send(s, alice, [connect(clientId, '3')]);
    await new Promise((resolve) => setImmediate(resolve));
    tokens.revoke(alice);
    s.revalidateTokens();
    expect((await held)[0]).toEqual({
      channel: '/meta/connect',
      id: '3',
      clientId,
      successful: false,
      error: '401::Authentication invalid',
      advice: { reconnect: 'none', interval: 0 },
    });
    expect(s.clients()).toEqual([]);
  });

  it('keeps answering 401 to a client revoked between connects instead of inviting a re-handshake', async () => {
    const { s, tokens, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    tokens.revoke(alice);
    s.revalidateTokens();
    for (const id of ['3', '4']) {
      expect((await send(s, alice, [connect(clientId, id)]))[0]).toMatchObject({
        successful: false,
        error: '401::Authentication invalid',
        advice: { reconnect: 'none' },
      });
    }
  });

  it('re-checks the token on every request and keeps live tokens touched', async () => {
    const { s, tokens, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [connect(clientId, '2')]);
    expect(tokens.touched.filter((t) => t === alice).length).toBeGreaterThanOrEqual(2);
    tokens.revoke(alice);
    expect((await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e')]))[0]).toMatchObject({
      error: '401::Authentication invalid',
    });
  });

  it("refuses a request carrying another user's token for the client", async () => {
    const { s, alice, bob } = setup();
    const clientId = await handshake(s, alice);
    expect((await send(s, bob, [connect(clientId, '2')]))[0]).toMatchObject({ error: '401::Authentication invalid' });
  });

  it('disconnect removes the client and its subscriptions', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e')]);
    expect(await send(s, alice, [{ channel: '/meta/disconnect', clientId, id: '9' }])).toEqual([
      { channel: '/meta/disconnect', clientId, id: '9', successful: true },
    ]);
    expect(s.clients()).toEqual([]);
    expect(s.bus.stats().channels.find((c) => c.eventObject === 'AgentTurn__e')?.subscribers).toBe(0);
  });
});

describe('subscribe', () => {
  it("returns Salesforce's errors for unknown, restricted and un-handshaken subscriptions", async () => {
    const { s, alice, bob } = setup();
    const aliceId = await handshake(s, alice);
    const bobId = await handshake(s, bob);
    const [unknown] = await send(s, alice, [subscribe(aliceId, '/event/Nope__e')]);
    expect(unknown).toEqual({
      channel: '/meta/subscribe',
      id: 's',
      clientId: aliceId,
      subscription: '/event/Nope__e',
      successful: false,
      error: '400::The channel you requested to subscribe to does not exist {/event/Nope__e}',
    });
    expect((await send(s, alice, [subscribe(aliceId, '/event/Secret__e')]))[0]?.error).toBe('403::Restricted channel');
    expect((await send(s, bob, [subscribe(bobId, '/event/AgentTurn__e')]))[0]?.error).toBe('403::Restricted channel');
    const [anonymous] = await send(s, alice, [
      { channel: '/meta/subscribe', subscription: '/event/AgentTurn__e', id: '5' },
    ]);
    expect(anonymous?.error).toBe('403::Client has not completed handshake');
  });

  it('applies the replay map: -2, N, invalid N and non-numeric values', async () => {
    const { s, alice } = setup();
    const ids = [1, 2, 3].map(
      (n) => s.eventSink.publish('AgentTurn__e', { Attempt__c: n }, { userId: ALICE }).replayId,
    );
    const clientId = await handshake(s, alice);
    await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', ids[0])]);
    const replies = await send(s, alice, [connect(clientId)]);
    expect(replies.slice(0, -1).map((m) => (m.data as { event: { replayId: number } }).event.replayId)).toEqual(
      ids.slice(1),
    );
    const future = (ids[2] as number) + 100;
    expect((await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', future)]))[0]?.error).toBe(
      INVALID_REPLAY(future),
    );
    expect((await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', 'soon')]))[0]?.error).toBe(
      INVALID_REPLAY('soon'),
    );
    s.bus.expireBefore(ids[2] as number);
    expect((await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', ids[0])]))[0]?.error).toBe(
      INVALID_REPLAY(ids[0]),
    );
    await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e', -2)]);
    const replayed = await send(s, alice, [connect(clientId, 'x')]);
    expect(replayed.map((m) => m.channel)).toEqual(['/event/AgentTurn__e', '/meta/connect']);
  });

  it('unsubscribe stops delivery', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e')]);
    const [reply] = await send(s, alice, [
      { channel: '/meta/unsubscribe', clientId, subscription: '/event/AgentTurn__e', id: 'u' },
    ]);
    expect(reply).toMatchObject({ successful: true, subscription: '/event/AgentTurn__e' });
    s.eventSink.publish('AgentTurn__e', {}, { userId: ALICE });
    expect((await send(s, alice, [connect(clientId)])).map((m) => m.channel)).toEqual(['/meta/connect']);
  });

  it('reports the daily delivery allocation as a subscribe error once spent', async () => {
    const { s, alice } = setup();
    const clientId = await handshake(s, alice);
    s.bus.deliveries.exhaust();
    expect((await send(s, alice, [subscribe(clientId, '/event/AgentTurn__e')]))[0]?.error).toBe(
      '403::Organization total events daily limit exceeded',
    );
    expect(s.limits().DailyDeliveredPlatformEvents?.Remaining).toBe(0);
  });
});
