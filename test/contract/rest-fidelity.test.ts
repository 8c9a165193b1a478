/**
 * Conformance at the edges an agent runtime decides on (issue 20): made-up record IDs, save-error shapes,
 * UserRecordAccess, View All Data / Modify All Data on platform events, and /limits. Unmodified jsforce where a client
 * sees it, raw HTTP where the exact body matters. docs/emulator-fidelity.md lists each behaviour and its source.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type jsforce from 'jsforce';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/emulator/org/org.ts';
import { DEFAULT_SEED_PATH, type EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, jwtToken, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';

let emu: EmulatorHandle;
let admin: jsforce.Connection;
let officer: jsforce.Connection;
let auditor: jsforce.Connection;
let officer2: jsforce.Connection;

/** The lending seed plus an auditor with View All Data only (no object grants, no Loom permission sets). */
function seedWithAuditor(): Record<string, unknown> {
  const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as {
    profiles: Array<Record<string, unknown>>;
    users: Array<Record<string, unknown>>;
    connectedApps: Array<{ preAuthorized: { profiles: string[] } }>;
    groups: Array<Record<string, unknown>>;
    records: Record<string, Array<Record<string, unknown>>>;
    objects: Record<string, { validationRules?: unknown[] }>;
    sharing?: Record<string, string>;
  };
  // Private contacts, so a lookup can point at a record the user cannot see.
  seed.sharing = { ...seed.sharing, Contact: 'Private' };
  seed.profiles.push({ name: 'Auditor', objects: {}, userPermissions: ['ApiEnabled', 'ViewAllData'] });
  seed.users.push({ key: 'auditor', username: 'auditor@lending.test', lastName: 'Auditor', profile: 'Auditor' });
  seed.connectedApps[0]?.preAuthorized.profiles.push('Auditor');
  // A queue owning a loan application (OwnerId '@group:...'), and a public group, which cannot own records.
  seed.groups.push({
    developerName: 'Underwriting_Queue',
    name: 'Underwriting Queue',
    type: 'Queue',
    members: ['@user:officer2'],
  });
  seed.groups.push({ developerName: 'Lending_Team', name: 'Lending Team', members: ['@user:officer'] });
  seed.records.Loan_Application__c?.push({
    ref: 'queued',
    External_Ref__c: 'HL-2001',
    Amount__c: 1000,
    Applicant__c: '@c_chen',
    OwnerId: '@group:Underwriting_Queue',
  });
  // Validation rules (formula subset): a range, a regex, required-if, ISCHANGED/PRIORVALUE with $User, $User.ProfileId.
  seed.objects.Loan_Application__c!.validationRules = [
    {
      name: 'Amount_Not_Negative',
      formula: 'Amount__c < 0',
      message: 'Amount must not be negative.',
      field: 'Amount__c',
    },
    {
      name: 'Ref_Format',
      formula: 'AND(NOT(ISBLANK(External_Ref__c)), NOT(REGEX(External_Ref__c, "HL-[0-9]{4}")))',
      message: 'External reference must look like HL-1234.',
      field: 'External_Ref__c',
    },
    {
      name: 'Decline_Needs_Reason',
      formula: 'AND(ISPICKVAL(Status__c, "Declined"), ISBLANK(Description__c))',
      message: 'Say why the application is declined.',
      field: 'Description__c',
    },
    {
      name: 'Approved_Is_Final',
      formula: 'AND(ISCHANGED(Status__c), PRIORVALUE(Status__c) = "Approved", $User.Id <> OwnerId)',
      message: 'Only the owner can reopen an approved application.',
    },
    {
      name: 'Profile_Known',
      formula: 'AND(Amount__c = 424242, NOT(ISBLANK($User.ProfileId)))',
      message: 'Test amount refused for any user with a profile.',
    },
    { name: 'Inactive_Rule', formula: 'Amount__c = 7', message: 'never', active: false },
  ];
  return seed;
}

