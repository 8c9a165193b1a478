/**
 * The fields the package describes as "set by the worker" are set by the worker, through Loom_Worker's own field
 * permissions (the emulator enforces FLS like Salesforce): StartedAt__c / CompletedAt__c on the execution,
 * LastActivityAt__c / SessionStatus__c on the conversation. A closed conversation takes no new turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';
import { createHarness, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const signal = new AbortController().signal;
let emulator: EmulatorHandle;
let harness: Harness;

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: {
      name: 'session-lifecycle',
      rules: [
        ...outcomeRules('Done.'),
        ...findThenAct({ 'case-held': { amount: 33100 } }, 'HL-1003', (spec) => ({
          name: 'approve_update',
          arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } },
        })),
        { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
      ],
    },
    runtime: { hitl: { signingKey: 'session-lifecycle-signing-key-0123456789', defaultApprover: USERS.approver } },
  });
  await harness.clientFor(USERS.admin).create('AgentCapability__c', {
    AIAgentDefinition__c: harness.agentId,
    CapabilityName__c: 'approve_update',
    Description__c: 'Update a loan application.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
      required: ['recordId', 'fields'],
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'UpdateRecord',
    ExposureLevel__c: 'External',
    HITLMode__c: 'Approval',
    IsActive__c: true,
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
  });
});
afterAll(async () => {
  await emulator.close();
});

interface Bookkeeping {
  StartedAt__c: string | null;
  CompletedAt__c: string | null;
  ExecutionStatus__c: string;
  InteractionSession__r: { SessionStatus__c: string | null; LastActivityAt__c: string | null };
}

async function bookkeeping(executionId: string): Promise<Bookkeeping> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<Bookkeeping>(
      `SELECT StartedAt__c, CompletedAt__c, ExecutionStatus__c, InteractionSession__r.SessionStatus__c, InteractionSession__r.LastActivityAt__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
    );
  return records[0]!;
}

describe('execution and conversation bookkeeping', () => {
  it('a finished turn sets StartedAt, CompletedAt, the session activity and keeps it Active', async () => {
    const before = Date.now();
    const { started, job } = await harness.turn(USERS.officer, 'hello');
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const row = await bookkeeping(started.executionId);
    expect(row.ExecutionStatus__c).toBe('Completed');
    expect(Date.parse(String(row.StartedAt__c))).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(String(row.CompletedAt__c))).toBeGreaterThanOrEqual(Date.parse(String(row.StartedAt__c)));
    expect(row.InteractionSession__r.SessionStatus__c).toBe('Active');
    expect(Date.parse(String(row.InteractionSession__r.LastActivityAt__c))).toBeGreaterThanOrEqual(before - 1000);
  });

  it('a turn waiting for a person leaves CompletedAt blank and the session Waiting; StartedAt keeps the first turn', async () => {
    const first = await harness.turn(USERS.officer, 'hello');
    expect((await harness.handler.handle(first.job, signal)).status).toBe('completed');
    const startedAt = (await bookkeeping(first.started.executionId)).StartedAt__c;
    const { job } = await harness.turn(USERS.officer, 'case-held please', {
      executionId: first.started.executionId,
      sessionId: first.started.sessionId,
    });
    expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
    const row = await bookkeeping(first.started.executionId);
    expect(row).toMatchObject({ ExecutionStatus__c: 'Awaiting Action', CompletedAt__c: null, StartedAt__c: startedAt });
    expect(row.InteractionSession__r.SessionStatus__c).toBe('Waiting');
  });

  it('a closed conversation refuses the next turn and stays closed', async () => {
    const first = await harness.turn(USERS.officer, 'hello');
    expect((await harness.handler.handle(first.job, signal)).status).toBe('completed');
    // The requester ends their own conversation (Loom_User may edit Session Status on sessions they own).
    await harness
      .clientFor(USERS.officer)
      .update('InteractionSession__c', first.started.sessionId, { SessionStatus__c: 'Closed' });
    const continued = { executionId: first.started.executionId, sessionId: first.started.sessionId };
    // AgentTurnService refuses it…
    await expect(harness.turn(USERS.officer, 'one more thing', continued)).rejects.toThrow(/is closed/);
    // …and so does the worker, for a turn recorded past Apex (the /v1/turns path).
    const next = await harness.turn(USERS.officer, 'one more thing', { ...continued, recorded: true });
    expect(await harness.handler.handle(next.job, signal)).toMatchObject({
      status: 'refused',
      detail: expect.stringMatching(/closed/),
    });
    const steps = await stepsOf(harness, first.started.executionId);
    expect(steps.at(-1)).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'SessionClosed' });
    expect((await bookkeeping(first.started.executionId)).InteractionSession__r.SessionStatus__c).toBe('Closed');
  });
});
