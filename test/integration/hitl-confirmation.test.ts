import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { MemorySideEffectLedger, type LedgerEntry } from '../../src/runtime/side-effect-ledger.ts';
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
  'case-chat-late': { tool: 'confirm_update', amount: 31800 },
  'case-sweep-expire': { tool: 'confirm_update', amount: 31900 },
  'case-two-step': { tool: 'confirm_then_approve_update', amount: 31600 },
  'case-cta-decline': { tool: 'confirm_then_approve_update', amount: 31610 },
  'case-cta-reject': { tool: 'confirm_then_approve_update', amount: 31620 },
  'case-cta-expire': { tool: 'confirm_then_approve_update', amount: 31630 },
  'case-edit': { tool: 'editable_update', amount: 31700 },
};

function script(): ScriptedScript {
  return {
    name: 'hitl-confirmation',
    rules: [
      ...outcomeRules('Done: {{lastToolResult.savedFields.0}} saved.'),
      ...findThenAct(CASES, 'HL-1003', (spec) => ({
        name: spec.tool,
        arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } },
      })),
      {
        id: 'new-request',
        when: { lastUserMessage: 'open applications' },
        respond: { text: 'Here is something else.' },
      },
      { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
    ],
  };
}

/** The side-effect ledger with every claimed key kept: a side-effecting tool that ran left an entry here. */
class RecordingLedger extends MemorySideEffectLedger {
  readonly keys: string[] = [];
  override async begin(key: string, args: string): Promise<LedgerEntry | null> {
    this.keys.push(key);
    return super.begin(key, args);
  }
}
const ledger = new RecordingLedger();

/** Side-effect records of an execution (ledger keys are `<execution>:<turn>:<tool call>`). */
function sideEffectsOf(executionId: string): string[] {
  return ledger.keys.filter((key) => key.startsWith(`${executionId}:`));
}

let emulator: EmulatorHandle;
let harness: Harness;

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: script(),
    runtime: { ledger, hitl: { signingKey: 'confirmation-test-signing-key-0123456789' } },
  });
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
  await capability('confirm_update', {
    HITLMode__c: 'Confirmation',
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
  });
  await capability('confirm_then_approve_update', {
    HITLMode__c: 'ConfirmationThenApproval',
    BackendConfiguration__c: routed,
  });
  await capability('editable_update', {
    HITLMode__c: 'Approval',
    AllowApproverEdits__c: true,
    BackendConfiguration__c: routed,
  });
});
afterAll(async () => {
  await emulator.close();
});

async function amount(): Promise<number> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Amount__c: number }>("SELECT Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1003'");
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
  const { job } = await harness.turn(USERS.officer, text, {
    executionId: started.executionId,
    sessionId: started.sessionId,
  });
  return harness.handler.handle(job, signal);
}

interface AuditStep {
  StepKey__c: string;
  TurnIdentifier__c: string;
  Timestamp__c: string;
  StepType__c: string;
  StepRole__c: string;
  Content__c: string;
  IsError__c: boolean;
  ToolName__c: string | null;
  ToolArguments__c: string | null;
}

/**
 * The audit trail of the decision on an execution's pending action: the claim step that moved it out of Pending (who,
 * when, what as text and as `{eventId, decision, deciderId, from, to}`) and the decision lines recorded for the turn
 * that continues (`turnId`: the held turn for an event, the chat message's turn for a reply).
 */
async function decisionAudit(executionId: string, turnId: string, from = 'Pending') {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<AuditStep>(
      `SELECT StepKey__c, TurnIdentifier__c, Timestamp__c, StepType__c, StepRole__c, Content__c, IsError__c, ToolName__c, ToolArguments__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Timestamp__c, Sequence__c`,
    );
  const claims = records.filter((step) => step.StepKey__c.endsWith(`-from-${from}`));
  expect(claims).toHaveLength(1);
  const claim = claims[0]!;
  const lines = records
    .filter(
      (step) => step.StepType__c === 'Approval' && step.StepRole__c === 'User' && step.TurnIdentifier__c === turnId,
    )
    .map((step) => step.Content__c);
  return { claim, data: JSON.parse(String(claim.ToolArguments__c)) as Record<string, unknown>, lines };
}