const raw = (conn: jsforce.Connection, method: string, rest: string, body?: unknown): Promise<Response> =>
  fetch(`${emu.url}/services/data/v${TEST_API_VERSION}${rest}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const idOf = async (conn: jsforce.Connection, soql: string): Promise<string> =>
  (await conn.query<{ Id: string }>(soql)).records[0]?.Id ?? '';
const loan = (ref: string): Promise<string> =>
  idOf(admin, `SELECT Id FROM Loan_Application__c WHERE External_Ref__c = '${ref}'`);
const userId = (username: string): string => emu.org.userByUsername(username)?.id ?? '';

beforeAll(async () => {
  const org = createOrg({ seed: seedWithAuditor() as never, baseDir: path.dirname(DEFAULT_SEED_PATH) });
  emu = await startTestEmulator({ org });
  admin = await jsforceConnection(emu, 'admin@lending.test');
  officer = await jsforceConnection(emu, 'officer@lending.test');
  auditor = await jsforceConnection(emu, 'auditor@lending.test');
  officer2 = await jsforceConnection(emu, 'officer2@lending.test');
});
afterAll(async () => emu.close());

describe('made-up and mangled record IDs on /sobjects/{Type}/{id}', () => {
  // REST API Developer Guide, "sObject Rows": 404 when the record is not found. A segment that is not an ID is read as
  // an external-id lookup, hence the platform's wording (also what PATCH /sobjects/Product2/undefined answers).
  const notAnId = (segment: string) => [
    { errorCode: 'NOT_FOUND', message: `Provided external ID field does not exist or is not accessible: ${segment}` },
  ];

  it.each(['GET', 'PATCH', 'DELETE'])(
    '%s with a name instead of an ID answers 404 NOT_FOUND, no fields key',
    async (method) => {
      const response = await raw(
        admin,
        method,
        '/sobjects/Account/Harbor%20Lending',
        method === 'PATCH' ? { Phone: '1' } : undefined,
      );
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(notAnId('Harbor Lending'));
    },
  );

  it('jsforce sees NOT_FOUND for retrieve, update and destroy of a mangled id', async () => {
    await expect(admin.sobject('Account').retrieve('notAnId')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
      message: notAnId('notAnId')[0]?.message,
    });
    await expect(admin.sobject('Account').update({ Id: '001EM0000000001ZZZ', Phone: '1' })).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    await expect(admin.sobject('Account').destroy('001EM00000zzzzz!')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
  });

  it('a well-formed 15- or 18-character ID of another object is not a record of this type: 404', async () => {
    const contact = await idOf(admin, "SELECT Id FROM Contact WHERE LastName = 'Chen'");
    for (const id of [contact, contact.slice(0, 15)]) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const response = await raw(
          admin,
          method,
          `/sobjects/Account/${id}`,
          method === 'PATCH' ? { Phone: '1' } : undefined,
        );
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual([
          { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
        ]);
      }
    }
    expect((await admin.sobject('Contact').retrieve(contact.slice(0, 15))).Id).toBe(contact);
  });

  it('sObject Collections still report a malformed id per record as MALFORMED_ID on Id', async () => {
    const response = await raw(admin, 'PATCH', '/composite/sobjects', {
      records: [{ attributes: { type: 'Account' }, id: 'notAnId', Phone: '1' }],
    });
    expect(await response.json()).toEqual([
      {
        success: false,
        errors: [
          { statusCode: 'MALFORMED_ID', message: 'Account ID: id value of incorrect type: notAnId', fields: ['Id'] },
        ],
      },
    ]);
  });
});

describe('save errors carry fields: [] (SOAP API "Error": statusCode, message, fields)', () => {
  it('INSUFFICIENT_ACCESS_OR_READONLY (object and record level) and ENTITY_IS_DELETED', async () => {
    const account = await idOf(admin, 'SELECT Id FROM Account LIMIT 1');
    const readOnlyObject = await raw(officer, 'PATCH', `/sobjects/Account/${account}`, { Phone: '1' });
    expect(readOnlyObject.status).toBe(400);
    expect(await readOnlyObject.json()).toEqual([
      { errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'entity type cannot be updated: Account', fields: [] },
    ]);

    const sharedReadOnly = await loan('HL-1007'); // officer2's application, shared Read with the officer
    const recordLevel = await raw(officer, 'PATCH', `/sobjects/Loan_Application__c/${sharedReadOnly}`, {
      Amount__c: 1,
    });
    expect(recordLevel.status).toBe(400);
    expect(await recordLevel.json()).toEqual([
      { errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'insufficient access rights on object id', fields: [] },
    ]);

    const created = await admin.sobject('Account').create({ Name: 'Short Lived' });
    await admin.sobject('Account').destroy(created.id ?? '');
    const again = await raw(admin, 'DELETE', `/sobjects/Account/${created.id ?? ''}`);
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual([{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
  });

  it('request errors keep the documented two-key shape', async () => {
    const response = await raw(admin, 'GET', '/sobjects/Nope__c');
    expect(await response.json()).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
  });
});

describe('UserRecordAccess (Object Reference, "UserRecordAccess")', () => {
  const ura = (conn: jsforce.Connection, soql: string) => conn.query<Record<string, unknown>>(soql);
  const FIELDS =
    'RecordId, HasReadAccess, HasEditAccess, HasDeleteAccess, HasTransferAccess, HasAllAccess, MaxAccessLevel';

  it("reports each record the running user can see, with the queried user's access levels", async () => {
    const [own, shared, hidden] = await Promise.all([loan('HL-1001'), loan('HL-1007'), loan('HL-1006')]);
    const result = await ura(
      officer,
      `SELECT ${FIELDS} FROM UserRecordAccess WHERE UserId = '${userId('officer@lending.test')}' AND RecordId IN ('${own}', '${shared}', '${hidden}') ORDER BY RecordId`,
    );
    // The officer cannot read officer2's HL-1006: it is left out, not reported as None.
    expect(result.totalSize).toBe(2);
    const byId = new Map(result.records.map((row) => [row.RecordId, row]));
    expect(byId.get(own)).toMatchObject({
      attributes: { type: 'UserRecordAccess' },
      HasReadAccess: true,
      HasEditAccess: true,
      HasDeleteAccess: false,
      HasTransferAccess: true,
      HasAllAccess: false,
      MaxAccessLevel: 'Transfer',
    });
    expect(byId.get(shared)).toMatchObject({
      HasReadAccess: true,
      HasEditAccess: false,
      HasTransferAccess: false,
      MaxAccessLevel: 'Read',
    });
  });

  it("lets an admin check another user's access, including None, and an access-level filter", async () => {
    const [own, hidden] = await Promise.all([loan('HL-1001'), loan('HL-1006')]);
    const officerId = userId('officer@lending.test');
    const result = await ura(
      admin,
      `SELECT RecordId, HasReadAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${officerId}' AND RecordId = '${hidden}'`,
    );
    expect(result.records).toEqual([
      {
        attributes: expect.objectContaining({ type: 'UserRecordAccess' }),
        RecordId: hidden,
        HasReadAccess: false,
        MaxAccessLevel: 'None',
      },
    ]);
    const readable = await ura(
      admin,
      `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${officerId}' AND RecordId IN ('${own}', '${hidden}') AND HasReadAccess = true`,
    );
    expect(readable.records.map((row) => row.RecordId)).toEqual([own]);
    const mine = await ura(
      admin,
      `SELECT RecordId, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '${userId('admin@lending.test')}' AND RecordId = '${hidden}'`,
    );
    expect(mine.records[0]?.MaxAccessLevel).toBe('All');
  });

  it('enforces the documented query shape: both filters, RecordId only with an access filter, at most 200 IDs', async () => {
    const own = await loan('HL-1001');
    const officerId = userId('officer@lending.test');
    await expect(ura(admin, `SELECT RecordId FROM UserRecordAccess WHERE RecordId = '${own}'`)).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
    });
    await expect(
      ura(
        admin,
        `SELECT RecordId, HasEditAccess FROM UserRecordAccess WHERE UserId = '${officerId}' AND RecordId = '${own}' AND HasReadAccess = true`,
      ),
    ).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    const ids = Array.from({ length: 201 }, () => `'${own}'`).join(',');
    await expect(
      ura(admin, `SELECT RecordId FROM UserRecordAccess WHERE UserId = '${officerId}' AND RecordId IN (${ids})`),
    ).rejects.toMatchObject({ errorCode: 'EXCEEDED_ID_LIMIT' });
  });
});

