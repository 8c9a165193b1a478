import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { answersOf, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';

const signal = new AbortController().signal;
const PARAMETERS = JSON.stringify({
  type: 'object',
  properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
  required: ['recordId', 'fields'],
  additionalProperties: false,
});

const CASES: Record<string, { tool: string; amount: number }> = {
  'case-event-confirm': { tool: 'confirm_update', amount: 31100 },
  'case-event-decline': { tool: 'confirm_update', amount: 31200 },
  'case-chat-yes': { tool: 'confirm_update', amount: 31300 },
  'case-chat-no': { tool: 'confirm_update', amount: 31400 },
  'case-chat-other': { tool: 'confirm_update', amount: 31500 },
  'case-two-step': { tool: 'confirm_then_approve_update', amount: 31600 },
  'case-edit': { tool: 'editable_update', amount: 31700 },
};

function script(): ScriptedScript {
  return {
    name: 'hitl-confirmation',
    rules: [
      ...outcomeRules('Done: {{lastToolResult.savedFields.0}} saved.'),
      ...findThenAct(CASES, 'HL-1003', (spec) => ({ name: spec.tool, arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } } })),
      { id: 'new-request', when: { lastUserMessage: 'open applications' }, respond: { text: 'Here is something else.' } },
      { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
    ],
  };
}

let emulator: EmulatorHandle;
let harness: Harness;

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, { script: script(), runtime: { hitl: { signingKey: 'confirmation-test-signing-key-0123456789' } } });
  const admin = harness.clientFor(USERS.admin);
  const capability = (name: string, fields: Record<string, unknown>) =>
    admin.create('AgentCapability__c', {
      AIAgentDefinition__c: harness.agentId,
      CapabilityName__c: name,
      Description__c: 'Update a loan application.',
      Parameters__c: PARAMETERS,
      ImplementationType__c: 'Standard',
      StandardActionType__c: 'UpdateRecord',
      ExposureLevel__c: 'External',
      IsActive__c: true,
      ...fields,
    });
  const routed = JSON.stringify({ object: 'Loan_Application__c', approval: { approverUsername: USERS.approver } });
  await capability('confirm_update', { HITLMode__c: 'Confirmation', BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }) });
  await capability('confirm_then_approve_update', { HITLMode__c: 'ConfirmationThenApproval', BackendConfiguration__c: routed });
  await capability('editable_update', { HITLMode__c: 'Approval', AllowApproverEdits__c: true, BackendConfiguration__c: routed });
});
afterAll(async () => {
  await emulator.close();
});

async function amount(): Promise<number> {
  const { records } = await harness.clientFor(USERS.admin).query<{ Amount__c: number }>("SELECT Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1003'");
  return records[0]?.Amount__c ?? Number.NaN;
}

async function held(tag: string) {
  const { started, job } = await harness.turn(USERS.officer, `${tag} please`);
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending?.Status__c).toBe('Pending');
  return { started, pending: pending! };
}

/** The requester's next chat message in the same conversation. */
async function reply(started: { executionId: string; sessionId: string }, text: string) {
  const { job } = await harness.turn(USERS.officer, text, { executionId: started.executionId, sessionId: started.sessionId });
  return harness.handler.handle(job, signal);
}