/** No two steps of one turn share a sequence number; returns the execution's steps for further checks. */
async function expectUniqueSequences(executionId: string) {
  const steps = await stepsOf(harness, executionId);
  const slots = steps.map((step) => `${String(step.TurnIdentifier__c)} #${String(step.Sequence__c)}`);
  expect(slots.filter((slot, index) => slots.indexOf(slot) !== index)).toEqual([]);
  return steps;
}

/** The requester's outcome notification is the last step of its turn (written after the continued turn). */
function expectNotifiedLast(steps: Array<Record<string, unknown>>, kind: string): void {
  const notice = steps.filter((step) => String(step.StepKey__c).endsWith(`-notify-${kind}`));
  expect(notice).toHaveLength(1);
  const others = steps.filter((step) => step.TurnIdentifier__c === notice[0]!.TurnIdentifier__c && step !== notice[0]);
  expect(Number(notice[0]!.Sequence__c)).toBeGreaterThan(Math.max(...others.map((step) => Number(step.Sequence__c))));
}

/** Runs the expiry sweep (with the real clock: tests move one action's deadline into the past). */
async function sweep() {
  return harness.handler.handle({ kind: 'sweep', reason: 'test', receivedAt: new Date().toISOString() }, signal);
}

/** The instant a claim step's text says the decision was made ("… at <ISO>: …"). */
function decidedAt(content: string): number {
  return Date.parse(String(/ at (\d{4}-\d{2}-\d{2}T[\d:.]+Z): /.exec(content)?.[1]));
}

