/**
 * Routing and notification end to end against the emulator's share objects, queues and custom notifications: when a
 * call is held, the routed approver (or queue) gets a Read share of the Private pending record and the
 * Loom_Pending_Action custom notification; queue routing admits members only; the requester hears the outcome.
 * Every assertion reads the platform's own records (share rows, the notification list, the audit trail), never the
 * worker's memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentNotification } from '../../src/emulator/actions/custom-notification.ts';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { lastSeq, requestsSince } from '../support/chaos/abuse-kit.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';
import { answersOf, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const SIGNING_KEY = 'test-hitl-routing-signing-key-0123456789ab';
const signal = new AbortController().signal;
const QUEUE = 'Loan_Approvers';

/** Each case: look HL-1002 up, then call `tool` with this amount. */
const CASES: Record<string, { tool: string; amount: number }> = {
  'case-user-approve': { tool: 'update_application', amount: 8100 },
  'case-user-reject': { tool: 'update_application', amount: 8200 },
  'case-queue': { tool: 'update_queued', amount: 8300 },
  'case-execution-share': { tool: 'update_application', amount: 8400 },
};

const SCRIPT: ScriptedScript = {
  name: 'hitl-routing',
  rules: [
    ...outcomeRules(),
    ...findThenAct(CASES, 'HL-1002', (spec) => ({
      name: spec.tool,
      arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } },
    })),
    { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
  ],
};

let emulator: EmulatorHandle;
let harness: Harness;
let ids: { officer: string; approver: string; underwriter: string; worker: string; queue: string };

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: SCRIPT,
    runtime: { hitl: { signingKey: SIGNING_KEY, defaultApprover: USERS.approver } },
  });
  const org = emulator.org as Org;
  const user = (username: string) => org.userByUsername(username)!.id;
  const admin = harness.clientFor(USERS.admin);
  const queue = await admin.query<{ Id: string }>(
    `SELECT Id FROM Group WHERE DeveloperName = '${QUEUE}' AND Type = 'Queue'`,
  );
  ids = {
    officer: user(USERS.officer),
    approver: user(USERS.approver),
    underwriter: user(USERS.underwriter),
    worker: user(USERS.worker),
    queue: queue.records[0]!.Id,
  };
  // The underwriter becomes a Loom_Approver too (and can read the officer's applications through the role
  // hierarchy), but is not a member of the queue.
  const [approverSet] = org.query(
    org.systemAccess(user(USERS.admin)),
    "SELECT Id FROM PermissionSet WHERE Name = 'Loom_Approver'",
    { apiVersion: '62.0' },
  ).records;
  org.create(org.systemAccess(user(USERS.admin)), 'PermissionSetAssignment', {
    AssigneeId: ids.underwriter,
    PermissionSetId: approverSet?.Id,
  });
  await admin.create('AgentCapability__c', {
    AIAgentDefinition__c: harness.agentId,
    CapabilityName__c: 'update_queued',
    Description__c: 'Update a loan application; the Loan Approvers queue decides.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
      required: ['recordId', 'fields'],
      additionalProperties: false,
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'UpdateRecord',
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c', approval: { queue: QUEUE } }),
    HITLMode__c: 'Approval',
    ExposureLevel__c: 'External',
    IsActive__c: true,
  });
});
afterAll(async () => {
  await emulator.close();
});

async function application(): Promise<{ Id: string; Amount__c: number }> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Id: string; Amount__c: number }>(
      "SELECT Id, Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1002'",
    );
  return records[0]!;
}

/** A turn by the officer that holds one update; returns the execution and the pending record. */
async function held(tag: string) {
  const { started, job } = await harness.turn(USERS.officer, `${tag} please`);
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending?.Status__c).toBe('Pending');
  return { executionId: started.executionId, pending: pending! };
}

/** The pending record as `username` sees it with their own session (0 or 1 rows). */
async function visibleTo(username: string, pendingId: string): Promise<number> {
  return (await harness.clientFor(username).query(`SELECT Id FROM PendingHITLAction__c WHERE Id = '${pendingId}'`))
    .totalSize;
}