describe('View All Data / Modify All Data reach platform events', () => {
  async function subscribe(username: string, channel: string): Promise<Record<string, unknown> | undefined> {
    const token = await jwtToken(emu, username);
    const post = async (message: Record<string, unknown>): Promise<Array<Record<string, unknown>>> => {
      const response = await fetch(`${emu.url}/cometd/${TEST_API_VERSION}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify([message]),
      });
      return (await response.json()) as Array<Record<string, unknown>>;
    };
    const [handshake] = await post({
      channel: '/meta/handshake',
      version: '1.0',
      supportedConnectionTypes: ['long-polling'],
      id: '1',
    });
    const [reply] = await post({
      channel: '/meta/subscribe',
      clientId: handshake?.clientId,
      subscription: channel,
      id: '2',
    });
    await post({ channel: '/meta/disconnect', clientId: handshake?.clientId, id: '3' });
    return reply;
  }

  it('an admin (Modify All Data, no event grant) describes, publishes and subscribes', async () => {
    expect((await admin.sobject('AgentTurnResult__e').describe()).name).toBe('AgentTurnResult__e');
    expect(await subscribe('admin@lending.test', '/event/AgentTurnResult__e')).toMatchObject({ successful: true });
    const published = await raw(admin, 'POST', '/sobjects/AgentTurnResult__e', {});
    expect([201, 400]).toContain(published.status); // 400 only for a required payload field, never a refusal
    if (published.status === 400) expect(JSON.stringify(await published.json())).toContain('REQUIRED_FIELD_MISSING');
  });

  it('View All Data alone reads (describe, subscribe) but does not publish', async () => {
    expect((await auditor.sobject('AgentTurnRequest__e').describe()).createable).toBe(false);
    expect(await subscribe('auditor@lending.test', '/event/AgentTurnRequest__e')).toMatchObject({ successful: true });
    const refused = await raw(auditor, 'POST', '/sobjects/AgentTurnRequest__e', { TurnIdentifier__c: 't' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual([
      {
        errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
        message: expect.stringMatching(/^entity type cannot be inserted/),
        fields: [],
      },
    ]);
    expect(await subscribe('nobody@lending.test', '/event/AgentTurnRequest__e')).toMatchObject({
      successful: false,
      error: '403::Restricted channel',
    });
  });

  it('View All Data reads every record, Modify All Data may change them', async () => {
    const hidden = await loan('HL-1006');
    expect((await auditor.sobject('Loan_Application__c').retrieve(hidden)).Id).toBe(hidden);
    const refused = await raw(auditor, 'PATCH', `/sobjects/Loan_Application__c/${hidden}`, { Amount__c: 1 });
    expect(refused.status).toBe(400);
  });
});

describe('/composite/batch (REST API Developer Guide, "Composite Batch")', () => {
  it('runs independent subrequests, each its own transaction, one API call', async () => {
    const before = (await admin.limits()).DailyApiRequests.Remaining;
    const response = await admin.requestPost<{
      hasErrors: boolean;
      results: Array<{ statusCode: number; result: unknown }>;
    }>('/composite/batch', {
      batchRequests: [
        { method: 'POST', url: `v${TEST_API_VERSION}/sobjects/Account`, richInput: { Name: 'Batch Co' } },
        { method: 'GET', url: `v${TEST_API_VERSION}/sobjects/Account/notAnId` },
        {
          method: 'GET',
          url: `v${TEST_API_VERSION}/query?q=${encodeURIComponent("SELECT Name FROM Account WHERE Name = 'Batch Co'")}`,
        },
      ],
    });
    expect(response.hasErrors).toBe(true);
    expect(response.results.map((r) => r.statusCode)).toEqual([201, 404, 200]);
    expect(response.results[1]?.result).toEqual([
      { errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist or is not accessible: notAnId' },
    ]);
    expect(response.results[2]?.result).toMatchObject({ totalSize: 1 }); // the failed GET rolled nothing back
    const after = (await admin.limits()).DailyApiRequests.Remaining;
    expect(before - after).toBe(2); // the batch and the second limits() call: three subrequests, one API call
  });

  it('haltOnError answers 412 BATCH_PROCESSING_HALTED after the first failure', async () => {
    const response = await admin.requestPost<{ results: Array<{ statusCode: number; result: unknown }> }>(
      '/composite/batch',
      {
        haltOnError: true,
        batchRequests: [
          { method: 'PATCH', url: `v${TEST_API_VERSION}/sobjects/Account/notAnId`, richInput: { Phone: '1' } },
          { method: 'POST', url: `v${TEST_API_VERSION}/sobjects/Account`, richInput: { Name: 'Never Created' } },
        ],
      },
    );
    expect(response.results).toEqual([
      {
        statusCode: 404,
        result: [
          {
            errorCode: 'NOT_FOUND',
            message: 'Provided external ID field does not exist or is not accessible: notAnId',
          },
        ],
      },
      {
        statusCode: 412,
        result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
      },
    ]);
    expect((await admin.query("SELECT Id FROM Account WHERE Name = 'Never Created'")).totalSize).toBe(0);
  });
});

describe('/composite/tree/{sObject} (REST API Developer Guide, "sObject Tree")', () => {
  it('creates a parent with nested children in one call (201, referenceId → id)', async () => {
    const response = await raw(admin, 'POST', '/composite/tree/Account', {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'acct1' },
          Name: 'Tree Co',
          Contacts: {
            records: [
              { attributes: { type: 'Contact', referenceId: 'ct1' }, LastName: 'Leaf', Email: 'leaf@example.com' },
            ],
          },
        },
      ],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { hasErrors: boolean; results: Array<{ referenceId: string; id: string }> };
    expect(body).toEqual({
      hasErrors: false,
      results: [
        { referenceId: 'acct1', id: expect.stringMatching(/^001/) },
        { referenceId: 'ct1', id: expect.stringMatching(/^003/) },
      ],
    });
    const contact = await admin.sobject('Contact').retrieve(body.results[1]?.id ?? '');
    expect(contact.AccountId).toBe(body.results[0]?.id);
  });

  it('is all or nothing: 400 naming only the failed record, nothing saved', async () => {
    const response = await raw(admin, 'POST', '/composite/tree/Account', {
      records: [
        { attributes: { type: 'Account', referenceId: 'ok' }, Name: 'Rolled Back Co' },
        { attributes: { type: 'Account', referenceId: 'bad' }, Phone: '1' },
      ],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      hasErrors: true,
      results: [
        {
          referenceId: 'bad',
          errors: [
            { statusCode: 'REQUIRED_FIELD_MISSING', message: expect.stringContaining('Name'), fields: ['Name'] },
          ],
        },
      ],
    });
    expect((await admin.query("SELECT Id FROM Account WHERE Name = 'Rolled Back Co'")).totalSize).toBe(0);
  });
});

describe('/limits', () => {
  it('reports FileStorageMB, DailyStreamingApiEvents and SingleEmail as {Max, Remaining}', async () => {
    const limits = (await admin.limits()) as unknown as Record<string, { Max: number; Remaining: number }>;
    for (const name of ['FileStorageMB', 'DailyStreamingApiEvents', 'SingleEmail']) {
      expect(limits[name], name).toEqual({ Max: expect.any(Number), Remaining: expect.any(Number) });
    }
  });
});

describe('OwnerId is polymorphic: a user or a queue (Object Reference: custom objects and Case, "OwnerId")', () => {
  const groupId = async (developerName: string): Promise<string> =>
    idOf(admin, `SELECT Id FROM Group WHERE DeveloperName = '${developerName}'`);

  it("describe: a custom object's OwnerId references Group and User; Account's only User", async () => {
    const owner = (await admin.sobject('Loan_Application__c').describe()).fields.find((f) => f.name === 'OwnerId');
    expect(owner).toMatchObject({ type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner' });
    const accountOwner = (await admin.sobject('Account').describe()).fields.find((f) => f.name === 'OwnerId');
    expect(accountOwner?.referenceTo).toEqual(['User']);
  });

  it('Owner comes back as the Name entity (attributes.type "Name", url of the actual object); Owner.Type is Queue or User', async () => {
    const queue = await groupId('Underwriting_Queue');
    const result = await admin.query<Record<string, unknown>>(
      "SELECT Owner.Name, Owner.Type FROM Loan_Application__c WHERE External_Ref__c IN ('HL-2001', 'HL-1001') ORDER BY External_Ref__c",
    );
    expect(result.records.map((r) => r.Owner)).toEqual([
      {
        attributes: { type: 'Name', url: expect.stringMatching(/\/sobjects\/User\/005/) },
        Name: 'Olive Officer',
        Type: 'User',
      },
      {
        attributes: { type: 'Name', url: `/services/data/v${TEST_API_VERSION}/sobjects/Group/${queue}` },
        Name: 'Underwriting Queue',
        Type: 'Queue',
      },
    ]);
    const queued = await admin.query("SELECT External_Ref__c FROM Loan_Application__c WHERE Owner.Type = 'Queue'");
    expect(queued.records.map((r) => (r as Record<string, unknown>).External_Ref__c)).toEqual(['HL-2001']);
    // Account.OwnerId is not polymorphic: a plain User parent.
    const account = await admin.query<Record<string, unknown>>('SELECT Owner.Name FROM Account LIMIT 1');
    expect(account.records[0]?.Owner).toMatchObject({ attributes: { type: 'User' } });
  });

  it('TYPEOF Owner picks the branch of the actual owner type', async () => {
    const result = await admin.query<Record<string, unknown>>(
      "SELECT TYPEOF Owner WHEN Group THEN DeveloperName WHEN User THEN Username END FROM Loan_Application__c WHERE External_Ref__c IN ('HL-2001', 'HL-1001') ORDER BY External_Ref__c",
    );
    expect(result.records.map((r) => r.Owner)).toEqual([
      { attributes: expect.objectContaining({ type: 'User' }), Username: 'officer@lending.test' },
      { attributes: expect.objectContaining({ type: 'Group' }), DeveloperName: 'Underwriting_Queue' },
    ]);
  });

  it("queue members work the queue's records; other users do not see them; a public group cannot own", async () => {
    const queued = await loan('HL-2001');
    expect((await officer2.sobject('Loan_Application__c').update({ Id: queued, Amount__c: 2000 })).success).toBe(true);
    expect((await raw(officer, 'GET', `/sobjects/Loan_Application__c/${queued}`)).status).toBe(404);
    const group = await groupId('Lending_Team');
    const refused = await raw(admin, 'PATCH', `/sobjects/Loan_Application__c/${queued}`, { OwnerId: group });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual([
      {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Owner ID: id value of incorrect type: ${group}`,
        fields: ['OwnerId'],
      },
    ]);
    const queue = await groupId('Underwriting_Queue');
    const own = await loan('HL-1001');
    expect((await raw(admin, 'PATCH', `/sobjects/Loan_Application__c/${own}`, { OwnerId: queue })).status).toBe(204);
    expect((await officer2.sobject('Loan_Application__c').retrieve(own)).OwnerId).toBe(queue);
  });
});

