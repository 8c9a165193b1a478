/**
 * Approval abuse, the cases test/integration/hitl-approval.test.ts does not isolate: a requester who IS an approver
 * approving their own action, a routed approver who cannot see the record, and a decision that arrives after the
 * action expired but before any sweep ran. (Intruders without Loom_Approver, tampered pending records, replayed
 * decision events and expiry by the sweep are in hitl-approval.test.ts.) Each case asserts that nothing ran: the
 * record is unchanged and the emulator's request log holds no write to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { lastSeq, requestsSince } from '../support/chaos/abuse-kit.ts';
import { answersOf, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const SIGNING_KEY = 'test-abuse-approvals-signing-key-0123456789';
const signal = new AbortController().signal;
let emulator: EmulatorHandle;
let harness: Harness;
let clock = new Date();

/** "raise …" / "route …": look LA-00002 up, then ask to update it with a tool that needs approval (default or routed). */
const SCRIPT: ScriptedScript = {
  name: 'abuse-approvals',
  rules: [
    { when: { lastToolResult: { contains: 'savedFields' } }, respond: { text: 'Done.' } },
    {
      when: { lastToolResult: { contains: '"executed":false' } },
      respond: { text: 'Not done ({{lastToolResult.status}}).' },
    },
    {
      when: { lastUserMessage: '^(raise|route)', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: "SELECT Id, Name FROM Loan_Application__c WHERE Name = 'LA-00002'" },
          },
        ],
      },
    },
    ...(['raise', 'route'] as const).map((verb) => ({
      when: {
        lastUserMessage: `^${verb}`,
        lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' },
      },
      respond: {
        toolCalls: [
          {
            name: verb === 'raise' ? 'update_application' : 'update_routed',
            arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: 31000 } },
          },
        ],
      },
    })),
    { when: {}, respond: { text: 'How can I help?' } },
  ],
};

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: SCRIPT,
    runtime: { hitl: { signingKey: SIGNING_KEY, defaultApprover: USERS.approver, now: () => clock } },
  });
  // The officer also becomes an approver (to try self-approval); officer2 becomes one and the routed tool's named
  // approver, but cannot see the officer's records.
  const org = emulator.org as Org;
  const admin = org.userByUsername(USERS.admin)?.id as string;
  const [approverSet] = org.query(
    org.systemAccess(admin),
    "SELECT Id FROM PermissionSet WHERE Name = 'Loom_Approver'",
    { apiVersion: '62.0' },
  ).records;
  for (const user of [USERS.officer, USERS.officer2]) {
    org.create(org.systemAccess(admin), 'PermissionSetAssignment', {
      AssigneeId: org.userByUsername(user)?.id,
      PermissionSetId: approverSet?.Id,
    });
  }
  await harness.clientFor(USERS.admin).create('AgentCapability__c', {
    AIAgentDefinition__c: harness.agentId,
    CapabilityName__c: 'update_routed',
    Description__c: 'Update a loan application; officer2 approves.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
      required: ['recordId', 'fields'],
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'UpdateRecord',
    BackendConfiguration__c: JSON.stringify({
      object: 'Loan_Application__c',
      approval: { approverUsername: USERS.officer2 },
    }),
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
    .query<{ Id: string; Amount__c: number }>("SELECT Id, Amount__c FROM Loan_Application__c WHERE Name = 'LA-00002'");
  return records[0] as { Id: string; Amount__c: number };
}

/** A turn by `requester` that holds one update for approval. */
async function held(requester: string, verb: 'raise' | 'route' = 'raise') {
  const { started, job } = await harness.turn(requester, `${verb} LA-00002 please`);
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending?.Status__c).toBe('Pending');
  return { executionId: started.executionId, pendingId: (pending as { Id: string }).Id };
}

/** Writes to the application made after `from`, by anyone. */
async function writesSince(from: number): Promise<string[]> {
  const { Id } = await application();
  return requestsSince(emulator, from)
    .filter((entry) => entry.method === 'PATCH' && entry.path.includes(Id))
    .map((entry) => `${entry.userId} ${entry.path}`);
}

const securityErrors = async (executionId: string) =>
  (await stepsOf(harness, executionId))
    .filter((step) => step.ErrorCategory__c === 'SecurityViolation')
    .map((step) => String(step.Content__c));

describe('approval abuse', () => {
  it('refuses self-approval by a requester who holds Loom_Approver', async () => {
    const before = await application();
    const { executionId, pendingId } = await held(USERS.officer);
    const from = lastSeq(emulator);
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.officer, pendingId, 'Approve'), signal)).status,
    ).toBe('refused');
    expect(await securityErrors(executionId)).toEqual([
      expect.stringMatching(/requested this action and cannot approve/),
    ]);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Pending');
    expect(await application()).toEqual(before);
    expect(await writesSince(from)).toEqual([]);
  });

  it('refuses the routed approver when they cannot see the record; only the routed approver may decide', async () => {
    const before = await application();
    const { executionId, pendingId } = await held(USERS.officer, 'route');
    const from = lastSeq(emulator);
    expect(
      (await harness.handler.handle(await harness.decide(USERS.officer2, pendingId, 'Approve'), signal)).status,
    ).toBe('refused');
    // The default approver sees everything but is not the one this tool routes to.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pendingId, 'Approve'), signal)).status,
    ).toBe('refused');
    expect(await securityErrors(executionId)).toEqual([
      expect.stringMatching(/Oscar Peer.*cannot see the record/),
      expect.stringMatching(/assigned to another approver/),
    ]);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Pending');
    expect(await application()).toEqual(before);
    expect(await writesSince(from)).toEqual([]);
  });

  it('treats an approval that arrives after expiry, before any sweep, as expiry: nothing runs', async () => {
    const before = await application();
    const { executionId, pendingId } = await held(USERS.officer);
    clock = new Date(Date.now() + 80 * 3_600_000);
    const from = lastSeq(emulator);
    try {
      await harness.handler.handle(await harness.decide(USERS.approver, pendingId, 'Approve'), signal);
    } finally {
      clock = new Date();
    }
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Expired');
    expect(await application()).toEqual(before);
    expect(await writesSince(from)).toEqual([]);
    expect((await answersOf(harness, executionId)).at(-1)).toMatch(/Not done \(expired\)/);
  });
});