/** Manual share rows of the pending record, read back as the admin. */
async function manualShares(pendingId: string) {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Id: string; UserOrGroupId: string; AccessLevel: string; RowCause: string }>(
      `SELECT Id, UserOrGroupId, AccessLevel, RowCause FROM PendingHITLAction__Share WHERE ParentId = '${pendingId}' AND RowCause = 'Manual'`,
    );
  return records;
}

const notificationsFor = (pendingId: string): SentNotification[] =>
  emulator.admin.notifications().filter((sent) => sent.targetId === pendingId);
const contents = async (executionId: string): Promise<string[]> =>
  (await stepsOf(harness, executionId)).map((step) => String(step.Content__c));

describe('routing to a user', () => {
  it('shares the pending record with the approver and sends them the custom notification', async () => {
    const { executionId, pending } = await held('case-user-approve');
    // The record is Private and owned by the requester; the Read share is what lets the approver open it.
    expect(pending.OwnerId).toBe(ids.officer);
    expect(await manualShares(pending.Id)).toEqual([
      expect.objectContaining({ UserOrGroupId: ids.approver, AccessLevel: 'Read', RowCause: 'Manual' }),
    ]);
    expect(await visibleTo(USERS.approver, pending.Id)).toBe(1);
    expect(await visibleTo(USERS.officer2, pending.Id)).toBe(0);
    // Without the share the approver could not read it (Loom_Approver grants Read on the object, no View All).
    const [share] = await manualShares(pending.Id);
    await harness.integration.request('DELETE', `/sobjects/PendingHITLAction__Share/${share!.Id}`);
    expect(await visibleTo(USERS.approver, pending.Id)).toBe(0);
    await harness.integration.create('PendingHITLAction__Share', {
      ParentId: pending.Id,
      UserOrGroupId: ids.approver,
      AccessLevel: 'Read',
    });
    expect(await visibleTo(USERS.approver, pending.Id)).toBe(1);

    expect(notificationsFor(pending.Id)).toEqual([
      expect.objectContaining({
        fromUserId: ids.worker,
        typeDeveloperName: 'Loom_Pending_Action',
        recipientIds: [ids.approver],
        deliveredTo: [ids.approver],
        title: 'Approval needed: update_application',
        body: expect.stringContaining('update_application'),
        targetId: pending.Id,
      }),
    ]);
    const steps = await contents(executionId);
    expect(steps).toContain(
      'Approval requested from approver@lending.test. Sent by manual share (PendingHITLAction__Share). Sent by custom notification.',
    );
    expect(steps.filter((text) => /Intent recorded/.test(text))).toEqual([]);

    // (c) Once approved, the call runs and the requester is told, by the same notification type.
    expect(
      (
        await harness.handler.handle(
          await harness.decide(USERS.approver, pending.Id, 'Approve', { comment: 'ok' }),
          signal,
        )
      ).status,
    ).toBe('completed');
    expect((await application()).Amount__c).toBe(8100);
    expect(notificationsFor(pending.Id).at(-1)).toMatchObject({
      recipientIds: [ids.officer],
      deliveredTo: [ids.officer],
      title: 'update_application: approved',
      typeDeveloperName: 'Loom_Pending_Action',
    });
    expect(await contents(executionId)).toContain(
      'Requester told: update_application: approved. Sent by custom notification.',
    );
  });

  it('tells the requester about a rejection', async () => {
    const before = await application();
    const { executionId, pending } = await held('case-user-reject');
    expect(
      (
        await harness.handler.handle(
          await harness.decide(USERS.approver, pending.Id, 'Reject', { comment: 'No' }),
          signal,
        )
      ).status,
    ).toBe('completed');
    expect(await application()).toEqual(before);
    expect(notificationsFor(pending.Id).map((sent) => [sent.title, sent.recipientIds])).toEqual([
      ['Approval needed: update_application', [ids.approver]],
      ['update_application: rejected', [ids.officer]],
    ]);
    expect(await contents(executionId)).toContain(
      'Requester told: update_application: rejected. Sent by custom notification.',
    );
  });
});

