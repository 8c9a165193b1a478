import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, jwtToken, startTestEmulator } from '../support/emulator.ts';

let emu: EmulatorHandle;
let admin: jsforce.Connection;
let adminToken: string;
const EXTRA_ACCOUNTS = 450;

const get = (path: string, token: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });

beforeAll(async () => {
  emu = await startTestEmulator();
  admin = await jsforceConnection(emu, 'admin@lending.test');
  adminToken = admin.accessToken ?? '';
  for (let i = 0; i < EXTRA_ACCOUNTS; i += 150) {
    const batch = Array.from({ length: 150 }, (_, j) => ({ Name: `Paging ${String(i + j).padStart(4, '0')}` }));
    const results = await admin.sobject('Account').create(batch, { allOrNone: true });
    expect(results.every((r) => r.success)).toBe(true);
  }
});
afterAll(async () => emu.close());

describe('versions and version root', () => {
  it('lists versions without auth and without a limit header', async () => {
    const response = await fetch(`${emu.url}/services/data`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(response.headers.get('sforce-limit-info')).toBeNull();
    const versions = (await response.json()) as Array<{ version: string; url: string; label: string }>;
    expect(versions).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect(versions.at(-1)?.version).toBe('62.0');
  });

  it('serves the version root with identity under any vNN.0, and 404 for nonsense versions', async () => {
    for (const version of ['45.0', '62.0', '66.0']) {
      const response = await get(`/services/data/v${version}`, adminToken);
      expect(response.status).toBe(200);
      const root = (await response.json()) as Record<string, string>;
      expect(root.sobjects).toBe(`/services/data/v${version}/sobjects`);
      expect(root.identity).toMatch(new RegExp(`/id/${emu.org.orgId}/005\\w{15}$`));
    }
    const bad = await get('/services/data/v5.0/limits', adminToken);
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });
});

describe('query', () => {
  it('returns Salesforce-shaped rows with nested parents and the limit header jsforce parses', async () => {
    const result = await admin.query<{ Name: string; Account: { Name: string } | null }>(
      "SELECT Id, Name, Account.Name FROM Contact WHERE LastName = 'Alvarez'",
    );
    expect(result).toMatchObject({ totalSize: 1, done: true });
    expect(result.records[0]).toMatchObject({
      attributes: {
        type: 'Contact',
        url: expect.stringMatching(/^\/services\/data\/v62\.0\/sobjects\/Contact\/003\w{15}$/),
      },
      Account: { attributes: { type: 'Account' }, Name: 'Harbor Lending Co.' },
    });
    expect(admin.limitInfo.apiUsage?.limit).toBe(15000);
    expect(admin.limitInfo.apiUsage?.used).toBe(emu.admin.usage().used);
  });

  it('pages with one-segment locators that work under any version prefix', async () => {
    const soql = encodeURIComponent("SELECT Id, Name FROM Account WHERE Name LIKE 'Paging%' ORDER BY Name");
    const first = await get(`/services/data/v62.0/query?q=${soql}`, adminToken, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    const page1 = (await first.json()) as {
      totalSize: number;
      done: boolean;
      nextRecordsUrl: string;
      records: Array<{ Name: string }>;
    };
    expect(page1).toMatchObject({ totalSize: EXTRA_ACCOUNTS, done: false });
    expect(page1.records).toHaveLength(200);
    expect(page1.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/0r8[A-Za-z0-9]{15}-200$/);
    const locator = page1.nextRecordsUrl.split('/').pop() ?? '';
    const page2 = (await (await get(`/services/data/v50.0/query/${locator}`, adminToken)).json()) as typeof page1;
    expect(page2.records[0]?.Name).toBe('Paging 0200');
    const page3 = (await (await get(page2.nextRecordsUrl, adminToken)).json()) as typeof page1;
    expect(page3).toMatchObject({ done: true, totalSize: EXTRA_ACCOUNTS });
    expect(page3.records).toHaveLength(50);
    expect(page3).not.toHaveProperty('nextRecordsUrl');
  });

  it('clamps batch sizes and autoFetches every page through jsforce', async () => {
    emu.admin.clearRequestLog();
    const all = await admin.query("SELECT Id FROM Account WHERE Name LIKE 'Paging%'", {
      autoFetch: true,
      maxFetch: 10_000,
      headers: { 'Sforce-Query-Options': 'batchSize=50' },
    });
    expect(all.records).toHaveLength(EXTRA_ACCOUNTS);
    const queries = emu.admin.requestLog().filter((e) => e.path.includes('/query'));
    expect(queries).toHaveLength(3); // batchSize=50 is clamped to the 200 minimum
    const defaultPage = await admin.query("SELECT Id FROM Account WHERE Name LIKE 'Paging%'");
    expect(defaultPage.done).toBe(true);
  });

  it("refuses unknown locators and other users' locators with INVALID_QUERY_LOCATOR", async () => {
    const soql = encodeURIComponent("SELECT Id FROM Account WHERE Name LIKE 'Paging%'");
    const page = (await (
      await get(`/services/data/v62.0/query?q=${soql}`, adminToken, { 'Sforce-Query-Options': 'batchSize=200' })
    ).json()) as { nextRecordsUrl: string };
    const underwriter = await jwtToken(emu, 'underwriter@lending.test');
    for (const [path, token] of [
      [page.nextRecordsUrl, underwriter],
      ['/services/data/v62.0/query/0r8EM0000000001AAA-2000', adminToken],
    ] as const) {
      const response = await get(path, token);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    }
  });

  it('shows deleted rows to queryAll only, and requires q', async () => {
    const created = await admin.sobject('Account').create({ Name: 'Soon Deleted' });
    await admin.sobject('Account').destroy(created.id ?? '');
    const soql = "SELECT Id, IsDeleted FROM Account WHERE Name = 'Soon Deleted'";
    expect((await admin.query(soql)).totalSize).toBe(0);
    const all = await admin.query<{ IsDeleted: boolean }>(soql, { scanAll: true });
    expect(all.records).toMatchObject([{ IsDeleted: true }]);
    const missing = await get('/services/data/v62.0/query', adminToken);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual([
      { message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' },
    ]);
  });
});

describe('describe and routing errors', () => {
  it('describes globally and per object', async () => {
    const global = await admin.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Account', 'Loan_Application__c', 'ExecutionStep__c']),
    );
    const loan = await admin.describe('Loan_Application__c');
    expect(loan).toMatchObject({ name: 'Loan_Application__c', custom: true });
    const risk = loan.fields.find((f) => f.name === 'Risk_Tier__c');
    expect(risk).toMatchObject({ type: 'picklist', restrictedPicklist: true });
  });

  it('answers 404 for unknown resources and types, 405 for wrong methods, 431 for oversized headers', async () => {
    await expect(admin.describe('Nope__c')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
    const unknown = await get('/services/data/v62.0/nothing/here', adminToken);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    const wrong = await fetch(`${emu.url}/services/data/v62.0/sobjects`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(wrong.status).toBe(405);
    expect(((await wrong.json()) as Array<{ errorCode: string }>)[0]?.errorCode).toBe('METHOD_NOT_ALLOWED');
    const huge = await get('/services/data/v62.0/limits', adminToken, { 'X-Padding': 'x'.repeat(17_000) });
    expect(huge.status).toBe(431);
  });

  it('answers malformed JSON with JSON_PARSER_ERROR, XML with 415, and HEAD without a body', async () => {
    const post = (body: string, contentType: string): Promise<Response> =>
      fetch(`${emu.url}/services/data/v62.0/sobjects/Account`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': contentType },
        body,
      });
    const malformed = await post('{"Name": ', 'application/json');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Array<{ errorCode: string }>)[0]?.errorCode).toBe('JSON_PARSER_ERROR');
    const array = await post('[{"Name": "x"}]', 'application/json');
    expect(((await array.json()) as Array<{ errorCode: string }>)[0]?.errorCode).toBe('JSON_PARSER_ERROR');
    expect((await post('<Name>x</Name>', 'application/xml')).status).toBe(415);
    const head = await fetch(`${emu.url}/services/data/v62.0/limits`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
