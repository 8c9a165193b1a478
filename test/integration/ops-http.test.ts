/**
 * The worker service end to end over HTTP: a real emulator, the real subscriber and queue (embedded mode), the
 * governed runtime with the scripted model, and the fastify server on a random port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDING_SCRIPT, provisionLendingAgent, LENDING_AGENT } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { silentLogger } from '../../src/logger.ts';
import { signBody } from '../../src/ops/auth.ts';
import { createOpsServer, listenOps } from '../../src/ops/http-server.ts';
import { pingRedis, type ReadinessCheck } from '../../src/ops/readiness.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import type { TurnResponseBody, TurnService } from '../../src/ops/turn-service.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';
import { startRedis } from '../support/redis.ts';

const TOKEN = 'test-token-0123456789-0123456789-abcdef';
let emulator: EmulatorHandle;
let service: Service;
let stateDir: string;
let base: string;

function userId(username: string): string {
  const user = emulator.org.userByUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return user.id;
}

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    agentDeveloperName: LENDING_AGENT,
    message: 'Which open applications do we have?',
    sourceRecordId: null,
    requestingUserId: userId('officer@lending.test'),
    organizationId: emulator.org.orgId,
    turnIdentifier: crypto.randomUUID(),
    ...overrides,
  };
}

async function post(
  path: string,
  payload: unknown,
  headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
  url = base,
) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 1_000 });
  const { app, privateKeyFile } = devCredentials(emulator);
  stateDir = mkdtempSync(join(tmpdir(), 'loom-ops-'));
  service = await startService({
    env: {
      SF_LOGIN_URL: emulator.url,
      SF_CLIENT_ID: app.consumerKey,
      SF_PRIVATE_KEY_FILE: privateKeyFile,
      SF_INTEGRATION_USERNAME: 'worker@lending.test',
      LOOM_STATE_DIR: stateDir,
      LOOM_HTTP_TOKEN: TOKEN,
      // Most cases here are about everything but signing ("signed requests" below covers it).
      LOOM_HTTP_ALLOW_UNSIGNED: 'true',
      LOOM_SYNC_WAIT_MS: '20000',
    },
    logger: silentLogger(),
    provider: new ScriptedProvider(LENDING_SCRIPT),
    http: { host: '127.0.0.1', port: 0 },
    // Reconnects wait at most 1 s: however long a busy machine keeps the CometD fault up, recovery stays prompt.
    tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50, restartMaxMs: 1_000 },
  });
  base = service.url as string;
  await provisionLendingAgent(service.runtime.clientFor('admin@lending.test'));
});

afterAll(async () => {
  await service?.close();
  await emulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('health and readiness', () => {
  it('answers /healthz and reports each readiness check', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    expect(report.ready).toBe(true);
    expect(Object.keys(report.checks).sort()).toEqual(['injection_model', 'salesforce', 'subscription']);
    expect(report.checks.injection_model).toEqual({ ok: true, detail: 'learned weights loaded' });
    expect(report.checks.salesforce?.detail).toContain(emulator.org.orgId);
    expect(report.checks.subscription?.detail).toMatch(/^embedded: connected/);
  });

  /** Polls /readyz (each answer may be cached for a few seconds) until `predicate` holds; bounded, not timed. */
  async function readyzUntil(
    predicate: (status: number, checks: Record<string, { ok: boolean; detail: string }>) => boolean,
  ): Promise<Record<string, { ok: boolean; detail: string }>> {
    let last: Record<string, { ok: boolean; detail: string }> = {};
    await expect
      .poll(
        async () => {
          const response = await fetch(`${base}/readyz`);
          last = ((await response.json()) as { checks: Record<string, { ok: boolean; detail: string }> }).checks;
          return predicate(response.status, last);
        },
        { timeout: 100_000, interval: 250 },
      )
      .toBe(true);
    return last;
  }

  it('answers 503 naming the Salesforce probe when the org refuses the authenticated call, and 200 once it answers', async () => {
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ failureRate: { rate: 1, status: 500, pathPrefix: '/services/data/v62.0/limits' } }),
    });
    try {
      const checks = await readyzUntil((status, current) => status === 503 && current.salesforce?.ok === false);
      expect(checks.subscription?.ok).toBe(true);
    } finally {
      await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' });
    }
    await readyzUntil((status) => status === 200);
  });

  it('answers 503 naming the subscription probe while the CometD client is not connected, and 200 once it is again', async () => {
    // CometD requests fail, then the worker's client is evicted: its replacement cannot connect until the fault is cleared.
    await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ failureRate: { rate: 1, status: 503, pathPrefix: '/cometd' } }),
    });
    try {
      await fetch(`${emulator.url}/__emulator/cometd/evict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      const checks = await readyzUntil((status, current) => status === 503 && current.subscription?.ok === false);
      expect(checks.subscription?.detail).not.toMatch(/connected \(/);
    } finally {
      await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' });
    }
    await readyzUntil((status, current) => status === 200 && current.subscription?.ok === true);
  });

  /** A port that was free a moment ago and has nothing listening on it now. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  type Readyz = {
    status: number;
    report: { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
  };

  /** An ops server with only these probes; `use` gets a function that asks its /readyz once. */
  async function withReadiness(
    readiness: ReadinessCheck[],
    use: (readyz: () => Promise<Readyz>) => Promise<void>,
  ): Promise<void> {
    const app = createOpsServer({ logger: silentLogger(), readiness, token: TOKEN, syncWaitMs: 1_000 });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      await use(async () => {
        const response = await fetch(`${url}/readyz`);
        return { status: response.status, report: (await response.json()) as Readyz['report'] };
      });
    } finally {
      await app.close();
    }
  }

  it('answers /readyz with 503 naming the Redis check when Redis is unreachable', async () => {
    const port = await closedPort();
    const readiness: ReadinessCheck[] = [
      { name: 'salesforce', check: async () => ({ ok: true, detail: 'session ok' }) },
      { name: 'redis', check: () => pingRedis(`redis://127.0.0.1:${port}`, 1_000) },
    ];
    await withReadiness(readiness, async (readyz) => {
      const { status, report } = await readyz();
      expect(status).toBe(503);
      expect(report.ready).toBe(false);
      // The healthy probe is still reported healthy; Redis is the one named as failed, with the socket's reason.
      expect(report.checks.salesforce).toEqual({ ok: true, detail: 'session ok' });
      expect(report.checks.redis?.ok).toBe(false);
      expect(report.checks.redis?.detail).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    });
  });

  it('answers /readyz 200 while Redis answers PING and 503 once it stops', async () => {
    const redis = await startRedis();
    try {
      await withReadiness([{ name: 'redis', check: () => pingRedis(redis.url, 1_000) }], async (readyz) => {
        expect(await readyz()).toEqual({ status: 200, report: { ready: true, checks: { redis: { ok: true } } } });
        await redis.stop();
        const down = await readyz();
        expect(down.status).toBe(503);
        expect(down.report).toEqual({
          ready: false,
          checks: { redis: { ok: false, detail: expect.stringContaining('ECONNREFUSED') } },
        });
      });
    } finally {
      await redis.cleanup();
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'No route GET /nope.' });
  });
});

