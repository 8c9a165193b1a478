/**
 * Share objects, groups and queues over the wire with unmodified jsforce: create, query, retrieve, update and delete
 * Manual shares as the record owner and as users who may not, and the queue-membership query the worker runs.
 */
import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, startTestEmulator } from '../support/emulator.ts';

const SHARE = 'Loan_Application__Share';
let emu: EmulatorHandle;
let officer: jsforce.Connection;
let officer2: jsforce.Connection;
let approver: jsforce.Connection;
let admin: jsforce.Connection;

const ref = (name: string): string => (emu.org as Org).refId(name);
const userId = (key: string): string => (emu.org as Org).userByKey(key)!.id;
const rejection = async (
  promise: PromiseLike<unknown>,
): Promise<{ errorCode?: string; message?: string; fields?: string[] }> => {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode?: string; message?: string };
  }
  throw new Error('expected the call to fail');
};

beforeAll(async () => {
  emu = await startTestEmulator();
});
beforeEach(async () => {
  emu.admin.reset();
  [officer, officer2, approver, admin] = await Promise.all(
    ['officer', 'officer2', 'approver', 'admin'].map((user) => jsforceConnection(emu, `${user}@lending.test`)),
  );
});
afterAll(async () => emu.close());

describe('share objects through jsforce', () => {
  it('lets the owner create, query, retrieve, update and delete a Manual share, which opens and closes the record', async () => {
    const app1 = ref('app1');
    const readAsPeer = async () =>
      (await officer2.query(`SELECT Id FROM Loan_Application__c WHERE Id = '${app1}'`)).totalSize;
    expect(await readAsPeer()).toBe(0);

    const created = await officer
      .sobject(SHARE)
      .create({ ParentId: app1, UserOrGroupId: userId('officer2'), AccessLevel: 'Read' });
    expect(created).toMatchObject({ success: true, errors: [] });
    const shareId = String((created as { id: string }).id);
    expect(shareId).toMatch(/^02cEM\w{13}$/);
    expect(await readAsPeer()).toBe(1);

    // Both the owner and the grantee see the row (they can read the parent); the Owner row is there too.
    const asOwner = await officer.query<{ RowCause: string; AccessLevel: string; UserOrGroupId: string }>(
      `SELECT Id, UserOrGroupId, AccessLevel, RowCause, UserOrGroup.Name FROM ${SHARE} WHERE ParentId = '${app1}' ORDER BY RowCause`,
    );
    // ORDER BY a picklist follows the picklist's order (Owner, Manual, Rule), as in Salesforce.
    expect(asOwner.records.map((r) => [r.RowCause, r.AccessLevel, r.UserOrGroupId])).toEqual([
      ['Owner', 'All', userId('officer')],
      ['Manual', 'Read', userId('officer2')],
    ]);
    expect((await officer2.query(`SELECT Id FROM ${SHARE} WHERE Id = '${shareId}'`)).totalSize).toBe(1);
    expect(await officer2.sobject(SHARE).retrieve(shareId)).toMatchObject({
      Id: shareId,
      ParentId: app1,
      RowCause: 'Manual',
    });
    const described = await officer.sobject(SHARE).describe();
    expect(described.fields.find((f) => f.name === 'AccessLevel')).toMatchObject({
      updateable: true,
      restrictedPicklist: true,
    });

    // Edit instead of Read: PATCH AccessLevel.
    await officer.sobject(SHARE).update({ Id: shareId, AccessLevel: 'Edit' });
    await officer2.sobject('Loan_Application__c').update({ Id: app1, Status__c: 'In Review' });

    // The grantee cannot take the share away; the owner can, and the access goes with it.
    expect(await rejection(officer2.sobject(SHARE).destroy(shareId))).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    expect(await officer.sobject(SHARE).destroy(shareId)).toMatchObject({ id: shareId, success: true });
    expect(await readAsPeer()).toBe(0);
    expect((await officer.query(`SELECT Id FROM ${SHARE} WHERE Id = '${shareId}'`)).totalSize).toBe(0);
  });

  it('refuses a share from a user who can read the record but does not own it', async () => {
    // app7 belongs to officer2 and is shared Read-only with officer.
    const error = await rejection(
      officer.sobject(SHARE).create({ ParentId: ref('app7'), UserOrGroupId: userId('nobody'), AccessLevel: 'Read' }),
    );
    expect(error).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
      message: `insufficient access rights on cross-reference id: ${ref('app7')}`,
    });
    // View All (the approver) is not full access either; Modify All Data (the admin) is.
    expect(
      await rejection(
        approver.sobject(SHARE).create({ ParentId: ref('app7'), UserOrGroupId: userId('nobody'), AccessLevel: 'Read' }),
      ),
    ).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
    });
    expect(
      await admin
        .sobject(SHARE)
        .create({ ParentId: ref('app7'), UserOrGroupId: userId('nobody'), AccessLevel: 'Read' }),
    ).toMatchObject({ success: true });
    // All is the owner's level and cannot be granted, by anyone.
    expect(
      await rejection(
        officer2.sobject(SHARE).create({ ParentId: ref('app7'), UserOrGroupId: userId('nobody'), AccessLevel: 'All' }),
      ),
    ).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: expect.stringContaining('AccessLevel'),
    });
  });

  it('reports per-record results for collection inserts and deletes of share rows', async () => {
    const results = (await officer.sobject(SHARE).create([
      { ParentId: ref('app1'), UserOrGroupId: userId('officer2'), AccessLevel: 'Read' },
      { ParentId: ref('app7'), UserOrGroupId: userId('nobody'), AccessLevel: 'Read' },
    ])) as Array<{ success: boolean; id?: string; errors: Array<{ statusCode: string }> }>;
    expect(results.map((r) => r.success)).toEqual([true, false]);
    expect(results[1]!.errors[0]!.statusCode).toBe('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');
    // DELETE /composite/sobjects?ids=: every share object uses the 02c prefix, the row knows its object.
    const deleted = (await officer.sobject(SHARE).destroy([results[0]!.id!])) as Array<{ success: boolean }>;
    expect(deleted).toEqual([expect.objectContaining({ success: true })]);
  });

  it('has no share object for Public Read/Write objects', async () => {
    expect(await rejection(admin.query('SELECT Id FROM LLMConfiguration__Share'))).toMatchObject({
      errorCode: 'INVALID_TYPE',
    });
    expect(await rejection(admin.sobject('LLMConfiguration__Share').describe())).toMatchObject({
      errorCode: 'NOT_FOUND',
    });
  });
});

