/**
 * Resume abuse (issue 16, classes 1 and 2): what a requester can still edit after a call was held must not change
 * whose session runs it or which tool runs. `Loom_User` can edit its own execution's `RequestingUser__c` and
 * `AIAgentDefinition__c` (the REST start path creates executions as the user, so their FLS stays editable); the
 * pending action's signature binds the requester, the agent and the capability with its version, and a resume runs as
 * the signed requester with the signed capability, or not at all. Each case asserts nothing ran: the record is
 * unchanged and no request used a token other than the requester's or the worker's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { lastSeq, requestsSince } from '../support/chaos/abuse-kit.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { createAgent, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const SIGNING_KEY = 'test-abuse-resume-signing-key-0123456789ab';
const signal = new AbortController().signal;
let emulator: EmulatorHandle;
let harness: Harness;
let agentA: string;
let agentB: string;
let agentTask: string;
const idOf = (username: string): string => (emulator.org as Org).userByUsername(username)?.id as string;

const SCRIPT: ScriptedScript = {
  name: 'abuse-resume',
  rules: [
    { when: { lastToolResult: { contains: 'savedFields' } }, respond: { text: 'Done.' } },
    {
      when: { lastToolResult: { contains: '"executed":false' } },
      respond: { text: 'Not done ({{lastToolResult.status}}).' },
    },
    {
      when: { lastUserMessage: '^raise', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: "SELECT Id, Name FROM Loan_Application__c WHERE Name = 'LA-00002'" },
          },
        ],
      },
    },
    {
      when: {
        lastUserMessage: '^raise',
        lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' },
      },
      respond: {
        toolCalls: [
          {
            name: 'update_application',
            arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: 47000 } },
          },
        ],
      },
    },
    {
      when: { lastUserMessage: '^note', turnStep: 0 },
      respond: { toolCalls: [{ name: 'log_task', arguments: { fields: { Subject: 'Follow up' } } }] },
    },
    {
      when: { lastUserMessage: '^log', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: "SELECT Id, Name FROM Loan_Application__c WHERE Name = 'LA-00002'" },
          },
        ],
      },
    },
    {
      when: { lastUserMessage: '^log', lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' } },
      respond: {
        toolCalls: [
          {
            name: 'log_task',
            arguments: { fields: { Subject: 'Call the applicant', WhatId: '{{lastToolResult.records.0.Id}}' } },
          },
        ],
      },
    },
    { when: {}, respond: { text: 'How can I help?' } },
  ],
};

const QUERY = {
  CapabilityName__c: 'query_applications',
  Description__c: 'One read-only SOQL query over loan applications.',
  Parameters__c: JSON.stringify({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'] }),
  StandardActionType__c: 'SoqlQuery',
  BackendConfiguration__c: JSON.stringify({ objects: ['Loan_Application__c'], rowCap: 5 }),
};
const update = (mode: string) => ({
  CapabilityName__c: 'update_application',
  Description__c: 'Update one loan application.',
  Parameters__c: JSON.stringify({
    type: 'object',
    properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
    required: ['recordId', 'fields'],
  }),
  StandardActionType__c: 'UpdateRecord',
  BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
  HITLMode__c: mode,
});

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: SCRIPT,
    runtime: { hitl: { signingKey: SIGNING_KEY, defaultApprover: USERS.approver } },
  });
  // A: the requester confirms the update themselves. B: the same-named tool needs an approver.
  agentA = await createAgent(harness, 'Resume_A', [QUERY, update('Confirmation')]);
  agentB = await createAgent(harness, 'Resume_B', [QUERY, update('Approval')]);
  // officer2 approves log_task but cannot see the officer's applications.
  const org = emulator.org as Org;
  const admin = idOf(USERS.admin);
  const [approverSet] = org.query(
    org.systemAccess(admin),
    "SELECT Id FROM PermissionSet WHERE Name = 'Loom_Approver'",
    { apiVersion: '62.0' },
  ).records;
  org.create(org.systemAccess(admin), 'PermissionSetAssignment', {
    AssigneeId: idOf(USERS.officer2),
    PermissionSetId: approverSet?.Id,
  });
  agentTask = await createAgent(harness, 'Resume_Task', [
    QUERY,
    {
      CapabilityName__c: 'log_task',
      Description__c: 'Log a task on a record.',
      Parameters__c: JSON.stringify({
        type: 'object',
        properties: { fields: { type: 'object' } },
        required: ['fields'],
      }),
      StandardActionType__c: 'CreateRecord',
      BackendConfiguration__c: JSON.stringify({ object: 'Task', approval: { approverUsername: USERS.officer2 } }),
      HITLMode__c: 'Approval',
      AllowApproverEdits__c: true,
    },
  ]);
});
afterAll(async () => {
  await emulator.close();
});

async function application(): Promise<{ Id: string; Amount__c: number }> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Id: string; Amount__c: number }>("SELECT Id, Amount__c FROM Loan_Application__c WHERE Name = 'LA-00002'");
  return records[0] as { Id: string; Amount__c: number };
}

/** The officer asks agent A to raise LA-00002; the update waits for their own confirmation. */
async function heldConfirmation(): Promise<{ executionId: string; pendingId: string }> {
  const { started, job } = await harness.turn(USERS.officer, 'raise LA-00002 please', { agentId: agentA });
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending).toMatchObject({ Status__c: 'Pending', HITLType__c: 'Confirmation' });
  return { executionId: started.executionId, pendingId: (pending as { Id: string }).Id };
}

/** Users whose tokens made requests after `from` (the worker's and the requester's are expected). */
function tokenUsersSince(from: number): Set<string> {
  return new Set(requestsSince(emulator, from).map((entry) => entry.userId));
}

