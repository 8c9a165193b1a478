/** `loom doctor` against the emulator: one configuration that passes and several broken ones, each with its fix. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import pc from 'picocolors';
import { formatDoctor, runDoctor, type DoctorCheck } from '../../src/ops/doctor/index.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';
import { startRedis, type RedisHandle } from '../support/redis.ts';

const API_KEY = 'sk-test-doctor';
let emulator: EmulatorHandle;
let redis: RedisHandle;
let llm: Server;
let llmUrl: string;
let dir: string;
let closedPort: number;

async function freeClosedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { app, privateKeyFile } = devCredentials(emulator);
  const base: Record<string, string | undefined> = {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: app.consumerKey,
    SF_PRIVATE_KEY_FILE: privateKeyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
    REDIS_URL: redis.url,
    LOOM_LLM_BASE_URL: llmUrl,
    LOOM_LLM_API_KEY: API_KEY,
    LOOM_LLM_MODEL: 'gpt-test',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(base).filter(([, value]) => value !== undefined));
}

const byName = (checks: DoctorCheck[], pattern: RegExp): DoctorCheck => {
  const check = checks.find((item) => pattern.test(item.name));
  if (!check) throw new Error(`no check matches ${pattern}: ${checks.map((item) => item.name).join(', ')}`);
  return check;
};
const failed = (checks: DoctorCheck[]): string[] =>
  checks.filter((check) => check.status === 'fail').map((check) => check.name);

beforeAll(async () => {
  emulator = await startTestEmulator();
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'loom-doctor-'));
  closedPort = await freeClosedPort();
  // A minimal OpenAI-compatible endpoint: GET /v1/models with the right key answers 200, anything else 401.
  llm = createServer((req, res) => {
    const ok = req.url === '/v1/models' && req.headers.authorization === `Bearer ${API_KEY}`;
    res
      .writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(ok ? { data: [{ id: 'gpt-test' }] } : { error: { message: 'bad key' } }));
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  llmUrl = `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => llm.close(resolve));
  await redis.cleanup();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('loom doctor', () => {
  it('passes a complete, correct configuration and says so', async () => {
    const seen: string[] = [];
    const checks = await runDoctor({
      env: env(),
      sampleUser: 'officer@lending.test',
      timeoutMs: 5_000,
      onCheck: (check) => seen.push(check.name),
    });
    expect(failed(checks)).toEqual([]);
    expect(checks.map((check) => check.status)).toEqual(Array(checks.length).fill('pass'));
    expect(seen).toEqual(checks.map((check) => check.name));
    expect(checks.map((check) => check.name)).toEqual([
      'Configuration',
      'JWT login as the integration user (worker@lending.test)',
      'JWT login as a sample user (officer@lending.test)',
      'Loom package objects and events',
      'Custom permission Loom_StartAgentTurns for officer@lending.test',
      'Event subscription (/event/AgentTurnRequest__e, /event/AgentHITLDecision__e)',
      'Redis reachable',
      'LLM endpoint reachable',
    ]);
    const text = formatDoctor(checks, pc.createColors(false)).join('\n');
    expect(text).toMatch(/^✔ JWT login as the integration user/m);
    expect(text).toMatch(/All checks passed\.$/);
  });

  it('reports a private key that does not match the certificate', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, 'wrong.key');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const checks = await runDoctor({ env: env({ SF_PRIVATE_KEY_FILE: file }), timeoutMs: 5_000 });
    const login = byName(checks, /integration user/);
    expect(login.status).toBe('fail');
    expect(login.detail).toMatch(/invalid assertion/);
    expect(login.fix).toMatch(/private key does not match the certificate/);
    // Nothing downstream pretends to pass without a session.
    expect(byName(checks, /Package, permission set and subscription/).status).toBe('skip');
    expect(formatDoctor(checks, pc.createColors(false)).join('\n')).toMatch(
      /✖ JWT login as the integration user[^\n]*\n {4}fix: The private key/,
    );
  });

  it('reports a user the connected app does not pre-authorize', async () => {
    const checks = await runDoctor({ env: env(), sampleUser: 'unapproved@lending.test', timeoutMs: 5_000 });
    expect(failed(checks)).toEqual(['JWT login as a sample user (unapproved@lending.test)']);
    const check = byName(checks, /sample user/);
    expect(check.detail).toMatch(/hasn't approved this consumer/);
    expect(check.fix).toMatch(/Pre-authorize unapproved@lending.test.*Loom_User/);
  });

  it('reports missing permission set assignments', async () => {
    // The integration user is not an admin (Modify All Data would reach every object and event without Loom_Worker).
    const checks = await runDoctor({
      env: env({ SF_INTEGRATION_USERNAME: 'nobody@lending.test' }),
      sampleUser: 'nobody@lending.test',
      timeoutMs: 5_000,
    });
    // Without Loom_Worker the integration user also cannot see the Loom events or subscribe to them; every fix says so.
    expect(failed(checks)).toEqual([
      'Loom package objects and events',
      'Custom permission Loom_StartAgentTurns for nobody@lending.test',
      'Event subscription (/event/AgentTurnRequest__e, /event/AgentHITLDecision__e)',
    ]);
    expect(byName(checks, /Loom_StartAgentTurns/).fix).toMatch(/--name Loom_User --on-behalf-of nobody@lending.test/);
    for (const name of [/package objects/, /Event subscription/])
      expect(byName(checks, name).fix).toMatch(/Loom_Worker/);
  });

  it('reports Redis that does not answer', async () => {
    const checks = await runDoctor({ env: env({ REDIS_URL: `redis://127.0.0.1:${closedPort}` }), timeoutMs: 2_000 });
    expect(failed(checks)).toEqual(['Redis reachable']);
    expect(byName(checks, /Redis/).fix).toMatch(/Start Redis or fix REDIS_URL/);
  });

  it('reports an unreachable LLM endpoint and a refused key', async () => {
    const unreachable = await runDoctor({
      env: env({ LOOM_LLM_BASE_URL: `http://127.0.0.1:${closedPort}/v1` }),
      timeoutMs: 2_000,
    });
    expect(failed(unreachable)).toEqual(['LLM endpoint reachable']);
    expect(byName(unreachable, /LLM/).detail).toMatch(/ECONNREFUSED/);
    expect(byName(unreachable, /LLM/).fix).toMatch(/LOOM_LLM_BASE_URL/);
    const refused = await runDoctor({ env: env({ LOOM_LLM_API_KEY: 'sk-wrong' }), timeoutMs: 2_000 });
    expect(byName(refused, /LLM/)).toMatchObject({ status: 'fail', fix: expect.stringMatching(/LOOM_LLM_API_KEY/) });
  });

  it('fails a missing model, as the worker refuses to start without one', async () => {
    const checks = await runDoctor({
      env: env({ LOOM_LLM_BASE_URL: undefined, LOOM_LLM_API_KEY: undefined, LOOM_LLM_MODEL: undefined }),
      timeoutMs: 2_000,
    });
    expect(byName(checks, /LLM/)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no model configured/),
      fix: expect.stringMatching(/LOOM_LLM_API_KEY/),
    });
  });

  it('fails an endpoint that answers 404 or does not answer as the provider API does', async () => {
    const other = createServer((req, res) => {
      if (req.url?.startsWith('/html/'))
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>welcome</html>');
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    try {
      const notFound = await runDoctor({ env: env({ LOOM_LLM_BASE_URL: `${base}/v1` }), timeoutMs: 2_000 });
      expect(byName(notFound, /LLM/)).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/HTTP 404/),
        fix: expect.stringMatching(/LOOM_LLM_BASE_URL/),
      });
      const page = await runDoctor({ env: env({ LOOM_LLM_BASE_URL: `${base}/html/v1` }), timeoutMs: 2_000 });
      expect(byName(page, /LLM/)).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/not with a model list/),
      });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('reports incomplete and invalid configuration without touching the network', async () => {
    const incomplete = await runDoctor({ env: { REDIS_URL: undefined } as NodeJS.ProcessEnv });
    expect(byName(incomplete, /^Configuration$/).detail).toMatch(
      /SF_LOGIN_URL: is not set[^\n]*Fix: [\s\S]*SF_CLIENT_ID: is not set/,
    );
    const invalid = await runDoctor({ env: { SF_LOGIN_URL: 'not a url' } });
    expect(invalid).toEqual([
      expect.objectContaining({ name: 'Configuration', status: 'fail', detail: expect.stringMatching(/SF_LOGIN_URL/) }),
    ]);
  });
});