/** The turn a chat reply started: the newest turn of the execution. */
async function currentTurn(executionId: string): Promise<string> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ CurrentTurnIdentifier__c: string }>(
      `SELECT CurrentTurnIdentifier__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
    );
  return records[0]!.CurrentTurnIdentifier__c;
}

interface NotRun {
  status: string;
  resolvedBy: string | null;
  comment?: string;
  /** How many answers the conversation has by then, and what the last one says. */
  answers: number;
  answer: RegExp;
  /** The claim step of the transition out of `from`: its text, its data and the decision lines the model read. */
  from: string;
  claim: RegExp;
  data: Record<string, unknown>;
  lines: unknown[];
}

/**
 * A held call that ended without running: the record kept its amount, no side effect was claimed, the pending record,
 * the answers and the claim step say what happened, and no sequence number is reused. Returns the execution's steps.
 */
async function expectNotRun(
  started: { executionId: string },
  pending: Record<string, unknown>,
  before: number,
  expected: NotRun,
) {
  expect(await amount()).toBe(before);
  expect(sideEffectsOf(started.executionId)).toEqual([]);
  const [after] = await pendingOf(harness, started.executionId);
  expect(after).toMatchObject({
    Status__c: expected.status,
    ResolvedBy__c: expected.resolvedBy,
    ...(expected.comment ? { ResolutionComment__c: expected.comment } : {}),
  });
  const answers = await answersOf(harness, started.executionId);
  expect(answers).toHaveLength(expected.answers);
  expect(answers.at(-1)).toMatch(expected.answer);
  const { claim, data, lines } = await decisionAudit(
    started.executionId,
    String(pending.TurnIdentifier__c),
    expected.from,
  );
  expect(claim).toMatchObject({
    StepType__c: 'Approval',
    StepRole__c: 'System',
    IsError__c: false,
    ToolName__c: pending.ToolName__c,
  });
  expect(claim.Content__c).toMatch(expected.claim);
  expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
  expect(data).toEqual(expected.data);
  expect(lines).toEqual(expected.lines);
  return expectUniqueSequences(started.executionId);
}

describe('Confirmation mode', () => {
  it('shows the requester exactly what will run and executes only after their confirmation event', async () => {
    const { started, pending } = await held('case-event-confirm');
    expect(pending.HITLType__c).toBe('Confirmation');
    expect((await answersOf(harness, started.executionId))[0]).toMatch(
      /Please confirm before I run confirm_update with .*"Amount__c":31100.*Reply "yes"/,
    );
    // Only the requester may confirm.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pending.Id, 'Confirm'), signal)).status,
    ).toBe('refused');
    expect(await amount()).not.toBe(31100);
    const job = await harness.decide(USERS.officer, pending.Id, 'Confirm', { comment: 'Checked with the applicant' });
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    expect(await amount()).toBe(31100);
    // The ledger probe the not-run cases rely on: a confirmed call that ran left exactly one side-effect record.
    expect(sideEffectsOf(started.executionId)).toHaveLength(1);
    const officerId = await harness.clientFor(USERS.officer).userId();
    const [after] = await pendingOf(harness, started.executionId);
    expect(after).toMatchObject({
      Status__c: 'Confirmed',
      ResolvedBy__c: officerId,
      ResolutionComment__c: 'Checked with the applicant',
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Done: Amount__c saved.');
    // The audit trail: the refused approver left only an error step; the requester's Confirm is the decision.
    const { claim, data, lines } = await decisionAudit(started.executionId, String(pending.TurnIdentifier__c));
    expect(claim).toMatchObject({
      StepType__c: 'Approval',
      StepRole__c: 'System',
      IsError__c: false,
      ToolName__c: 'confirm_update',
    });
    expect(claim.Content__c).toMatch(
      /^Confirm by Olive Officer \(officer@lending\.test\) at \S+: Pending → Confirmed\.$/,
    );
    expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(Date.parse(claim.Timestamp__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(data).toEqual({
      eventId: job.eventUuid,
      decision: 'Confirm',
      deciderId: officerId,
      from: 'Pending',
      to: 'Confirmed',
    });
    expect(lines).toContainEqual(
      expect.stringMatching(/^Confirmed by Olive Officer \(.+\): Checked with the applicant$/),
    );
  });

  it('declines through the event and tells the model', async () => {
    const before = await amount();
    const { started, pending } = await held('case-event-decline');
    const job = await harness.decide(USERS.officer, pending.Id, 'Decline', { comment: 'Wrong application' });
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    expect(await amount()).toBe(before);
    const officerId = await harness.clientFor(USERS.officer).userId();
    const [after] = await pendingOf(harness, started.executionId);
    expect(after).toMatchObject({
      Status__c: 'Declined',
      ResolvedBy__c: officerId,
      ResolutionComment__c: 'Wrong application',
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(declined\).*Wrong application/);
    const { claim, data, lines } = await decisionAudit(started.executionId, String(pending.TurnIdentifier__c));
    expect(claim).toMatchObject({
      StepType__c: 'Approval',
      StepRole__c: 'System',
      IsError__c: false,
      ToolName__c: 'confirm_update',
    });
    expect(claim.Content__c).toMatch(
      /^Decline by Olive Officer \(officer@lending\.test\) at \S+: Pending → Declined\.$/,
    );
    expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(data).toEqual({
      eventId: job.eventUuid,
      decision: 'Decline',
      deciderId: officerId,
      from: 'Pending',
      to: 'Declined',
    });
    expect(lines).toContainEqual(expect.stringMatching(/^Declined by Olive Officer \(.+\): Wrong application$/));
  });

  it('confirms with an unambiguous "yes" as the next chat message, decided by the runtime', async () => {
    const { started } = await held('case-chat-yes');
    const outcome = await reply(started, 'Yes, please');
    expect(outcome.status).toBe('completed');
    expect(await amount()).toBe(31300);
    const officerId = await harness.clientFor(USERS.officer).userId();
    const [after] = await pendingOf(harness, started.executionId);
    expect(after).toMatchObject({ Status__c: 'Confirmed', ResolvedBy__c: officerId });
    const turnId = await currentTurn(started.executionId);
    const { claim, data, lines } = await decisionAudit(started.executionId, turnId);
    expect(claim.Content__c).toMatch(
      /^Confirm by Olive Officer \(officer@lending\.test\) in chat at \S+: Pending → Confirmed\. Confirmed by the requesting user in chat\./,
    );
    expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(data).toEqual({
      eventId: `message:${turnId}`,
      decision: 'Confirm',
      deciderId: officerId,
      from: 'Pending',
      to: 'Confirmed',
    });
    expect(lines).toEqual(['Confirmed by the requesting user in chat. Message: "Yes, please"']);
    // The model was never asked whether "yes" meant yes: its next request already carries the tool result.
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Done: Amount__c saved.');
  });

  it('declines with "no" as the next chat message', async () => {
    const before = await amount();
    const { started } = await held('case-chat-no');
    const sentAt = Date.now();
    expect((await reply(started, 'no')).status).toBe('completed');
    expect(await amount()).toBe(before);
    const officerId = await harness.clientFor(USERS.officer).userId();
    const [after] = await pendingOf(harness, started.executionId);
    expect(after).toMatchObject({
      Status__c: 'Declined',
      ResolvedBy__c: officerId,
      ResolutionComment__c: 'Declined by the requesting user in chat.',
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(declined\)/);
    // The audit trail: who (the requester, by name and ID), when, what (Decline: Pending → Declined), and their words.
    const turnId = await currentTurn(started.executionId);
    const { claim, data, lines } = await decisionAudit(started.executionId, turnId);
    expect(claim).toMatchObject({
      StepType__c: 'Approval',
      StepRole__c: 'System',
      IsError__c: false,
      ToolName__c: 'confirm_update',
    });
    expect(claim.Content__c).toBe(
      `Decline by Olive Officer (officer@lending.test) in chat at ${new Date(decidedAt(claim.Content__c)).toISOString()}: Pending → Declined. Declined by the requesting user in chat. (turn ${turnId}).`,
    );
    expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(decidedAt(claim.Content__c)).toBeGreaterThanOrEqual(sentAt);
    expect(Date.parse(claim.Timestamp__c)).toBe(decidedAt(claim.Content__c));
    expect(data).toEqual({
      eventId: `message:${turnId}`,
      decision: 'Decline',
      deciderId: officerId,
      from: 'Pending',
      to: 'Declined',
    });
    expect(lines).toEqual(['Declined by the requesting user in chat. Message: "no"']);
  });

  it('expires a confirmation whose "yes" arrives after the deadline: nothing runs, resolved by nobody, and the audit names the late replier', async () => {
    const before = await amount();
    const { started, pending } = await held('case-chat-late');
    // The deadline is not signed; moving it into the past stands in for a reply days later.
    await harness.integration.update('PendingHITLAction__c', pending.Id, {
      ExpiresAt__c: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await reply(started, 'yes')).status).toBe('completed');
    expect(await amount()).toBe(before);
    expect(sideEffectsOf(started.executionId)).toEqual([]);
    const [after] = await pendingOf(harness, started.executionId);
    // An expiry is resolved by nobody, however it was noticed (sweep, late event or late chat reply).
    expect(after).toMatchObject({
      Status__c: 'Expired',
      ResolvedBy__c: null,
      ResolutionComment__c: 'The confirmation expired before this message arrived.',
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(expired\)/);
    const turnId = await currentTurn(started.executionId);
    const officerId = await harness.clientFor(USERS.officer).userId();
    const { claim, data, lines } = await decisionAudit(started.executionId, turnId);
    expect(claim.Content__c).toBe(
      `Expire by the worker at ${new Date(decidedAt(claim.Content__c)).toISOString()}: Pending → Expired. The confirmation expired before this message arrived. Confirm by Olive Officer (officer@lending.test) in chat arrived after the deadline (turn ${turnId}).`,
    );
    expect(decidedAt(claim.Content__c)).toBe(Date.parse(String(after?.ResolvedAt__c)));
    expect(data).toEqual({
      eventId: `message:${turnId}`,
      decision: 'Expire',
      deciderId: null,
      from: 'Pending',
      to: 'Expired',
      lateDecision: 'Confirm',
      lateDeciderId: officerId,
    });
    expect(lines).toEqual(['The confirmation expired before this message arrived. Message: "yes"']);
  });

  it('expires a confirmation nobody answered in the sweep: nothing runs, the model and the requester are told once', async () => {
    const before = await amount();
    const { started, pending } = await held('case-sweep-expire');
    expect(await answersOf(harness, started.executionId)).toHaveLength(1);
    await harness.integration.update('PendingHITLAction__c', pending.Id, {
      ExpiresAt__c: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await sweep()).detail).toMatch(/expired [1-9]\d* of/);
    // The audit trail: the worker (no person), at the sweep's time, Expire: Pending → Expired, keyed by the sweep.
    const steps = await expectNotRun(started, pending, before, {
      status: 'Expired',
      resolvedBy: null,
      answers: 2,
      answer: /Not done \(expired\): The action was not executed: nobody decided before it expired\./,
      from: 'Pending',
      claim: /^Expire by the worker at \S+: Pending → Expired\.$/,
      data: {
        eventId: `expire-${String(pending.ActionKey__c)}`,
        decision: 'Expire',
        deciderId: null,
        from: 'Pending',
        to: 'Expired',
      },
      lines: ['Expired without a decision'],
    });
    expectNotifiedLast(steps, 'expired');
    // A second sweep finds nothing more to do for it.
    await sweep();
    expect(await answersOf(harness, started.executionId)).toHaveLength(2);
  });

  it('cancels the pending confirmation when the next message is a new request, and answers that request', async () => {
    const before = await amount();
    const { started, pending } = await held('case-chat-other');
    await reply(started, 'Actually, which open applications do we have?');
    expect(await amount()).toBe(before);
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({
      Status__c: 'Cancelled',
      ResolutionComment__c: expect.stringMatching(/Superseded/),
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe('Here is something else.');
    // A confirmation arriving afterwards changes nothing.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.officer, pending.Id, 'Confirm'), signal)).status,
    ).toBe('duplicate');
  });
});

describe('ConfirmationThenApproval mode', () => {
  it('needs the requester first, then the routed approver, in that order', async () => {
    const { started, pending } = await held('case-two-step');
    expect(pending.HITLType__c).toBe('ConfirmationThenApproval');
    const askedApprover = () =>
      emulator.admin
        .notifications()
        .filter((sent) => sent.targetId === pending.Id && sent.title.startsWith('Approval needed'));
    // The approver is asked only once the requester has confirmed.
    expect(askedApprover()).toEqual([]);
    // Approval before confirmation does not apply.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pending.Id, 'Approve'), signal)).status,
    ).toBe('refused');
    expect((await reply(started, 'confirm')).status).toBe('awaiting-action');
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Confirmed');
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(
      /confirmed\. It now needs approval by approver@lending\.test/,
    );
    expect(await amount()).not.toBe(31600);
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.map((step) => String(step.Content__c))).toContain(
      'Approval requested from approver@lending.test. Sent by manual share (PendingHITLAction__Share). Sent by custom notification.',
    );
    const approverId = await harness.clientFor(USERS.approver).userId();
    expect(askedApprover()).toEqual([
      expect.objectContaining({
        recipientIds: [approverId],
        deliveredTo: [approverId],
        title: 'Approval needed: confirm_then_approve_update',
        typeDeveloperName: 'Loom_Pending_Action',
      }),
    ]);
    expect(
      (await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve'), signal)).status,
    ).toBe('completed');
    expect(await amount()).toBe(31600);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Approved');
    expect(sideEffectsOf(started.executionId)).toHaveLength(1);
    await expectUniqueSequences(started.executionId);
  });

  it('runs nothing when the requester declines at the confirmation stage, and no approver is asked', async () => {
    const before = await amount();
    const { started, pending } = await held('case-cta-decline');
    const job = await harness.decide(USERS.officer, pending.Id, 'Decline', { comment: 'Not this one' });
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const officerId = await harness.clientFor(USERS.officer).userId();
    const steps = await expectNotRun(started, pending, before, {
      status: 'Declined',
      resolvedBy: officerId,
      comment: 'Not this one',
      answers: 2,
      answer: /^Not done \(declined\): .*Declined by Olive Officer .*Not this one/,
      from: 'Pending',
      claim: /^Decline by Olive Officer \(officer@lending\.test\) at \S+: Pending → Declined\.$/,
      data: { eventId: job.eventUuid, decision: 'Decline', deciderId: officerId, from: 'Pending', to: 'Declined' },
      // The line the model sees is masked like any user text: the decider's address is a token.
      lines: [expect.stringMatching(/^Declined by Olive Officer \(\[EMAIL:\d+\]\): Not this one$/)],
    });
    expect(steps.filter((step) => /Approval requested from/.test(String(step.Content__c)))).toEqual([]);
    // The approval stage never opened: a late approval changes nothing.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pending.Id, 'Approve'), signal)).status,
    ).toBe('duplicate');
    expect(await amount()).toBe(before);
  });

  it('runs nothing when the approver rejects after the requester confirmed', async () => {
    const before = await amount();
    const { started, pending } = await held('case-cta-reject');
    expect(
      (await harness.handler.handle(await harness.decide(USERS.officer, pending.Id, 'Confirm'), signal)).status,
    ).toBe('awaiting-action');
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(
      /confirmed\. It now needs approval by approver@lending\.test/,
    );
    const job = await harness.decide(USERS.approver, pending.Id, 'Reject', { comment: 'Amount not justified' });
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const approverId = await harness.clientFor(USERS.approver).userId();
    // One answer per step: held, confirmed (waiting for approval), rejected.
    const steps = await expectNotRun(started, pending, before, {
      status: 'Rejected',
      resolvedBy: approverId,
      comment: 'Amount not justified',
      answers: 3,
      answer: /^Not done \(rejected\): .*Rejected by April Approver .*Amount not justified/,
      from: 'Confirmed',
      claim: /^Reject by April Approver \(approver@lending\.test\) at \S+: Confirmed → Rejected\.$/,
      data: { eventId: job.eventUuid, decision: 'Reject', deciderId: approverId, from: 'Confirmed', to: 'Rejected' },
      lines: [
        expect.stringMatching(/^Confirmed by Olive Officer \(\[EMAIL:\d+\]\)$/),
        expect.stringMatching(/^Rejected by April Approver \(\[EMAIL:\d+\]\): Amount not justified$/),
      ],
    });
    expectNotifiedLast(steps, 'rejected');
  });

  it('expires while waiting for the approver: the sweep takes confirmed actions too, and nothing runs', async () => {
    const before = await amount();
    const { started, pending } = await held('case-cta-expire');
    expect(
      (await harness.handler.handle(await harness.decide(USERS.officer, pending.Id, 'Confirm'), signal)).status,
    ).toBe('awaiting-action');
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Confirmed');
    await harness.integration.update('PendingHITLAction__c', pending.Id, {
      ExpiresAt__c: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await sweep()).detail).toMatch(/expired [1-9]\d* of/);
    const steps = await expectNotRun(started, pending, before, {
      status: 'Expired',
      resolvedBy: null,
      answers: 3,
      answer: /^Not done \(expired\): The action was not executed: nobody decided before it expired\./,
      from: 'Confirmed',
      claim: /^Expire by the worker at \S+: Confirmed → Expired\.$/,
      data: {
        eventId: `expire-${String(pending.ActionKey__c)}`,
        decision: 'Expire',
        deciderId: null,
        from: 'Confirmed',
        to: 'Expired',
      },
      lines: [expect.stringMatching(/^Confirmed by Olive Officer \(\[EMAIL:\d+\]\)$/), 'Expired without a decision'],
    });
    expectNotifiedLast(steps, 'expired');
    // The approval arriving now is too late and changes nothing.
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pending.Id, 'Approve'), signal)).status,
    ).toBe('duplicate');
    expect(await amount()).toBe(before);
  });
});

describe('approver edits', () => {
  it('re-validates and re-signs edited arguments, keeps both versions and runs the edited ones', async () => {
    const { started, pending } = await held('case-edit');
    const recordId = JSON.parse(String(pending.ToolArgumentsJSON__c)).recordId as string;
    const invalid = await harness.handler.handle(
      await harness.decide(USERS.approver, pending.Id, 'Approve', { editedArguments: { recordId, fields: {} } }),
      signal,
    );
    expect(invalid).toMatchObject({ status: 'refused', detail: expect.stringMatching(/schema/) });
    const outcome = await harness.handler.handle(
      await harness.decide(USERS.approver, pending.Id, 'Approve', {
        editedArguments: { recordId, fields: { Amount__c: 30500 } },
      }),
      signal,
    );
    expect(outcome.status).toBe('completed');
    expect(await amount()).toBe(30500);
    const [after] = await pendingOf(harness, started.executionId);
    expect(JSON.parse(String(after?.ToolArgumentsJSON__c)).fields).toEqual({ Amount__c: 31700 });
    expect(JSON.parse(String(after?.ReviewedArgumentsJSON__c)).fields).toEqual({ Amount__c: 30500 });
    expect(String(after?.ArgumentsSignature__c).split('.')).toHaveLength(3);
  });
});
