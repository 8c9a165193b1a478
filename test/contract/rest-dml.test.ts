import { readFileSync } from 'node:fs';
import path from 'node:path';
import type jsforce from 'jsforce';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/emulator/org/org.ts';
import { DEFAULT_SEED_PATH, type EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, startTestEmulator } from '../support/emulator.ts';

let emu: EmulatorHandle;
let admin: jsforce.Connection;
let officer: jsforce.Connection;

const call = (conn: jsforce.Connection, method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${emu.url}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The lending seed plus a NON-unique external id, so an upsert can match several records (300). */
function seedWithDuplicateKeys(): Record<string, unknown> {
  const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as {
    objects: Record<string, { fields: Record<string, unknown> }>;
    records: Record<string, Array<Record<string, unknown>>>;
  };
  const loan = seed.objects.Loan_Application__c;
  if (loan) loan.fields.Batch_Key__c = { type: 'Text', length: 20, externalId: true, label: 'Batch Key' };
  seed.records.Loan_Application__c?.slice(0, 2).forEach((record) => (record.Batch_Key__c = 'DUP'));
  return seed;
}

beforeAll(async () => {
  const org = createOrg({ seed: seedWithDuplicateKeys() as never, baseDir: path.dirname(DEFAULT_SEED_PATH) });
  emu = await startTestEmulator({ org });
  admin = await jsforceConnection(emu, 'admin@lending.test');
  officer = await jsforceConnection(emu, 'officer@lending.test');
});
afterAll(async () => emu.close());

describe('single-record DML', () => {
  it('creates (201 + Location), retrieves with ?fields=, updates (204) and deletes (204)', async () => {
    const created = await call(admin, 'POST', '/sobjects/Account', { Name: 'Contract Co' });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string };
    expect(body).toEqual({ id: expect.stringMatching(/^001\w{15}$/), success: true, errors: [] });
    expect(created.headers.get('location')).toBe(`/services/data/v62.0/sobjects/Account/${body.id}`);

    const picked = await admin.sobject('Account').retrieve(body.id, { fields: ['Name'] });
    expect(picked).toMatchObject({ attributes: { type: 'Account' }, Name: 'Contract Co' });
    expect(picked).not.toHaveProperty('Industry');

    const patched = await call(admin, 'PATCH', `/sobjects/Account/${body.id}`, { Industry: 'Finance' });
    expect(patched.status).toBe(204);
    expect(await patched.text()).toBe('');
    expect(await admin.sobject('Account').update({ Id: body.id, Name: 'Renamed Co' })).toMatchObject({ success: true });
    expect((await admin.sobject('Account').retrieve(body.id)).Name).toBe('Renamed Co');

    expect((await call(admin, 'DELETE', `/sobjects/Account/${body.id}`)).status).toBe(204);
    await expect(admin.sobject('Account').retrieve(body.id)).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });

  it('answers 404 NOT_FOUND for ids of the wrong shape or object, and accepts 15-character ids', async () => {
    await expect(admin.sobject('Account').retrieve('001EM00000zzzzz')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    const contact =
      (await admin.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName = 'Chen'")).records[0]?.Id ?? '';
    const wrongType = await call(admin, 'GET', `/sobjects/Account/${contact}`);
    expect(wrongType.status).toBe(404);
    expect(await wrongType.json()).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
    const short = await admin.sobject('Contact').retrieve(contact.slice(0, 15));
    expect(short.Id).toBe(contact);
  });

  it('upserts by external id: 201 created, 200 updated, 300 on several matches', async () => {
    const first = await call(admin, 'PATCH', '/sobjects/Loan_Application__c/External_Ref__c/HL-9001', {
      Amount__c: 1000,
    });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string };
    expect(created).toEqual({ id: expect.stringMatching(/^a\w{17}$/), success: true, errors: [], created: true });
    const second = await call(admin, 'PATCH', '/sobjects/Loan_Application__c/External_Ref__c/HL-9001', {
      Amount__c: 2000,
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ id: created.id, success: true, errors: [], created: false });
    const viaJsforce = await admin
      .sobject('Loan_Application__c')
      .upsert({ External_Ref__c: 'HL-9001', Amount__c: 3000 }, 'External_Ref__c');
    expect(viaJsforce).toMatchObject({ success: true });
    const multiple = await call(admin, 'PATCH', '/sobjects/Loan_Application__c/Batch_Key__c/DUP', { Amount__c: 1 });
    expect(multiple.status).toBe(300);
    const urls = (await multiple.json()) as string[];
    expect(urls).toHaveLength(2);
    for (const url of urls) expect(url).toMatch(/^\/services\/data\/v62\.0\/sobjects\/Loan_Application__c\/a\w{17}$/);
  });

  it("reads and deletes by external id, honouring the caller's sharing", async () => {
    const byRef = await call(officer, 'GET', '/sobjects/Loan_Application__c/External_Ref__c/hl-1001?fields=Amount__c');
    expect(byRef.status).toBe(200);
    expect(await byRef.json()).toMatchObject({ attributes: { type: 'Loan_Application__c' }, Amount__c: 25000 });
    // HL-1006 belongs to another officer and is not shared: it does not exist for Olive.
    expect((await call(officer, 'GET', '/sobjects/Loan_Application__c/External_Ref__c/HL-1006')).status).toBe(404);
    expect((await call(admin, 'GET', '/sobjects/Loan_Application__c/Batch_Key__c/DUP')).status).toBe(300);
    const notExternal = await call(admin, 'GET', '/sobjects/Loan_Application__c/Status__c/Open');
    expect(await notExternal.json()).toEqual([
      { message: 'Provided external ID field does not exist or is not accessible: Status__c', errorCode: 'NOT_FOUND' },
    ]);
    await admin.sobject('Loan_Application__c').create({ External_Ref__c: 'HL-DEL' });
    expect((await call(admin, 'DELETE', '/sobjects/Loan_Application__c/External_Ref__c/HL-DEL')).status).toBe(204);
    expect((await call(admin, 'GET', '/sobjects/Loan_Application__c/External_Ref__c/HL-DEL')).status).toBe(404);
  });

  it('publishes platform events with OPERATION_ENQUEUED and the event UUID', async () => {
    // The admin: Modify All Data reaches platform events (users hold no Create on the package's request event).
    const response = await call(admin, 'POST', '/sobjects/AgentTurnRequest__e', { TurnIdentifier__c: 'turn-1' });
    const body = (await response.json()) as { id: string; errors: Array<Record<string, unknown>> };
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ id: expect.stringMatching(/^e0\w{16}$/), success: true });
    expect(body.errors).toEqual([
      { statusCode: 'OPERATION_ENQUEUED', message: expect.stringMatching(/^[0-9a-f-]{36}$/), fields: [] },
    ]);
    // The worker only reads requests: publishing one is refused.
    const worker = await jsforceConnection(emu, 'worker@lending.test');
    const refused = await call(worker, 'POST', '/sobjects/AgentTurnRequest__e', { TurnIdentifier__c: 'turn-2' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Array<{ errorCode: string }>)[0]?.errorCode).toBe(
      'INSUFFICIENT_ACCESS_OR_READONLY',
    );
  });
});

