import jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { tokenIdOf } from '../../src/emulator/http/tokens.ts';
import { jwtToken, startTestEmulator } from '../support/emulator.ts';

let emu: EmulatorHandle;

const limitsAs = (token: string): Promise<Response> =>
  fetch(`${emu.url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${token}` } });
const adminCall = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
  const response = await fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
};

beforeAll(async () => {
  emu = await startTestEmulator();
});
beforeEach(() => emu.admin.reset());
afterAll(async () => emu.close());

describe('API allocation', () => {
  it('keeps /limits DailyApiRequests consistent with Sforce-Limit-Info', async () => {
    const token = await jwtToken(emu, 'officer@lending.test');
    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: token, version: '62.0' });
    await conn.query('SELECT Id FROM Loan_Application__c');
    const limits = await conn.limits();
    const { used, limit } = conn.limitInfo.apiUsage ?? { used: -1, limit: -1 };
    expect(used).toBe(2);
    expect(limits.DailyApiRequests).toEqual({ Max: limit, Remaining: limit - used });
    expect(limits).toHaveProperty('DailyDeliveredPlatformEvents.Max');
    expect(limits).toHaveProperty('HourlyPublishedPlatformEvents.Max');
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the allocation is spent, without counting refusals', async () => {
    const token = await jwtToken(emu, 'officer@lending.test');
    emu.admin.setApiLimit(3);
    for (let i = 0; i < 3; i++) expect((await limitsAs(token)).status).toBe(200);
    const refused = await limitsAs(token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    expect(await refused.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: token, version: '62.0' });
    await expect(conn.query('SELECT Id FROM Contact')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(emu.admin.usage().used).toBe(3);

    emu.admin.setApiLimit(100);
    expect((await limitsAs(token)).status).toBe(200);
    emu.admin.exhaustApiLimit();
    expect((await limitsAs(token)).status).toBe(403);

    // A rolling 24-hour window: yesterday's requests stop counting. (Long idle would kill the token, so mint anew.)
    emu.admin.advanceClock(24 * 3600 * 1000 + 60_000);
    const fresh = await jwtToken(emu, 'officer@lending.test');
    const next = await limitsAs(fresh);
    expect(next.status).toBe(200);
    expect(next.headers.get('sforce-limit-info')).toBe('api-usage=1/100');
  });

  it('attributes every request to its user and token in the usage counters and the request log', async () => {
    const officer = await jwtToken(emu, 'officer@lending.test');
    const officerAgain = await jwtToken(emu, 'officer@lending.test');
    const worker = await jwtToken(emu, 'worker@lending.test');
    await limitsAs(officer);
    await limitsAs(officer);
    await limitsAs(officerAgain);
    await limitsAs(worker);
    await limitsAs('00Dforged!token');

    const ids = (username: string): string => emu.org.userByUsername(username)?.id ?? '';
    const usage = emu.admin.usage();
    expect(usage.byUser).toEqual({ [ids('officer@lending.test')]: 3, [ids('worker@lending.test')]: 1 });
    expect(usage.byToken).toEqual({ [tokenIdOf(officer)]: 2, [tokenIdOf(officerAgain)]: 1, [tokenIdOf(worker)]: 1 });

    const rest = emu.admin.requestLog().filter((e) => e.path === '/services/data/v62.0/limits');
    expect(rest.map((e) => [e.userId, e.tokenId, e.status, e.counted])).toEqual([
      [ids('officer@lending.test'), tokenIdOf(officer), 200, true],
      [ids('officer@lending.test'), tokenIdOf(officer), 200, true],
      [ids('officer@lending.test'), tokenIdOf(officerAgain), 200, true],
      [ids('worker@lending.test'), tokenIdOf(worker), 200, true],
      [null, null, 401, false],
    ]);
    expect(JSON.stringify(emu.admin.requestLog())).not.toContain(officer);
  });
});

describe('faults', () => {
  it('fails the next N requests with 503 and drops connections without a response', async () => {
    const token = await jwtToken(emu, 'officer@lending.test');
    emu.admin.failNext(1, { pathPrefix: '/services/data' });
    const failed = await limitsAs(token);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual([{ message: 'Service Unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
    expect((await limitsAs(token)).status).toBe(200);

    emu.admin.dropNext(1);
    await expect(limitsAs(token)).rejects.toThrow();
    expect((await limitsAs(token)).status).toBe(200);
    expect(emu.admin.requestLog().some((e) => e.status === 0)).toBe(true);
  });

  it('lets jsforce ride out transient 503s with its own retries', async () => {
    const token = await jwtToken(emu, 'officer@lending.test');
    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: token, version: '62.0' });
    emu.admin.failNext(2, { pathPrefix: '/services/data' });
    const result = await conn.query('SELECT Id FROM Loan_Application__c');
    expect(result.totalSize).toBeGreaterThan(0);
    expect(emu.admin.requestLog().filter((e) => e.status === 503)).toHaveLength(2);
  });
});

describe('admin HTTP surface', () => {
  it('exposes usage, the request log, records as system, faults, limits and reset over HTTP', async () => {
    const token = await jwtToken(emu, 'worker@lending.test');
    await limitsAs(token);
    const usage = await adminCall('GET', '/usage');
    expect(usage).toMatchObject({ status: 200, json: { used: 1, limit: 15000 } });
    const log = await adminCall('GET', '/requests');
    expect((log.json as unknown[]).length).toBeGreaterThan(0);
    const records = await adminCall('GET', '/records/Loan_Application__c');
    expect(records.status).toBe(200);
    // System view: every application, including fields the worker cannot see.
    expect((records.json as Array<Record<string, unknown>>).length).toBe(12);
    expect((records.json as Array<Record<string, unknown>>)[0]).toHaveProperty('Risk_Tier__c');

    expect((await adminCall('POST', '/faults', { failNext: { count: 1, status: 500 } })).status).toBe(200);
    expect((await limitsAs(token)).status).toBe(500);
    expect((await adminCall('POST', '/faults', { bogus: true })).status).toBe(400);
    // Latency: every answer waits at least the injected delay, until the faults are cleared.
    expect((await adminCall('POST', '/faults', { latencyMs: 150 })).status).toBe(200);
    const slowStart = performance.now();
    expect((await limitsAs(token)).status).toBe(200);
    expect(performance.now() - slowStart).toBeGreaterThanOrEqual(140);
    expect((await adminCall('DELETE', '/faults')).status).toBe(200);
    expect(emu.admin.faults().latencyMs).toBe(0);
    // A 5xx rate on one path only, and a dropped connection.
    expect((await adminCall('POST', '/faults', { dropNext: { count: 1, pathPrefix: '/services/data' } })).status).toBe(
      200,
    );
    await expect(limitsAs(token)).rejects.toThrow();
    expect((await limitsAs(token)).status).toBe(200);
    expect((await adminCall('POST', '/api-limit', { limit: 1 })).json).toMatchObject({ limit: 1 });
    expect((await adminCall('POST', '/tokens/revoke', { username: 'worker@lending.test' })).json).toEqual({
      revoked: 1,
    });
    expect((await limitsAs(token)).status).toBe(401);
    expect((await adminCall('POST', '/reset')).status).toBe(200);
    expect(emu.admin.usage()).toMatchObject({ used: 0, limit: 15000 });
    expect((await adminCall('GET', '/records/Nope__c')).status).toBe(404);
  });
});