describe('Confirmation mode', () => {
  it('shows the requester exactly what will run and executes only after their confirmation event', async () => {
    const { started, pending } = await held('case-event-confirm');
    expect(pending.HITLType__c).toBe('Confirmation');
    expect((await answersOf(harness, started.executionId))[0]).toMatch(/Please confirm before I run confirm_update with .*"Amount__c":31100.*Reply "yes"/);
    // Only the requester may confirm.
    expect((await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Confirm'), signal)).status).toBe('refused');
    expect(await amount()).not.toBe(31100);
    expect((await harness.handler.handle(await harness.decide(USERS.officer, pending.Id, 'Confirm'), signal)).status).toBe('completed');
    expect(await amount()).toBe(31100);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Confirmed');
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Done: Amount__c saved.');
  });

  it('declines through the event and tells the model', async () => {
    const before = await amount();
    const { started, pending } = await held('case-event-decline');
    expect((await harness.handler.handle(await harness.decide(USERS.officer, pending.Id, 'Decline', { comment: 'Wrong application' }), signal)).status).toBe('completed');
    expect(await amount()).toBe(before);
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({ Status__c: 'Declined', ResolutionComment__c: 'Wrong application' });
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(declined\).*Wrong application/);
  });

  it('confirms with an unambiguous "yes" as the next chat message, decided by the runtime', async () => {
    const { started } = await held('case-chat-yes');
    const outcome = await reply(started, 'Yes, please');
    expect(outcome.status).toBe('completed');
    expect(await amount()).toBe(31300);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Confirmed');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.some((step) => step.StepType__c === 'Approval' && /Confirmed by the requesting user in chat/.test(String(step.Content__c)))).toBe(true);
    // The model was never asked whether "yes" meant yes: its next request already carries the tool result.
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Done: Amount__c saved.');
  });

  it('declines with "no" as the next chat message', async () => {
    const before = await amount();
    const { started } = await held('case-chat-no');
    await reply(started, 'no');
    expect(await amount()).toBe(before);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Declined');
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(declined\)/);
  });

  it('cancels the pending confirmation when the next message is a new request, and answers that request', async () => {
    const before = await amount();
    const { started, pending } = await held('case-chat-other');
    await reply(started, 'Actually, which open applications do we have?');
    expect(await amount()).toBe(before);
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({ Status__c: 'Cancelled', ResolutionComment__c: expect.stringMatching(/Superseded/) });
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Here is something else.');
    // A confirmation arriving afterwards changes nothing.
    expect((await harness.handler.handle(await harness.decide(USERS.officer, pending.Id, 'Confirm'), signal)).status).toBe('duplicate');
  });
});

describe('ConfirmationThenApproval mode', () => {
  it('needs the requester first, then the routed approver, in that order', async () => {
    const { started, pending } = await held('case-two-step');
    expect(pending.HITLType__c).toBe('ConfirmationThenApproval');
    // Approval before confirmation does not apply.
    expect((await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve'), signal)).status).toBe('refused');
    expect((await reply(started, 'confirm')).status).toBe('awaiting-action');
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Confirmed');
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/confirmed\. It now needs approval by approver@lending\.test/);
    expect(await amount()).not.toBe(31600);
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.some((step) => /Approval requested from approver@lending\.test\..*Intent recorded; custom notification unavailable/.test(String(step.Content__c)))).toBe(true);
    expect((await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve'), signal)).status).toBe('completed');
    expect(await amount()).toBe(31600);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Approved');
  });
});

describe('approver edits', () => {
  it('re-validates and re-signs edited arguments, keeps both versions and runs the edited ones', async () => {
    const { started, pending } = await held('case-edit');
    const recordId = JSON.parse(String(pending.ToolArgumentsJSON__c)).recordId as string;
    const invalid = await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve', { editedArguments: { recordId, fields: {} } }), signal);
    expect(invalid).toMatchObject({ status: 'refused', detail: expect.stringMatching(/schema/) });
    const outcome = await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve', { editedArguments: { recordId, fields: { Amount__c: 30500 } } }), signal);
    expect(outcome.status).toBe('completed');
    expect(await amount()).toBe(30500);
    const [after] = await pendingOf(harness, started.executionId);
    expect(JSON.parse(String(after?.ToolArgumentsJSON__c)).fields).toEqual({ Amount__c: 31700 });
    expect(JSON.parse(String(after?.ReviewedArgumentsJSON__c)).fields).toEqual({ Amount__c: 30500 });
    expect(String(after?.ArgumentsSignature__c).split('.')).toHaveLength(3);
  });
});