describe('groups and queues through jsforce', () => {
  it("answers the worker's queue-membership query for the seeded Loan_Approvers queue", async () => {
    const membership = (id: string) =>
      officer.query(
        `SELECT Id FROM GroupMember WHERE UserOrGroupId = '${id}' AND Group.DeveloperName = 'Loan_Approvers' AND Group.Type = 'Queue'`,
      );
    expect((await membership(userId('approver'))).totalSize).toBe(1);
    expect((await membership(userId('underwriter'))).totalSize).toBe(0);
    const queue = await officer.query<{ Id: string; Name: string; Type: string }>(
      "SELECT Id, Name, Type FROM Group WHERE DeveloperName = 'Loan_Approvers'",
    );
    expect(queue.records).toEqual([
      expect.objectContaining({ Name: 'Loan Approvers', Type: 'Queue', Id: expect.stringMatching(/^00GEM/) }),
    ]);
  });

  it('refuses Group and GroupMember writes with a Salesforce-shaped error', async () => {
    const queueId = (await admin.query<{ Id: string }>("SELECT Id FROM Group WHERE DeveloperName = 'Loan_Approvers'"))
      .records[0]!.Id;
    expect(
      await rejection(admin.sobject('GroupMember').create({ GroupId: queueId, UserOrGroupId: userId('underwriter') })),
    ).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
      message: 'entity type cannot be inserted: Group Member',
    });
    expect((await admin.query(`SELECT Id FROM GroupMember WHERE GroupId = '${queueId}'`)).totalSize).toBe(1);
  });

  it('grants a record shared with the queue to its members, and only to them', async () => {
    // A pending action as the worker writes one: owned by the requester, Private; the approver has Read, not View All.
    const worker = await jsforceConnection(emu, 'worker@lending.test');
    const pending = (await worker.sobject('PendingHITLAction__c').create({
      ActionKey__c: 'contract-queue-1',
      Status__c: 'Pending',
      HITLType__c: 'Approval',
      OwnerId: userId('officer'),
    })) as { id: string };
    const reads = async (conn: jsforce.Connection) =>
      (await conn.query(`SELECT Id FROM PendingHITLAction__c WHERE Id = '${pending.id}'`)).totalSize;
    const underwriter = await jsforceConnection(emu, 'underwriter@lending.test');
    expect([await reads(approver), await reads(underwriter)]).toEqual([0, 1]); // the underwriter's role is above the officer's
    const queueId = (
      await worker.query<{ Id: string }>(
        "SELECT Id FROM Group WHERE DeveloperName = 'Loan_Approvers' AND Type = 'Queue'",
      )
    ).records[0]!.Id;
    // The worker has Modify All on pending actions, so it may share them.
    await worker
      .sobject('PendingHITLAction__Share')
      .create({ ParentId: pending.id, UserOrGroupId: queueId, AccessLevel: 'Read', RowCause: 'Manual' });
    expect(await reads(approver)).toBe(1);
    expect(await reads(officer2)).toBe(0);
    expect(
      await rejection(approver.sobject('PendingHITLAction__c').update({ Id: pending.id, Status__c: 'Approved' })),
    ).toMatchObject({ errorCode: expect.stringMatching(/^INSUFFICIENT_ACCESS/) });
  });
});