describe('sObject collections', () => {
  it('creates in order with per-record statusCode errors (HTTP 200)', async () => {
    const results = await admin.sobject('Account').create([{ Name: 'Coll A' }, { Name: '' }, { Name: 'Coll C' }]);
    expect(results[0]).toMatchObject({ success: true, errors: [] });
    expect(results[1]).toMatchObject({ success: false });
    expect(results[2]).toMatchObject({ success: true });
    const raw = await call(admin, 'POST', '/composite/sobjects', { records: [{ attributes: { type: 'Account' } }] });
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual([
      {
        success: false,
        errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: expect.any(String), fields: ['Name'] }],
      },
    ]);
  });

  it('rolls every record back with allOrNone and reports ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const before = (await admin.query("SELECT Id FROM Account WHERE Name LIKE 'AON%'")).totalSize;
    const response = await call(admin, 'POST', '/composite/sobjects', {
      allOrNone: true,
      records: [
        { attributes: { type: 'Account' }, Name: 'AON 1' },
        { attributes: { type: 'Account' }, Name: '' },
      ],
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      },
      { success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] },
    ]);
    expect((await admin.query("SELECT Id FROM Account WHERE Name LIKE 'AON%'")).totalSize).toBe(before);
  });

  it('updates, upserts, retrieves and deletes collections', async () => {
    const [a, b] = await admin.sobject('Account').create([{ Name: 'Bulk 1' }, { Name: 'Bulk 2' }], { allOrNone: true });
    const ids = [a?.id ?? '', b?.id ?? ''];
    const updated = await admin.sobject('Account').update(ids.map((Id, i) => ({ Id, Name: `Bulk ${i} updated` })));
    expect(updated.every((r) => r.success)).toBe(true);
    const missingId = await call(admin, 'PATCH', '/composite/sobjects', {
      records: [{ attributes: { type: 'Account' }, Name: 'x' }],
    });
    expect(await missingId.json()).toEqual([
      {
        success: false,
        errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: ['Id'] }],
      },
    ]);

    const retrieved = await admin.sobject('Account').retrieve(ids, { fields: ['Name'] });
    expect(retrieved.map((r) => r?.Name)).toEqual(['Bulk 0 updated', 'Bulk 1 updated']);

    const upserted = await admin.sobject('Loan_Application__c').upsert(
      [
        { External_Ref__c: 'HL-1001', Amount__c: 26000 },
        { External_Ref__c: 'HL-7777', Amount__c: 100 },
      ],
      'External_Ref__c',
    );
    expect(upserted.map((r) => (r as { created?: boolean }).created)).toEqual([false, true]);

    const deleted = await admin.sobject('Account').destroy([...ids, '001EM0000000zzzAAA']);
    expect(deleted.slice(0, 2).every((r) => r.success)).toBe(true);
    expect(deleted[2]).toMatchObject({ success: false });
  });

  it('refuses more than 200 records with a top-level 400', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `Too many ${i}` }));
    const response = await call(admin, 'POST', '/composite/sobjects', { records });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual([
      {
        message: 'record limit reached. cannot submit more than 200 records into this call',
        errorCode: 'EXCEEDED_ID_LIMIT',
      },
    ]);
  });

  it("applies the caller's field-level security per record", async () => {
    const app =
      (await officer.query<{ Id: string }>("SELECT Id FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'"))
        .records[0]?.Id ?? '';
    const response = await call(officer, 'PATCH', '/composite/sobjects', {
      records: [
        { attributes: { type: 'Loan_Application__c' }, id: app, Status__c: 'In Review' },
        { attributes: { type: 'Loan_Application__c' }, id: app, Risk_Tier__c: 'A' },
      ],
    });
    const results = (await response.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(results[0]).toMatchObject({ success: true });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_FIELD' }] });
  });
});