describe('routing to a queue', () => {
  it('shares with and notifies the queue; a member may approve, a Loom_Approver outside it is refused and nothing runs', async () => {
    const before = await application();
    const { executionId, pending } = await held('case-queue');
    expect(pending.Approver__c).toBeNull();
    expect((await answersOf(harness, executionId))[0]).toMatch(/needs approval by queue Loan_Approvers/);
    // The queue is shared on the record and notified: its member (the approver) can open it and is reached.
    expect(await manualShares(pending.Id)).toEqual([
      expect.objectContaining({ UserOrGroupId: ids.queue, AccessLevel: 'Read', RowCause: 'Manual' }),
    ]);
    expect(await visibleTo(USERS.approver, pending.Id)).toBe(1);
    expect(notificationsFor(pending.Id)).toEqual([
      expect.objectContaining({
        recipientIds: [ids.queue],
        deliveredTo: [ids.approver],
        title: 'Approval needed: update_queued',
      }),
    ]);
    expect(await contents(executionId)).toContain(
      'Approval requested from queue Loan_Approvers. Sent by manual share (PendingHITLAction__Share). Sent by custom notification.',
    );

    // The underwriter holds Loom_Approver and can read the application, but is not in the queue.
    const from = lastSeq(emulator);
    expect(
      (await harness.handler.handle(await harness.decide(USERS.underwriter, pending.Id, 'Approve'), signal)).status,
    ).toBe('refused');
    const security = (await stepsOf(harness, executionId))
      .filter((step) => step.ErrorCategory__c === 'SecurityViolation')
      .map((step) => String(step.Content__c));
    expect(security).toEqual([
      expect.stringMatching(
        /^Security: Approve by Uma Underwriter .*underwriter@lending\.test is not a member of the queue Loan_Approvers/,
      ),
    ]);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Pending');
    expect(await application()).toEqual(before);
    expect(
      requestsSince(emulator, from).filter((entry) => entry.method === 'PATCH' && entry.path.includes(before.Id)),
    ).toEqual([]);

    // The member's approval runs the call as the requester, and the requester is told.
    expect(
      (await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve'), signal)).status,
    ).toBe('completed');
    expect((await application()).Amount__c).toBe(8300);
    expect((await pendingOf(harness, executionId))[0]).toMatchObject({
      Status__c: 'Approved',
      ResolvedBy__c: ids.approver,
    });
    expect(notificationsFor(pending.Id).at(-1)).toMatchObject({
      title: 'update_queued: approved',
      recipientIds: [ids.officer],
    });
  });
});

describe('what the approver can read', () => {
  it('shares the execution with the approver too, so they read the steps of what they are asked to approve; others still cannot', async () => {
    const { executionId } = await held('case-execution-share');
    const read = async (username: string) => {
      const client = harness.clientFor(username);
      return {
        executions: (await client.query(`SELECT Id FROM AgentExecution__c WHERE Id = '${executionId}'`)).totalSize,
        steps: (await client.query(`SELECT Id FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}'`))
          .totalSize,
        decisions: (
          await client.query(`SELECT Id FROM AgentDecisionStep__c WHERE AgentExecution__c = '${executionId}'`)
        ).totalSize,
      };
    };
    const approver = await read(USERS.approver);
    expect(approver.executions).toBe(1);
    expect(approver.steps).toBeGreaterThan(0);
    expect(approver.decisions).toBeGreaterThan(0);
    expect(await read(USERS.officer2)).toEqual({ executions: 0, steps: 0, decisions: 0 });
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ UserOrGroupId: string; AccessLevel: string }>(
        `SELECT UserOrGroupId, AccessLevel FROM AgentExecution__Share WHERE ParentId = '${executionId}' AND RowCause = 'Manual'`,
      );
    expect(records).toEqual([expect.objectContaining({ UserOrGroupId: ids.approver, AccessLevel: 'Read' })]);
  });
});
