import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { devCredentials, jwtToken, startTestEmulator } from '../support/emulator.ts';

// @salesforce/core writes auth files under HOME: point it at a throwaway directory before it loads.
const home = mkdtempSync(path.join(tmpdir(), 'loom-sfcore-'));
process.env.HOME = home;
process.env.USERPROFILE = home;
process.env.SF_DISABLE_DNS_CHECK = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';
process.env.SF_DISABLE_LOG_FILE = 'true';
const { AuthInfo, Connection } = await import('@salesforce/core');

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.close();
  rmSync(home, { recursive: true, force: true });
});

async function jwtConnection(username: string): Promise<InstanceType<typeof Connection>> {
  const { app, privateKeyFile } = devCredentials(emu);
  const authInfo = await AuthInfo.create({
    username,
    oauth2Options: { clientId: app.consumerKey, loginUrl: emu.url, privateKeyFile },
  });
  return Connection.create({ authInfo });
}

describe('@salesforce/core against the emulator', () => {
  it('logs in with the JWT bearer flow (chunked POST, exp in ms) and queries as that user', async () => {
    const conn = await jwtConnection('officer@lending.test');
    expect(conn.instanceUrl).toBe(emu.url);
    expect(conn.getUsername()).toBe('officer@lending.test');
    const result = await conn.query<{ External_Ref__c: string }>(
      'SELECT External_Ref__c FROM Loan_Application__c ORDER BY External_Ref__c',
    );
    // Olive owns HL-1001..1005 and has a read share on HL-1007; everything else is private to others.
    expect(result.records.map((r) => r.External_Ref__c)).toEqual([
      'HL-1001',
      'HL-1002',
      'HL-1003',
      'HL-1004',
      'HL-1005',
      'HL-1007',
    ]);
    expect(
      emu.admin
        .requestLog()
        .some((e) => e.method === 'POST' && e.path === '/services/oauth2/token' && e.status === 200),
    ).toBe(true);
  });

  it('uses a raw access token as the username (flow A) and picks the highest listed version', async () => {
    const token = await jwtToken(emu, 'underwriter@lending.test');
    // A raw token carries no instance URL: core takes it from the org-instance-url config (here its env form).
    process.env.SF_ORG_INSTANCE_URL = emu.url;
    const authInfo = await AuthInfo.create({ username: token });
    delete process.env.SF_ORG_INSTANCE_URL;
    const conn = await Connection.create({ authInfo });
    const result = await conn.query('SELECT Id FROM Contact');
    expect(result.totalSize).toBeGreaterThan(0);
    expect(conn.getApiVersion()).toBe('62.0');
  });

  it('re-authenticates with JWT after a revoke and replays the refused request', async () => {
    const conn = await jwtConnection('worker@lending.test');
    const worker = emu.org.userByUsername('worker@lending.test')?.id;
    await conn.query('SELECT Id FROM ExecutionStep__c');
    expect(emu.admin.revokeTokens({ username: 'worker@lending.test' })).toBe(1);
    emu.admin.clearRequestLog();

    const result = await conn.query('SELECT Id FROM ExecutionStep__c');
    expect(result.done).toBe(true);
    const log = emu.admin.requestLog().map((e) => `${e.method} ${e.path.replace(/\/v\d+\.0\//, '/vN/')} ${e.status}`);
    expect(log[0]).toBe('GET /services/data/vN/query 401');
    expect(log).toContain('POST /services/oauth2/token 200');
    expect(log.at(-1)).toBe('GET /services/data/vN/query 200');
    const fresh = emu.admin.requestLog().at(-1);
    expect(fresh?.userId).toBe(worker);
  });

  it('surfaces token endpoint refusals as JwtAuthError', async () => {
    await expect(jwtConnection('unapproved@lending.test')).rejects.toThrow(/user hasn't approved this consumer/);
  });
});