const securityErrors = async (executionId: string) =>
  (await stepsOf(harness, executionId))
    .filter((step) => step.ErrorCategory__c === 'SecurityViolation')
    .map((step) => String(step.Content__c));

describe('resume abuse: identity fixed at hold time', () => {
  it('class 1: a requester who re-points their execution at a colleague and confirms runs nothing as the colleague', async () => {
    const before = await application();
    const { executionId, pendingId } = await heldConfirmation();
    // Loom_User may edit this lookup on its own execution (the start path writes it as the user).
    await harness
      .clientFor(USERS.officer)
      .update('AgentExecution__c', executionId, { RequestingUser__c: idOf(USERS.underwriter) });
    const from = lastSeq(emulator);
    await harness.handler.handle(await harness.decide(USERS.officer, pendingId, 'Confirm'), signal);
    expect(tokenUsersSince(from).has(idOf(USERS.underwriter))).toBe(false);
    expect(await application()).toEqual(before);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Cancelled');
    expect(await securityErrors(executionId)).toEqual([expect.stringMatching(/another requesting user/)]);
  });

  it("class 2: a Confirmation hold re-pointed at another agent never runs that agent's same-named, approval-gated tool", async () => {
    const before = await application();
    const { executionId, pendingId } = await heldConfirmation();
    await harness.clientFor(USERS.officer).update('AgentExecution__c', executionId, { AIAgentDefinition__c: agentB });
    await harness.handler.handle(await harness.decide(USERS.officer, pendingId, 'Confirm'), signal);
    expect(await application()).toEqual(before);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Cancelled');
    expect(await securityErrors(executionId)).toEqual([expect.stringMatching(/another agent/)]);
  });

  it('class 2: a capability edited after the hold (now approval-gated) does not run on the old confirmation', async () => {
    const before = await application();
    const { executionId, pendingId } = await heldConfirmation();
    const admin = harness.clientFor(USERS.admin);
    const { records } = await admin.query<{ Id: string }>(
      `SELECT Id FROM AgentCapability__c WHERE AIAgentDefinition__c = '${agentA}' AND CapabilityName__c = 'update_application'`,
    );
    const capabilityId = (records[0] as { Id: string }).Id;
    await admin.update('AgentCapability__c', capabilityId, { HITLMode__c: 'Approval' });
    try {
      await harness.handler.handle(await harness.decide(USERS.officer, pendingId, 'Confirm'), signal);
      expect(await application()).toEqual(before);
      expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Cancelled');
    } finally {
      await admin.update('AgentCapability__c', capabilityId, { HITLMode__c: 'Confirmation' });
    }
  });

  it('an untouched hold still runs as the requester once confirmed (control)', async () => {
    const { executionId, pendingId } = await heldConfirmation();
    const from = lastSeq(emulator);
    expect(
      (await harness.handler.handle(await harness.decide(USERS.officer, pendingId, 'Confirm'), signal)).status,
    ).toBe('completed');
    expect((await application()).Amount__c).toBe(47000);
    const writers = requestsSince(emulator, from).filter(
      (entry) => entry.method === 'PATCH' && entry.path.includes('Loan_Application__c'),
    );
    expect(writers.map((entry) => entry.userId)).toEqual([idOf(USERS.officer)]);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Confirmed');
  });
});

describe('class 6: smaller holes', () => {
  it('refuses an approver who cannot see a record named deep in the arguments (fields.WhatId)', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'log a call on LA-00002', { agentId: agentTask });
    expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
    const [pending] = await pendingOf(harness, started.executionId);
    expect(pending).toMatchObject({ Status__c: 'Pending', HITLType__c: 'Approval' });
    const from = lastSeq(emulator);
    expect(
      (await harness.handler.handle(await harness.decide(USERS.officer2, String(pending?.Id), 'Approve'), signal))
        .status,
    ).toBe('refused');
    expect(await securityErrors(started.executionId)).toEqual([
      expect.stringMatching(/Oscar Peer.*cannot see the record/),
    ]);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Pending');
    expect(
      requestsSince(emulator, from).filter((entry) => entry.method === 'POST' && entry.path.includes('/sobjects/Task')),
    ).toEqual([]);
  });

  it('refuses an approver whose edited arguments name a record they cannot see', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'note a follow-up', { agentId: agentTask });
    expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
    const [pending] = await pendingOf(harness, started.executionId);
    const hidden = (await application()).Id;
    const edited = { fields: { Subject: 'Follow up', WhatId: hidden } };
    expect(
      (
        await harness.handler.handle(
          await harness.decide(USERS.officer2, String(pending?.Id), 'Approve', { editedArguments: edited }),
          signal,
        )
      ).status,
    ).toBe('refused');
    expect(await securityErrors(started.executionId)).toEqual([expect.stringMatching(/cannot see the record/)]);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Pending');
  });

  it('expires an action whose ExpiresAt__c was cleared, by the default deadline after the request', async () => {
    const { executionId, pendingId } = await heldConfirmation();
    const org = emulator.org as Org;
    org.update(org.systemAccess(idOf(USERS.admin)), 'PendingHITLAction__c', pendingId, {
      ExpiresAt__c: null,
      RequestedAt__c: new Date(Date.now() - 25 * 3_600_000).toISOString(),
    });
    const sweep = await harness.handler.handle(
      { kind: 'sweep', reason: 'test', receivedAt: new Date().toISOString() },
      signal,
    );
    expect(sweep.detail).toMatch(/expired [1-9]\d* of/);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Expired');
  });
});