describe('SOSL /search (REST API Developer Guide, "Search"; SOSL syntax)', () => {
  it('finds records by word across searchable fields, as the user: jsforce search()', async () => {
    const result = await admin.search(
      'FIND {Chen} IN ALL FIELDS RETURNING Contact(FirstName, LastName), Account(Name)',
    );
    expect(result.searchRecords).toEqual([
      { attributes: expect.objectContaining({ type: 'Contact' }), FirstName: 'Wei', LastName: 'Chen' },
    ]);
    const wildcard = await admin.search('FIND {harb*} RETURNING Account(Id, Name)');
    expect(wildcard.searchRecords.map((r) => (r as Record<string, unknown>).Name)).toEqual(['Harbor Lending Co.']);
  });

  it('applies sharing and FLS: hidden records are not found, hidden fields cannot be returned or matched', async () => {
    // HL-1006 (officer2's, not shared) is invisible to the officer; HL-1001 is the officer's own.
    const found = await officer.search('FIND {Solar} RETURNING Loan_Application__c(Name)');
    expect(found.searchRecords).toEqual([]);
    expect((await admin.search('FIND {Solar} RETURNING Loan_Application__c(Name)')).searchRecords).toHaveLength(1);
    await expect(officer.search('FIND {Chen} RETURNING Loan_Application__c(Risk_Tier__c)')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    // SSN__c is hidden from the officer: searching its value finds nothing.
    expect((await officer.search('FIND {"900-23-4567"} RETURNING Contact(LastName)')).searchRecords).toEqual([]);
    expect((await admin.search('FIND {"900-23-4567"} RETURNING Contact(LastName)')).searchRecords).toHaveLength(1);
  });

  it('answers MALFORMED_SEARCH for a one-character term or a non-FIND string', async () => {
    const short = await raw(admin, 'GET', `/search?q=${encodeURIComponent('FIND {a}')}`);
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual([
      { errorCode: 'MALFORMED_SEARCH', message: 'search term must be longer than one character' },
    ]);
    await expect(admin.search('SELECT Id FROM Account')).rejects.toMatchObject({ errorCode: 'MALFORMED_SEARCH' });
  });
});

describe('seed validation rules (Metadata API "ValidationRule"; formula operators and functions)', () => {
  const rejects = async (
    conn: jsforce.Connection,
    method: string,
    rest: string,
    body: unknown,
    message: string,
    fields: string[],
  ): Promise<void> => {
    const response = await raw(conn, method, rest, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual([{ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message, fields }]);
  };

  it('ranges, REGEX and required-if refuse the save with the rule message on its errorDisplayField', async () => {
    await rejects(officer, 'POST', '/sobjects/Loan_Application__c', { Amount__c: -1 }, 'Amount must not be negative.', [
      'Amount__c',
    ]);
    await rejects(
      officer,
      'POST',
      '/sobjects/Loan_Application__c',
      { Amount__c: 1, External_Ref__c: 'hl-12' },
      'External reference must look like HL-1234.',
      ['External_Ref__c'],
    );
    const own = await loan('HL-1002');
    await rejects(
      officer,
      'PATCH',
      `/sobjects/Loan_Application__c/${own}`,
      { Status__c: 'Declined', Description__c: null },
      'Say why the application is declined.',
      ['Description__c'],
    );
    expect(
      (
        await officer
          .sobject('Loan_Application__c')
          .update({ Id: own, Status__c: 'Declined', Description__c: 'Income not verified.' })
      ).success,
    ).toBe(true);
    await expect(officer.sobject('Loan_Application__c').create({ Amount__c: 7 })).resolves.toMatchObject({
      success: true,
    }); // inactive rule
  });

  it('ISCHANGED + PRIORVALUE + $User.Id: top-of-page error (fields: []) for anyone but the owner', async () => {
    const approved = await loan('HL-1004'); // the officer's, Approved
    await rejects(
      admin,
      'PATCH',
      `/sobjects/Loan_Application__c/${approved}`,
      { Status__c: 'Open' },
      'Only the owner can reopen an approved application.',
      [],
    );
    expect((await admin.sobject('Loan_Application__c').update({ Id: approved, Amount__c: 42001 })).success).toBe(true); // status unchanged
    expect((await officer.sobject('Loan_Application__c').update({ Id: approved, Status__c: 'Open' })).success).toBe(
      true,
    );
    await rejects(
      admin,
      'POST',
      '/sobjects/Loan_Application__c',
      { Amount__c: 424242 },
      'Test amount refused for any user with a profile.',
      [],
    );
  });

  it('collections report the rule per record with statusCode', async () => {
    const response = await raw(officer, 'POST', '/composite/sobjects', {
      records: [{ attributes: { type: 'Loan_Application__c' }, Amount__c: -5 }],
    });
    expect(await response.json()).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Amount must not be negative.',
            fields: ['Amount__c'],
          },
        ],
      },
    ]);
  });

  it('a formula outside the subset fails the seed load, naming the rule', () => {
    const seed = seedWithAuditor() as { objects: Record<string, { validationRules?: unknown[] }> };
    seed.objects.Loan_Application__c!.validationRules = [{ name: 'Bad', formula: 'VLOOKUP(Amount__c)', message: 'x' }];
    expect(() => createOrg({ seed: seed as never, baseDir: path.dirname(DEFAULT_SEED_PATH) })).toThrow(
      /validationRules\[0\] \(Bad\): unsupported function VLOOKUP/,
    );
  });
});

describe('lookups to records the user cannot see, and View All users', () => {
  it('a lookup to a record hidden by sharing is INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY on that field', async () => {
    const hidden = await idOf(admin, "SELECT Id FROM Contact WHERE LastName = 'Okafor'"); // officer2's contact
    expect((await raw(officer, 'GET', `/sobjects/Contact/${hidden}`)).status).toBe(404);
    const response = await raw(officer, 'POST', '/sobjects/Loan_Application__c', {
      Amount__c: 10,
      Applicant__c: hidden,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual([
      {
        errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        message: `insufficient access rights on cross-reference id: ${hidden}`,
        fields: ['Applicant__c'],
      },
    ]);
  });

  it('object-level View All (the approver) reads every application but edits none', async () => {
    const approver = await jsforceConnection(emu, 'approver@lending.test');
    const all = await approver.query('SELECT Id FROM Loan_Application__c');
    const total = (await admin.query('SELECT Id FROM Loan_Application__c')).totalSize;
    expect(all.totalSize).toBe(total);
    const hidden = await loan('HL-1006');
    expect((await raw(approver, 'PATCH', `/sobjects/Loan_Application__c/${hidden}`, { Amount__c: 1 })).status).toBe(
      400,
    );
  });
});
