/**
 * The HttpCallout tool's guard rails, run through UserToolExecutor against local endpoints: allow-list, DNS answers
 * that point inside, https, secrets, redirects, size cap, timeout and shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { silentLogger } from '../../src/logger.ts';
import type { ToolDefinition } from '../../src/runtime/ports.ts';
import { createRuntime } from '../../src/worker/runtime-deps.ts';
import { isPrivateAddress } from '../../src/runtime/tools/callout-guard.ts';
import { DescribeCache } from '../../src/runtime/tools/describe-cache.ts';
import { UserToolExecutor } from '../../src/runtime/tools/toolbox.ts';
import { toolSettingsFromConfig, type ToolSettings } from '../../src/runtime/tools/tool-settings.ts';
import type { SalesforceClient } from '../../src/salesforce/rest-client.ts';
import { MemoryTokenVault } from '../../src/governance/pii/index.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { devCredentials, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';
import { USERS } from '../support/runtime.ts';
import { sendJson, startEndpoint, type TestEndpoint } from './tools-support.ts';

let emulator: EmulatorHandle;
let client: SalesforceClient;
let endpoint: TestEndpoint;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const { app, privateKeyPem } = devCredentials(emulator);
  const runtime = createRuntime({
    loginUrl: emulator.url,
    clientId: app.consumerKey,
    privateKeyPem,
    integrationUsername: USERS.worker,
    apiVersion: TEST_API_VERSION,
    logger: silentLogger(),
    provider: new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'unused' } }] }),
    vault: new MemoryTokenVault(),
  });
  client = runtime.clientFor(USERS.officer);
  endpoint = await startEndpoint((req, res) => {
    if (req.url === '/echo')
      return sendJson(res, 200, {
        method: req.method,
        contentType: req.headers['content-type'] ?? null,
        body: req.body,
      });
    if (req.url === '/hop') {
      res.writeHead(301, { location: '/echo' });
      return res.end();
    }
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('plain words');
    }
    if (req.url === '/broken-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"not json');
    }
    if (req.url === '/big') return sendJson(res, 200, { data: 'x'.repeat(5000) });
    if (req.url === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('"');
      for (let i = 0; i < 10; i += 1) res.write('y'.repeat(1000));
      return res.end('"');
    }
    if (req.url === '/slow') return; // never answers
    sendJson(res, 503, { error: 'down for maintenance' });
  });
});
afterAll(async () => {
  await endpoint.close();
  await emulator.close();
});

function calloutTool(config: Record<string, unknown>): ToolDefinition {
  return {
    name: 'callout',
    description: 'test callout',
    parameters: { type: 'object' },
    capabilityId: 'a00000000000001',
    hitlMode: '',
    implementationType: 'HttpCallout',
    implementationDetail: '',
    backendConfiguration: config,
    sideEffects: true,
  };
}

async function run(
  config: Record<string, unknown>,
  args: Record<string, unknown> = {},
  settings: ToolSettings = { calloutAllowlist: ['127.0.0.1'] },
  signal = new AbortController().signal,
) {
  const executor = new UserToolExecutor(client, new DescribeCache(), undefined, settings);
  const before = endpoint.requests.length;
  const outcome = await executor.execute(calloutTool(config), args, { toolCallId: 'call-1', signal });
  return { outcome, requests: endpoint.requests.slice(before) };
}

describe('where a callout may go', () => {
  it('makes no callout at all when the worker has no allow-list (the default)', async () => {
    const { outcome, requests } = await run({ url: `${endpoint.url}/echo` }, {}, {});
    expect(outcome).toMatchObject({ ok: false, errorCategory: 'CalloutNotAllowed' });
    expect(JSON.stringify(outcome.result)).toContain('LOOM_CALLOUT_ALLOWLIST');
    expect(requests).toHaveLength(0);
  });

  it('refuses an allow-listed name that resolves to a loopback address the list does not name', async () => {
    const { outcome, requests } = await run(
      { url: `http://localhost:${endpoint.port}/echo` },
      {},
      { calloutAllowlist: ['localhost'] },
    );
    expect(outcome).toMatchObject({ ok: false, errorCategory: 'CalloutNotAllowed' });
    expect(JSON.stringify(outcome.result)).toMatch(/private address/);
    expect(requests).toHaveLength(0);
  });

  it('connects through DNS when the name and the addresses it resolves to are all allow-listed', async () => {
    const { outcome, requests } = await run(
      { url: `http://localhost:${endpoint.port}/echo` },
      {},
      { calloutAllowlist: ['localhost', '127.0.0.1', '::1'] },
    );
    expect(outcome).toMatchObject({ ok: true, result: { status: 200 } });
    expect(requests).toHaveLength(1);
  });

  it('requires https except to loopback, and refuses credentials in the URL', async () => {
    const plain = await run({ url: 'http://api.example.com/v1' }, {}, { calloutAllowlist: ['api.example.com'] });
    expect(plain.outcome).toMatchObject({ ok: false, errorCategory: 'CalloutNotAllowed' });
    expect(JSON.stringify(plain.outcome.result)).toContain('https');
    const creds = await run({ url: `http://user:pw@127.0.0.1:${endpoint.port}/echo` });
    expect(creds.outcome).toMatchObject({ ok: false, errorCategory: 'CalloutNotAllowed' });
    expect(creds.requests).toHaveLength(0);
  });

  it('refuses configurations that let arguments choose the host, or that it does not understand', async () => {
    for (const config of [
      { url: 'https://{host}/v1' },
      { url: `${endpoint.url}/echo`, methd: 'POST' },
      { url: `${endpoint.url}/echo`, headers: { Host: 'evil' } },
      { url: 'ftp://x/y' },
    ]) {
      const { outcome, requests } = await run(config);
      expect(outcome).toMatchObject({ ok: false, errorCategory: 'Configuration' });
      expect(requests).toHaveLength(0);
    }
  });

  it('follows a redirect within the same origin', async () => {
    const { outcome, requests } = await run({ url: `${endpoint.url}/hop` });
    expect(outcome).toMatchObject({ ok: true, result: { status: 200, body: { method: 'GET' } } });
    expect(requests.map((request) => request.url)).toEqual(['/hop', '/echo']);
  });
});

describe('what is sent and what comes back', () => {
  it('POSTs the arguments not used in the URL as JSON', async () => {
    const { outcome } = await run(
      { url: `${endpoint.url}/{path}`, method: 'POST' },
      { path: 'echo', amount: 12, note: 'hi' },
    );
    expect(outcome).toMatchObject({
      ok: true,
      result: { body: { method: 'POST', contentType: 'application/json', body: '{"amount":12,"note":"hi"}' } },
    });
  });

  it('refuses to run when a header secret is missing from the worker environment', async () => {
    const { outcome, requests } = await run({
      url: `${endpoint.url}/echo`,
      headers: { Authorization: 'env:MISSING_TOKEN' },
    });
    expect(outcome).toMatchObject({ ok: false, errorCategory: 'Configuration' });
    expect(JSON.stringify(outcome.result)).toContain('MISSING_TOKEN');
    expect(requests).toHaveLength(0);
  });

  it('asks for the URL arguments it needs', async () => {
    const { outcome, requests } = await run({ url: `${endpoint.url}/v1/{id}` }, { id: { nested: true } });
    expect(outcome).toMatchObject({ ok: false, errorCategory: 'InvalidArguments' });
    expect(requests).toHaveLength(0);
  });

  it('returns text bodies as text and reports HTTP errors with their body', async () => {
    expect((await run({ url: `${endpoint.url}/text` })).outcome).toMatchObject({
      ok: true,
      result: { status: 200, body: 'plain words' },
    });
    expect((await run({ url: `${endpoint.url}/broken-json` })).outcome).toMatchObject({
      ok: true,
      result: { body: '{"not json' },
    });
    expect((await run({ url: `${endpoint.url}/down` })).outcome).toMatchObject({
      ok: false,
      errorCategory: 'CalloutHttpError',
      result: { status: 503, body: { error: 'down for maintenance' } },
    });
  });

  it('caps the response size, declared or streamed', async () => {
    for (const path of ['/big', '/big-chunked']) {
      const { outcome } = await run({ url: `${endpoint.url}${path}`, maxResponseBytes: 1024 });
      expect(outcome).toMatchObject({ ok: false, errorCategory: 'CalloutResponseTooLarge' });
    }
  });

  it('gives up after the configured timeout, and stops when the worker shuts down', async () => {
    expect((await run({ url: `${endpoint.url}/slow`, timeoutMs: 50 })).outcome).toMatchObject({
      ok: false,
      errorCategory: 'CalloutTimeout',
    });
    const shutdown = new AbortController();
    const pending = run(
      { url: `${endpoint.url}/slow`, timeoutMs: 60_000 },
      {},
      { calloutAllowlist: ['127.0.0.1'] },
      shutdown.signal,
    );
    setImmediate(() => shutdown.abort());
    expect((await pending).outcome).toMatchObject({ ok: false, errorCategory: 'CalloutAborted' });
  });
});

describe('isPrivateAddress', () => {
  it('knows loopback, private, link-local and mapped addresses from public ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '[::1]',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:808:808', 'api.example.com'])
      expect(isPrivateAddress(address), address).toBe(false);
  });
});

describe('LOOM_CALLOUT_ALLOWLIST', () => {
  it('is empty by default and takes bare hosts only', () => {
    expect(toolSettingsFromConfig(loadConfig({}), {}).calloutAllowlist).toEqual([]);
    expect(
      toolSettingsFromConfig(loadConfig({ LOOM_CALLOUT_ALLOWLIST: 'api.example.com, 127.0.0.1,[::1]' }), {})
        .calloutAllowlist,
    ).toEqual(['api.example.com', '127.0.0.1', '[::1]']);
    for (const bad of [
      'https://api.example.com',
      'api.example.com:443',
      'abc.de:443',
      'api.example.com/v1',
      '*.example.com',
    ]) {
      expect(() => loadConfig({ LOOM_CALLOUT_ALLOWLIST: bad }), bad).toThrow(/LOOM_CALLOUT_ALLOWLIST/);
    }
  });
});