describe('POST /v1/turns authentication', () => {
  it('refuses a request without a token', async () => {
    const result = await post('/v1/turns/sync', body(), {});
    expect(result).toEqual({ status: 401, body: { error: expect.stringMatching(/Missing Authorization/) } });
  });

  it('refuses a wrong token, a token of another length and a non-bearer scheme', async () => {
    for (const header of [
      `Bearer ${TOKEN.slice(0, -1)}x`,
      'Bearer short',
      `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`,
    ]) {
      const result = await post('/v1/turns/sync', body(), { Authorization: header });
      expect(result.status).toBe(401);
      expect(result.body.error).toMatch(/Invalid bearer token|not a Bearer token/);
    }
  });

  it('checks the token before reading the body', async () => {
    const result = await post('/v1/turns', 'not json', { Authorization: 'Bearer wrong' });
    // Body parsing happens first in fastify, so a malformed body is a 400 whoever sends it; it reveals nothing.
    expect([400, 401]).toContain(result.status);
    const valid = await post('/v1/turns', { nothing: true }, { Authorization: 'Bearer wrong' });
    expect(valid.status).toBe(401);
  });
});

describe('POST /v1/turns validation', () => {
  it('answers 400 with a readable message for a malformed body', async () => {
    const result = await post('/v1/turns/sync', body({ requestingUserId: 'not-an-id', extra: 1 }));
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/requestingUserId/);
    expect(result.body.error).toMatch(/extra/);
    expect((await post('/v1/turns/sync', '{"broken":')).status).toBe(400);
  });

  it('refuses a body that is not UTF-8 instead of running a turn on replacement characters', async () => {
    const json = Buffer.from(JSON.stringify(body()));
    const bad = Buffer.concat([
      json.subarray(0, json.length - 2),
      Buffer.from([0xc3, 0x28]),
      json.subarray(json.length - 2),
    ]);
    const response = await fetch(`${base}/v1/turns/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: bad,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'The request body is not valid UTF-8.' });
  });

  it('refuses a request for another org', async () => {
    const result = await post('/v1/turns/sync', body({ organizationId: '00D000000000001AAA' }));
    expect(result).toEqual({
      status: 403,
      body: { error: 'organizationId does not match the org this worker serves.' },
    });
  });

  it('refuses a user the connected app does not pre-authorize, without starting anything', async () => {
    const result = await post('/v1/turns/sync', body({ requestingUserId: userId('unapproved@lending.test') }));
    expect(result.status).toBe(403);
    expect(result.body.error).toMatch(/cannot use the worker: invalid_grant/);
  });

  it('refuses a user without Loom_User: no turn is recorded or enqueued for them', async () => {
    const nobody = userId('nobody@lending.test');
    const result = await post('/v1/turns/sync', body({ requestingUserId: nobody }));
    expect([403, 404]).toContain(result.status);
    expect(emulator.admin.records('AgentExecution__c').filter((row) => row.RequestingUser__c === nobody)).toEqual([]);
  });

  it('answers 404 for an agent the user cannot see', async () => {
    const result = await post('/v1/turns/sync', body({ agentDeveloperName: 'No_Such_Agent' }));
    expect(result.status).toBe(404);
  });
});

describe('POST /v1/turns/sync', () => {
  it('runs the turn as the requesting user and returns the answer in the shape AgentWorkerClient reads', async () => {
    const request = body();
    const result = await post('/v1/turns/sync', request);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      executionId: expect.stringMatching(/^[A-Za-z0-9]{18}$/),
      status: 'Completed',
      turnIdentifier: request.turnIdentifier,
      responseText: expect.stringMatching(/found 2 matching application/),
    });
    // The execution belongs to the officer: the turn ran as them, not as the integration user.
    const admin = service.runtime.clientFor('admin@lending.test');
    const { records } = await admin.query<{ RequestingUser__c: string; TriggerSource__c: string }>(
      `SELECT RequestingUser__c, TriggerSource__c FROM AgentExecution__c WHERE Id = '${String(result.body.executionId)}'`,
    );
    expect(records[0]?.RequestingUser__c.slice(0, 15)).toBe(userId('officer@lending.test').slice(0, 15));
    expect(records[0]?.TriggerSource__c).toBe('Apex');
  });

  it('applies the requesting user’s field access: the underwriter sees the risk tier, the officer does not', async () => {
    const officer = await post('/v1/turns/sync', body({ message: 'What is the risk tier of HL-1001?' }));
    expect(officer.body.responseText).toMatch(/access does not include/);
    const underwriter = await post(
      '/v1/turns/sync',
      body({ message: 'What is the risk tier of HL-1001?', requestingUserId: userId('underwriter@lending.test') }),
    );
    expect(underwriter.body.responseText).toMatch(/risk tier B\./);
  });

  it('POST /v1/turns answers 202 at once, or waits when asked', async () => {
    const queued = await post('/v1/turns', body());
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'Pending', responseText: null });
    const waited = await post('/v1/turns?wait=20000', body());
    expect(waited.body).toMatchObject({ status: 'Completed' });
    expect((await post('/v1/turns?wait=999999', body())).status).toBe(400);
  });
});

describe('GET /metrics', () => {
  it('exports turns, steps, LLM, tool, HTTP, API allocation and ingestion series in Prometheus format', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/loom_turns_total\{status="Completed"\} [1-9]/);
    expect(text).toMatch(/loom_steps_total\{type="ToolResult"\} [1-9]/);
    expect(text).toMatch(/loom_tool_calls_total\{tool="query_applications",outcome="error"\} [1-9]/);
    expect(text).toMatch(/loom_llm_tokens_total\{model="scripted-lending-1"\} [1-9]/);
    expect(text).toMatch(/loom_llm_latency_seconds_count\{model="scripted-lending-1"\} [1-9]/);
    expect(text).toMatch(/loom_http_turn_requests_total\{route="\/v1\/turns\/sync",status="401"\} [1-9]/);
    expect(text).toMatch(/loom_salesforce_api_allocation 15000/);
    expect(text).toMatch(/loom_salesforce_api_calls_used [1-9]/);
    expect(text).toMatch(/loom_jobs_total\{kind="turn",status="completed"\} [1-9]/);
    // The turns of this file came over /v1/turns: recorded as the user and enqueued without a request event.
    expect(text).toMatch(/loom_ingestion_events\{counter="startedOverHttp"\} [1-9]/);
    expect(text).toMatch(/loom_ingestion_events\{counter="received"\} \d/);
    expect(text).toMatch(/loom_queue_depth \d/);
    expect(text).toMatch(/^loom_approvals_pending 0$/m);
  });
});

describe('signed requests', () => {
  it('requires a valid body signature when a signing key is configured', async () => {
    const key = 'signing-key-0123456789-0123456789-abcdef';
    const app = createOpsServer({
      logger: silentLogger(),
      readiness: [],
      turns: service.turns,
      token: TOKEN,
      signingKey: key,
      syncWaitMs: 20_000,
    });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      const payload = JSON.stringify(body());
      const now = Math.floor(Date.now() / 1000);
      const auth = { Authorization: `Bearer ${TOKEN}` };
      expect((await post('/v1/turns/sync', payload, auth, url)).status).toBe(401);
      const forged = await post(
        '/v1/turns/sync',
        payload,
        { ...auth, 'X-Loom-Timestamp': String(now), 'X-Loom-Signature': signBody(key, now, `${payload} `) },
        url,
      );
      expect(forged).toEqual({ status: 401, body: { error: 'Invalid request signature.' } });
      const old = now - 3600;
      const replayed = await post(
        '/v1/turns/sync',
        payload,
        { ...auth, 'X-Loom-Timestamp': String(old), 'X-Loom-Signature': signBody(key, old, payload) },
        url,
      );
      expect(replayed.body.error).toMatch(/5-minute window/);
      const signed = await post(
        '/v1/turns/sync',
        payload,
        { ...auth, 'X-Loom-Timestamp': String(now), 'X-Loom-Signature': signBody(key, now, payload) },
        url,
      );
      expect(signed.status).toBe(200);
      expect(signed.body.status).toBe('Completed');
    } finally {
      await app.close();
    }
  });

  it('refuses unsigned turns by default: without a signing key, a body naming a user is not trusted', async () => {
    const app = createOpsServer({
      logger: silentLogger(),
      readiness: [],
      turns: service.turns,
      token: TOKEN,
      syncWaitMs: 1_000,
    });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      const result = await post('/v1/turns/sync', body(), { Authorization: `Bearer ${TOKEN}` }, url);
      expect(result).toEqual({
        status: 401,
        body: { error: expect.stringMatching(/requires signed requests: set LOOM_HTTP_SIGNING_KEY/) },
      });
    } finally {
      await app.close();
    }
  });

  it('refuses to start with unsigned turns allowed on a non-loopback address', async () => {
    const { app, privateKeyFile } = devCredentials(emulator);
    await expect(
      startService({
        env: {
          SF_LOGIN_URL: emulator.url,
          SF_CLIENT_ID: app.consumerKey,
          SF_PRIVATE_KEY_FILE: privateKeyFile,
          SF_INTEGRATION_USERNAME: 'worker@lending.test',
          LOOM_STATE_DIR: stateDir,
          LOOM_HTTP_TOKEN: TOKEN,
          LOOM_HTTP_ALLOW_UNSIGNED: 'true',
        },
        logger: silentLogger(),
        provider: new ScriptedProvider(LENDING_SCRIPT),
        http: { host: '0.0.0.0', port: 0 },
      }),
    ).rejects.toThrow(/LOOM_HTTP_ALLOW_UNSIGNED=true is for local development.*0\.0\.0\.0/);
  });

  it('refuses every turn when no token is configured', async () => {
    const app = createOpsServer({
      logger: silentLogger(),
      readiness: [],
      turns: service.turns,
      token: undefined,
      syncWaitMs: 1_000,
    });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      const result = await post('/v1/turns/sync', body(), { Authorization: `Bearer ${TOKEN}` }, url);
      expect(result).toEqual({ status: 401, body: { error: expect.stringMatching(/LOOM_HTTP_TOKEN is not set/) } });
    } finally {
      await app.close();
    }
  });
});

describe('limits and switched-off parts', () => {
  it('answers 503 to an authenticated turn on a server without a turn service, 401 to an unauthenticated one', async () => {
    const app = createOpsServer({
      logger: silentLogger(),
      readiness: [],
      token: TOKEN,
      allowUnsigned: true,
      syncWaitMs: 1_000,
    });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      expect(await post('/v1/turns', body(), { Authorization: 'Bearer wrong' }, url)).toMatchObject({ status: 401 });
      expect(await post('/v1/turns', body(), undefined, url)).toEqual({
        status: 503,
        body: { error: 'This worker does not accept turns.' },
      });
    } finally {
      await app.close();
    }
  });

  it('answers /metrics 404 when metrics are switched off', async () => {
    const app = createOpsServer({ logger: silentLogger(), readiness: [], token: TOKEN, syncWaitMs: 1_000 });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'Metrics are disabled (LOOM_METRICS=false).' });
    } finally {
      await app.close();
    }
  });

  it('answers 429 to a synchronous turn beyond maxWaiting, and serves the waiting one', async () => {
    let release!: (answer: TurnResponseBody) => void;
    const answer = new Promise<TurnResponseBody>((resolve) => (release = resolve));
    const started: string[] = [];
    const turns = {
      start: async (request: { turnIdentifier: string }) => {
        started.push(request.turnIdentifier);
        return { executionId: 'a05EM0000000001YAA', turnIdentifier: request.turnIdentifier };
      },
      waitFor: () => answer,
    } as unknown as TurnService;
    const app = createOpsServer({
      logger: silentLogger(),
      readiness: [],
      turns,
      token: TOKEN,
      allowUnsigned: true,
      syncWaitMs: 5_000,
      maxWaiting: 1,
    });
    const url = await listenOps(app, '127.0.0.1', 0);
    try {
      const first = body();
      const waiting = post('/v1/turns/sync', first, undefined, url);
      await expect.poll(() => started.length).toBe(1);
      const busy = await post('/v1/turns/sync', body(), undefined, url);
      expect(busy).toEqual({
        status: 429,
        body: { error: 'Too many synchronous turns are waiting; try again later.' },
      });
      // The refused caller started nothing; an asynchronous turn does not wait, so it is not limited.
      expect(started).toHaveLength(1);
      expect((await post('/v1/turns', body(), undefined, url)).status).toBe(202);
      const done = {
        executionId: 'a05EM0000000001YAA',
        status: 'Completed',
        turnIdentifier: String(first.turnIdentifier),
        responseText: 'ok',
      };
      release(done);
      expect(await waiting).toEqual({ status: 200, body: done });
      // The slot is free again.
      expect((await post('/v1/turns/sync', body(), undefined, url)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
