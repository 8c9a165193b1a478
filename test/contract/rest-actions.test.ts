import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, startTestEmulator } from '../support/emulator.ts';
import { buildOrg, minimalSeed } from '../support/org-fixture.ts';

let emu: EmulatorHandle;
let admin: jsforce.Connection;
let officer: jsforce.Connection;
let approver: jsforce.Connection;

const raw = (conn: jsforce.Connection, method: string, path: string, body?: string): Promise<Response> =>
  fetch(`${emu.url}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });

type Result = {
  actionName: string;
  isSuccess: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }> | null;
  outputValues: Record<string, unknown> | null;
};
const invoke = (conn: jsforce.Connection, path: string, inputs: unknown[]): Promise<Result[]> =>
  conn.requestPost<Result[]>(path, { inputs });
const ref = (name: string): string => (emu.org as Org).refId(name);
const statusOf = (id: string): unknown => emu.org.store.get(id)?.record.Status__c;

beforeAll(async () => {
  emu = await startTestEmulator();
});
// Every test starts from the seed (reset also revokes tokens, so log in again).
beforeEach(async () => {
  emu.admin.reset();
  [admin, officer, approver] = await Promise.all(
    ['admin', 'officer', 'approver'].map((user) => jsforceConnection(emu, `${user}@lending.test`)),
  );
});
afterAll(async () => emu.close());

describe('custom flow and Apex actions', () => {
  it('lists, describes and runs a flow as the caller, with outputs and its DML', async () => {
    const list = await officer.request<{ actions: Array<{ name: string; type: string; url: string }> }>(
      '/actions/custom/flow',
    );
    expect(list.actions.map((action) => action.name)).toEqual(['Escalate_Application', 'Close_Application']);
    expect(list.actions[0]).toMatchObject({
      type: 'FLOW',
      url: '/services/data/v62.0/actions/custom/flow/Escalate_Application',
    });
    const described = await officer.request<{ inputs: Array<{ name: string; required: boolean }> }>(
      '/actions/custom/flow/Escalate_Application',
    );
    expect(described.inputs).toEqual([
      expect.objectContaining({ name: 'recordId', required: true, type: 'ID' }),
      expect.objectContaining({ name: 'reason', required: true }),
    ]);

    const [result] = await invoke(officer, '/actions/custom/flow/Escalate_Application', [
      { recordId: ref('app1'), reason: 'income check' },
    ]);
    expect(result).toMatchObject({ actionName: 'Escalate_Application', isSuccess: true, errors: null });
    expect(result!.outputValues).toMatchObject({
      applicationId: ref('app1'),
      taskId: expect.stringMatching(/^00T/),
      Flow__InterviewStatus: 'Finished',
    });
    expect(statusOf(ref('app1'))).toBe('In Review');
    const task = emu.org.store.get(String(result!.outputValues!.taskId))!.record;
    // Created as the caller: the officer is owner and creator.
    const officerId = emu.org.userByUsername('officer@lending.test')!.id;
    expect(task).toMatchObject({ Subject: 'Escalated: income check', OwnerId: officerId, CreatedById: officerId });
  });

  it('refuses DML the caller may not do, with the element error, and rolls the invocation back', async () => {
    // app7 is shared Read-only with the officer: visible, not editable.
    const [shared] = await invoke(officer, '/actions/custom/flow/Escalate_Application', [
      { recordId: ref('app7'), reason: 'x' },
    ]);
    expect(shared).toMatchObject({ isSuccess: false, outputValues: null });
    expect(shared!.errors![0]!.statusCode).toMatch(/^INSUFFICIENT_ACCESS/);
    expect(statusOf(ref('app7'))).toBe('In Review');
    // The approver may read applications but not edit them or create tasks; nothing at all is written.
    const before = emu.admin.records('Task').length;
    const [denied] = await invoke(approver, '/actions/custom/flow/Escalate_Application', [
      { recordId: ref('app1'), reason: 'x' },
    ]);
    expect(denied!.isSuccess).toBe(false);
    expect(statusOf(ref('app1'))).toBe('Open');
    expect(emu.admin.records('Task')).toHaveLength(before);
  });

  it('rolls back earlier effects when a later one fails', async () => {
    // Escalating as the nobody user: no Loom_User, reads applications only; the update fails before the task is made.
    const nobody = await jsforceConnection(emu, 'nobody@lending.test');
    const [result] = await invoke(nobody, '/actions/custom/flow/Escalate_Application', [
      { recordId: ref('app1'), reason: 'x' },
    ]);
    expect(result!.isSuccess).toBe(false);
    expect(statusOf(ref('app1'))).toBe('Open');
  });

  it('runs several inputs independently and validates each', async () => {
    const results = await invoke(officer, '/actions/custom/flow/Close_Application', [
      { recordId: ref('app1'), confirm: true },
      { recordId: ref('app2') },
      { recordId: 'not-an-id', confirm: true },
      { confirm: true },
      { recordId: ref('app2'), confirm: true, extra: 1 },
    ]);
    expect(results.map((result) => result.isSuccess)).toEqual([true, false, false, false, false]);
    expect(results[1]!.errors![0]).toMatchObject({
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: `Set confirm to true to close application ${ref('app2')}.`,
    });
    expect(results[2]!.errors![0]).toMatchObject({ statusCode: 'INVALID_TYPE_FOR_OPERATION', fields: ['recordId'] });
    expect(results[3]!.errors![0]).toMatchObject({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Missing required input parameter: recordId',
    });
    expect(results[4]!.errors![0]).toMatchObject({ statusCode: 'INVALID_INPUT', fields: ['extra'] });
    expect([statusOf(ref('app1')), statusOf(ref('app2'))]).toEqual(['Declined', 'In Review']);
  });

  it("returns Apex outputs read with the caller's sharing", async () => {
    const [own] = await invoke(officer, '/actions/custom/apex/LoanApplicationSummary', [{ recordId: ref('app1') }]);
    expect(own).toMatchObject({
      isSuccess: true,
      outputValues: { amount: 25000, status: 'Open', applicationNumber: expect.stringMatching(/^LA-/) },
    });
    expect(String(own!.outputValues!.summary)).toMatch(/^LA-\d+: Open, 25000$/);
    // app6 belongs to a peer and is not shared: the query sees no row, as in Apex with sharing.
    const [hidden] = await invoke(officer, '/actions/custom/apex/LoanApplicationSummary', [{ recordId: ref('app6') }]);
    expect(hidden!.errors![0]!.message).toContain('List has no rows');
  });

  it('refuses a user without access to the Apex class (403 INSUFFICIENT_ACCESS)', async () => {
    await expect(
      invoke(approver, '/actions/custom/apex/LoanApplicationSummary', [{ recordId: ref('app1') }]),
    ).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS',
      message: 'You do not have permission to access the Apex class named LoanApplicationSummary',
    });
  });

  it('keeps inputs inside SOQL literals (no injection through merge fields)', async () => {
    const [result] = await invoke(admin, '/actions/custom/apex/LoanApplicationSummary', [
      { recordId: "a01' OR Name != '" },
    ]);
    expect(result).toMatchObject({
      isSuccess: false,
      errors: [expect.objectContaining({ statusCode: 'INVALID_TYPE_FOR_OPERATION' })],
    });
  });

  it('answers 404 for unknown actions and 400 for malformed bodies, counting each call', async () => {
    await expect(invoke(officer, '/actions/custom/flow/No_Such_Flow', [{}])).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    await expect(
      officer.requestPost('/actions/custom/apex/LoanApplicationSummary', { input: [] }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_INPUT' });
    await expect(
      officer.requestPost('/actions/custom/apex/LoanApplicationSummary', { inputs: [1] }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_INPUT' });
    await expect(officer.requestPost('/actions/custom/apex/LoanApplicationSummary', [])).rejects.toMatchObject({
      errorCode: 'JSON_PARSER_ERROR',
    });
    const malformed = await raw(officer, 'POST', '/actions/custom/flow/Close_Application', '{"inputs": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    expect((await raw(officer, 'DELETE', '/actions/custom/flow/Close_Application')).status).toBe(405);
    const officerId = emu.org.userByUsername('officer@lending.test')!.id;
    const calls = emu.admin
      .requestLog()
      .filter((entry) => entry.userId === officerId && entry.path.includes('/actions/'));
    expect(calls).toHaveLength(6);
    expect(calls.every((entry) => entry.counted)).toBe(true);
  });
});

describe('standard emailSimple', () => {
  it('records the email in the outbox as sent by the caller, readable in-process and over HTTP', async () => {
    const [result] = await invoke(officer, '/actions/standard/emailSimple', [
      {
        emailAddresses: 'maria.alvarez@example.com, wei.chen@example.com',
        emailSubject: 'Your application',
        emailBody: 'We are reviewing it.',
      },
    ]);
    expect(result).toMatchObject({ actionName: 'emailSimple', isSuccess: true, errors: null });
    const outbox = emu.admin.outbox();
    expect(outbox).toEqual([
      expect.objectContaining({
        seq: 1,
        fromUsername: 'officer@lending.test',
        to: ['maria.alvarez@example.com', 'wei.chen@example.com'],
        subject: 'Your application',
        body: 'We are reviewing it.',
      }),
    ]);
    const overHttp = (await (await fetch(`${emu.url}/__emulator/outbox`)).json()) as unknown[];
    expect(overHttp).toEqual(JSON.parse(JSON.stringify(outbox)));
    expect((await fetch(`${emu.url}/__emulator/outbox`, { method: 'DELETE' })).status).toBe(200);
    expect(emu.admin.outbox()).toEqual([]);
  });

  it('refuses invalid recipients and missing fields without sending', async () => {
    const results = await invoke(officer, '/actions/standard/emailSimple', [
      { emailAddresses: 'not-an-address', emailSubject: 's', emailBody: 'b' },
      { emailAddresses: 'a@example.com', emailBody: 'b' },
      { emailSubject: 's', emailBody: 'b' },
    ]);
    expect(results.map((result) => result.errors?.[0]?.statusCode)).toEqual([
      'INVALID_EMAIL_ADDRESS',
      'INVALID_INPUT',
      'REQUIRED_FIELD_MISSING',
    ]);
    expect(emu.admin.outbox()).toEqual([]);
    const standard = await officer.request<{ actions: Array<{ name: string }> }>('/actions/standard');
    expect(standard.actions.map((action) => action.name)).toEqual(['emailSimple', 'customNotificationAction']);
  });
});

describe('standard customNotificationAction', () => {
  const typeIdOf = async (conn: jsforce.Connection): Promise<string> =>
    (
      await conn.query<{ Id: string }>(
        "SELECT Id FROM CustomNotificationType WHERE DeveloperName = 'Loom_Pending_Action'",
      )
    ).records[0]!.Id;
  const userIdOf = (key: string): string => (emu.org as Org).userByKey(key)!.id;

  it("serves the package's notification types as CustomNotificationType records", async () => {
    const types = await officer.query<Record<string, unknown>>(
      'SELECT Id, DeveloperName, MasterLabel, CustomNotifTypeName, Desktop, Mobile FROM CustomNotificationType',
    );
    expect(types.records).toEqual([
      expect.objectContaining({
        Id: expect.stringMatching(/^0MLEM/),
        DeveloperName: 'Loom_Pending_Action',
        MasterLabel: 'Loom Pending Action',
        CustomNotifTypeName: 'Loom Pending Action',
        Desktop: true,
        Mobile: true,
      }),
    ]);
    const described = await officer.request<{ inputs: Array<{ name: string; required: boolean }> }>(
      '/actions/standard/customNotificationAction',
    );
    expect(described.inputs.filter((input) => input.required).map((input) => input.name)).toEqual([
      'customNotifTypeId',
      'recipientIds',
      'title',
      'body',
    ]);
  });

  it('records the notification with the users it reaches (queues expanded), readable in-process and over HTTP', async () => {
    const worker = await jsforceConnection(emu, 'worker@lending.test');
    const typeId = await typeIdOf(worker);
    const queueId = (await worker.query<{ Id: string }>("SELECT Id FROM Group WHERE DeveloperName = 'Loan_Approvers'"))
      .records[0]!.Id;
    const results = await invoke(worker, '/actions/standard/customNotificationAction', [
      {
        customNotifTypeId: typeId,
        recipientIds: [userIdOf('officer')],
        title: 'Your change was approved',
        body: 'update_application ran.',
        targetId: ref('app1'),
      },
      {
        customNotifTypeId: typeId,
        recipientIds: [queueId],
        title: 'Approval needed',
        body: 'Please review.',
        targetId: ref('app2'),
      },
    ]);
    expect(results).toEqual([
      {
        actionName: 'customNotificationAction',
        errors: null,
        isSuccess: true,
        outputValues: { SuccessMessage: 'Your custom notification is processed successfully.' },
        version: 1,
      },
      expect.objectContaining({ isSuccess: true }),
    ]);
    const sent = emu.admin.notifications();
    expect(sent).toEqual([
      expect.objectContaining({
        seq: 1,
        fromUsername: 'worker@lending.test',
        typeId,
        typeDeveloperName: 'Loom_Pending_Action',
        recipientIds: [userIdOf('officer')],
        deliveredTo: [userIdOf('officer')],
        title: 'Your change was approved',
        targetId: ref('app1'),
      }),
      expect.objectContaining({
        seq: 2,
        recipientIds: [queueId],
        deliveredTo: [userIdOf('approver')],
        targetId: ref('app2'),
      }),
    ]);
    const overHttp = (await (await fetch(`${emu.url}/__emulator/notifications`)).json()) as unknown[];
    expect(overHttp).toEqual(JSON.parse(JSON.stringify(sent)));
    expect((await fetch(`${emu.url}/__emulator/notifications`, { method: 'DELETE' })).status).toBe(200);
    expect(emu.admin.notifications()).toEqual([]);
  });

  it('validates each input like the platform and sends nothing for a refused one', async () => {
    const worker = await jsforceConnection(emu, 'worker@lending.test');
    const typeId = await typeIdOf(worker);
    const valid = {
      customNotifTypeId: typeId,
      recipientIds: [userIdOf('approver')],
      title: 't',
      body: 'b',
      targetId: ref('app1'),
    };
    const results = await invoke(worker, '/actions/standard/customNotificationAction', [
      { ...valid, customNotifTypeId: ref('app1') },
      { ...valid, customNotifTypeId: undefined },
      { ...valid, title: '' },
      { ...valid, body: 'x'.repeat(751) },
      { ...valid, recipientIds: [] },
      { ...valid, recipientIds: Array.from({ length: 501 }, () => userIdOf('approver')) },
      { ...valid, recipientIds: [ref('harbor')] },
      { ...valid, recipientIds: ['not-an-id'] },
      { ...valid, targetId: undefined },
      { ...valid, color: 'red' },
    ]);
    expect(results.map((result) => [result.isSuccess, result.errors?.[0]?.statusCode])).toEqual([
      [false, 'INVALID_ID_FIELD'],
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'STRING_TOO_LONG'],
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'LIMIT_EXCEEDED'],
      [false, 'INVALID_ID_FIELD'],
      [false, 'MALFORMED_ID'],
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'INVALID_INPUT'],
    ]);
    expect(results[6]!.errors![0]!.message).toMatch(/expected a user, group or queue ID/);
    expect(emu.admin.notifications()).toEqual([]);
  });

  it('needs the Send Custom Notifications permission (the Loom_Worker permission set has it)', async () => {
    const [refused] = await invoke(officer, '/actions/standard/customNotificationAction', [
      {
        customNotifTypeId: await typeIdOf(officer),
        recipientIds: [userIdOf('approver')],
        title: 't',
        body: 'b',
        targetId: ref('app1'),
      },
    ]);
    expect(refused).toMatchObject({
      isSuccess: false,
      errors: [expect.objectContaining({ statusCode: 'INSUFFICIENT_ACCESS' })],
    });
    expect(emu.admin.notifications()).toEqual([]);
  });
});

describe('action declarations in the seed', () => {
  const withAction = (action: Record<string, unknown>) =>
    minimalSeed({
      actions: [{ type: 'flow', name: 'Paint', inputs: [{ name: 'color', type: 'string' }], ...action }] as never,
    });

  it('fails the load on a merge field that names nothing, or a duplicate name', () => {
    expect(() => buildOrg(withAction({ effects: [{ create: 'Widget__c', set: { Color__c: '{!colour}' } }] }))).toThrow(
      /unknown merge field \{!colour\}/,
    );
    expect(() => buildOrg(withAction({ outputs: { id: '{!widget.Id}' } }))).toThrow(/effects|outputs/);
    const twice = minimalSeed({
      actions: [
        { type: 'apex', name: 'A' },
        { type: 'apex', name: 'a' },
      ] as never,
    });
    expect(() => buildOrg(twice)).toThrow(/duplicate apex action a/);
  });

  it('accepts bindings from earlier effects', () => {
    const org = buildOrg(
      withAction({
        effects: [{ create: 'Widget__c', as: 'widget', set: { Color__c: '{!color}' } }],
        outputs: { id: '{!widget.Id}' },
      }),
    );
    expect(org.actionDeclarations.map((action) => action.name)).toEqual(['Paint']);
  });
});