describe('roll-up summary fields (AgentExecution__c.StepCount__c counts ExecutionStep__c rows)', () => {
  it('are calculated in describe, computed in query, subquery and retrieve, and refused on write', async () => {
    const worker = await jsforceConnection(emu, 'worker@lending.test');
    const execution = await officer
      .sobject('AgentExecution__c')
      .create({ CurrentTurnIdentifier__c: 'rollup-turn', TriggerSource__c: 'API' });
    if (!execution.success) throw new Error('execution not created');
    const id = execution.id;

    const describe = await worker.sobject('AgentExecution__c').describe();
    expect(describe.fields.find((f) => f.name === 'StepCount__c')).toMatchObject({
      type: 'double',
      calculated: true,
      calculatedFormula: null,
      createable: false,
      updateable: false,
      precision: 18,
      scale: 0,
    });
    const count = async (): Promise<unknown> =>
      (await worker.query<{ StepCount__c: unknown }>(`SELECT StepCount__c FROM AgentExecution__c WHERE Id = '${id}'`))
        .records[0]?.StepCount__c;
    expect(await count()).toBe(0);

    const steps = await worker.sobject('ExecutionStep__c').create(
      ['a', 'b', 'c'].map((key, i) => ({
        StepKey__c: `rollup-${key}`,
        AgentExecution__c: id,
        StepType__c: 'UserInput',
        Sequence__c: i + 1,
      })),
      { allOrNone: true },
    );
    expect(steps.every((r) => r.success)).toBe(true);
    expect(await count()).toBe(3);
    // The requesting user sees the count of rows written by the worker.
    expect((await officer.sobject('AgentExecution__c').retrieve(id, { fields: ['StepCount__c'] })).StepCount__c).toBe(
      3,
    );
    const nested = await worker.query<{ StepCount__c: number; ExecutionSteps__r: { totalSize: number } }>(
      `SELECT StepCount__c, (SELECT Id FROM ExecutionSteps__r) FROM AgentExecution__c WHERE Id = '${id}' AND StepCount__c > 2`,
    );
    expect(nested.records.map((r) => [r.StepCount__c, r.ExecutionSteps__r.totalSize])).toEqual([[3, 3]]);

    const first = steps[0];
    if (!first?.success) throw new Error('step not created');
    expect(await admin.sobject('ExecutionStep__c').destroy(first.id)).toMatchObject({ success: true });
    expect(await count()).toBe(2);

    // Nobody writes a roll-up, not even with Modify All Data.
    for (const conn of [worker, admin]) {
      await expect(conn.sobject('AgentExecution__c').update({ Id: id, StepCount__c: 99 })).rejects.toMatchObject({
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: expect.stringContaining('Unable to create/update fields: StepCount__c.'),
      });
    }
    expect(await count()).toBe(2);
  });
});
