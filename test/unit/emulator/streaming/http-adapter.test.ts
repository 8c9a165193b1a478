import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, startHarness, type Harness } from './harness.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(async () => {
  await harness.close();
});

interface RawResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** A raw HTTP call; `chunks` are written separately so the body goes out chunked, without a Content-Length. */
function call(
  path: string,
  options: { method?: string; chunks?: string[]; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${harness.instanceUrl}${path}`,
      { method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

const handshake = JSON.stringify([{ channel: '/meta/handshake', version: '1.0', id: '1' }]);

describe('serveCometd over HTTP', () => {
  it('answers Bayeux over POST with JSON and HTTP 200, even for Bayeux-level failures', async () => {
    const token = harness.tokens.issue(ALICE);
    const ok = await call('/cometd/62.0', {
      chunks: [handshake],
      headers: { Authorization: `OAuth ${token}`, 'Content-Type': 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(ok.contentType).toBe('application/json;charset=UTF-8');
    expect(JSON.parse(ok.body)[0]).toMatchObject({ successful: true });
    const denied = await call('/cometd/62.0', { chunks: [handshake], headers: { 'Content-Type': 'application/json' } });
    expect(denied.status).toBe(200);
    expect(JSON.parse(denied.body)[0]).toMatchObject({ successful: false, error: '403::Handshake denied' });
  });

  it("refuses a missing or pre-37.0 version with Salesforce's texts", async () => {
    const missing = await call('/cometd', { chunks: [handshake] });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toEqual([
      {
        channel: '/meta/handshake',
        id: '1',
        successful: false,
        error: "400::API version in the URI is mandatory. URI format: '/cometd/66.0'",
      },
    ]);
    const old = await call('/cometd/36.0', { chunks: [handshake] });
    expect(old.status).toBe(400);
    expect(JSON.parse(old.body)[0].error).toBe(
      "400::Unsupported API version. Only API versions '37.0' and later are supported.",
    );
  });

  it('refuses bodies over 32,768 bytes, with or without a Content-Length', async () => {
    const big = JSON.stringify([{ channel: '/meta/handshake', ext: { pad: 'x'.repeat(33_000) } }]);
    expect(
      await call('/cometd/62.0', { chunks: [big], headers: { 'Content-Length': String(Buffer.byteLength(big)) } }),
    ).toMatchObject({
      status: 413,
      body: 'Maximum Request Size Exceeded',
    });
    expect(await call('/cometd/62.0', { chunks: [big.slice(0, 20_000), big.slice(20_000)] })).toMatchObject({
      status: 413,
      body: 'Maximum Request Size Exceeded',
    });
    const fits = JSON.stringify([{ channel: '/meta/handshake', ext: { pad: 'x'.repeat(32_000) } }]);
    expect((await call('/cometd/62.0', { chunks: [fits] })).status).toBe(200);
  });

  it('does not upgrade WebSocket requests and refuses other methods', async () => {
    const upgrade = await call('/cometd/62.0', {
      method: 'GET',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    expect(upgrade.status).toBe(405);
    expect(harness.upgradeAttempts()).toBe(1);
  });

  it('answers malformed JSON with 400', async () => {
    expect((await call('/cometd/62.0', { chunks: ['[{"channel":'] })).status).toBe(400);
  });
});
