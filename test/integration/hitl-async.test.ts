/**
 * Asynchronous tools (`AgentCapability__c.RunAsynchronously__c`) end to end on the emulator: the call is held as a
 * signed Asynchronous pending action, the worker publishes `Run` as its integration user, the event comes back through
 * real ingestion (unmodified faye, intake, queue) and the decision path runs the tool AS THE REQUESTING USER and
 * continues the turn. Approvals still apply, and nobody but the worker can start (or skip to) a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import type { DecisionJob, JobHandler, LoomJob } from '../../src/runtime/jobs.ts';
import type { WorkerRuntime } from '../../src/worker/runtime.ts';
import { answersOf, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';
import { startHarness, until, type Harness as IngestionHarness } from './ingestion-harness.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';

const SIGNING_KEY = 'test-hitl-signing-key-0123456789abcdef';
const signal = new AbortController().signal;

/** Each case: a tag in the user message → look up HL-1001 → call `tool` with this amount. */
const CASES: Record<string, { tool: string; amount: number }> = {
  'case-run': { tool: 'async_update', amount: 31100 },
  'case-forged': { tool: 'async_update', amount: 31200 },
  'case-approval': { tool: 'async_approved_update', amount: 31300 },
  'case-lost': { tool: 'async_update', amount: 31400 },
  'case-stale': { tool: 'async_update', amount: 31500 },
  'case-retyped': { tool: 'async_approved_update', amount: 31600 },
  'case-expire': { tool: 'async_update', amount: 31700 },
  'case-chain': { tool: 'async_update', amount: 31800 },
};

function script(): ScriptedScript {
  return {
    name: 'hitl-async',
    rules: [
      // case-chain: the resumed turn starts a second background job before it answers.
      {
        id: 'case-chain-second',
        when: {
          lastUserMessage: 'case-chain\\b',
          lastToolResult: { tool: 'async_update', contains: '"savedFields":\\s*\\["Amount__c"' },
        },
        respond: {
          toolCalls: [
            {
              name: 'async_update',
              arguments: { recordId: '{{lastToolResult.id}}', fields: { Description__c: 'Chained background update' } },
            },
          ],
        },
      },
      ...outcomeRules(),
      ...findThenAct(CASES, 'HL-1001', (spec) => ({
        name: spec.tool,
        arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } },
      })),
      { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
    ],
  };
}

let ingestion: IngestionHarness;
let harness: Harness;
let worker: WorkerRuntime;
/** The worker's clock: real time unless a test moves it. */
let clock: Date | null = null;
/** Every job real ingestion delivered; with `forward` off the test decides when (and whether) each one runs. */
const delivered: LoomJob[] = [];
let forward = false;
/** The conversation of the first, fully automatic run (the audit and redelivery tests read it). */
let firstExecution = '';

const gatekeeper: JobHandler = {
  async handle(job, jobSignal) {
    delivered.push(job);
    return forward ? harness.handler.handle(job, jobSignal) : { status: 'completed', detail: 'held back by the test' };
  },
};

beforeAll(async () => {
  ingestion = await startHarness();
  harness = await createHarness(ingestion.emulator, {
    script: script(),
    runtime: { hitl: { signingKey: SIGNING_KEY, defaultApprover: USERS.approver, now: () => clock ?? new Date() } },
  });
  const admin = harness.clientFor(USERS.admin);
  for (const [name, mode] of [
    ['async_update', null],
    ['async_approved_update', 'Approval'],
  ] as const) {
    await admin.create('AgentCapability__c', {
      AIAgentDefinition__c: harness.agentId,
      CapabilityName__c: name,
      Description__c: 'Update a loan application in a background job.',
      Parameters__c: JSON.stringify({
        type: 'object',
        properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
        required: ['recordId', 'fields'],
        additionalProperties: false,
      }),
      ImplementationType__c: 'Standard',
      StandardActionType__c: 'UpdateRecord',
      BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
      HITLMode__c: mode,
      RunAsynchronously__c: true,
      ApprovalExpiryHours__c: 24,
      ExposureLevel__c: 'External',
      IsActive__c: true,
    });
  }
  worker = ingestion.runtime({ handler: gatekeeper });
  await worker.start();
});

afterAll(async () => {
  await ingestion.close();
});

async function application(): Promise<{ Amount__c: number; LastModifiedById: string }> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Amount__c: number; LastModifiedById: string }>(
      "SELECT Amount__c, LastModifiedById FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
    );
  const record = records[0];
  return { Amount__c: record?.Amount__c ?? Number.NaN, LastModifiedById: record?.LastModifiedById ?? '' };
}

/** The `Run` job ingestion delivered for a pending action (the worker published it after the turn's write). */
async function runJobFor(pendingId: string): Promise<DecisionJob> {
  return until(
    () =>
      delivered.find(
        (job): job is DecisionJob =>
          job.kind === 'decision' && job.event.PendingActionId__c === pendingId && job.event.Decision__c === 'Run',
      ),
    `the Run event for ${pendingId}`,
  );
}

/** Runs a turn as the officer by hand (ingestion's copy is held back) and returns the single pending action. */
async function held(tag: string) {
  const { started, job } = await harness.turn(USERS.officer, `${tag} please raise HL-1001`);
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const pending = await pendingOf(harness, started.executionId);
  expect(pending).toHaveLength(1);
  return { started, pending: pending[0]! };
}

async function errorsOf(executionId: string): Promise<string[]> {
  return (await stepsOf(harness, executionId))
    .filter((step) => step.IsError__c === true)
    .map((step) => String(step.Content__c));
}

describe('asynchronous tool without HITL', () => {
  it('is held, started by the worker through real ingestion, runs as the requesting user, and the turn ends with a final answer', async () => {
    forward = true;
    try {
      const { started } = await harness.turn(USERS.officer, 'case-run please raise HL-1001');
      firstExecution = started.executionId;
      await until(
        async () => (await answersOf(harness, started.executionId)).some((text) => text.startsWith('Done:')),
        'the final answer',
      );
      await worker.idle();
      const [pending] = await pendingOf(harness, started.executionId);
      const workerId = await harness.integration.userId();
      const officerId = await harness.clientFor(USERS.officer).userId();
      expect(pending).toMatchObject({
        HITLType__c: 'Asynchronous',
        Status__c: 'Approved',
        Approver__c: null,
        ResolvedBy__c: workerId,
        ResolutionComment__c: expect.stringMatching(/no person was needed/),
      });
      expect(String(pending?.ArgumentsSignature__c)).toMatch(/^v3\./);
      // Ran with the requester's own session, not the worker's.
      expect(await application()).toEqual({ Amount__c: 31100, LastModifiedById: officerId });
      const run = await runJobFor(pending!.Id);
      expect(run.event.CreatedById).toBe(workerId);

      const answers = await answersOf(harness, started.executionId);
      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatch(
        /^I started async_update with .*31100.* as a background job; I will continue here when it completes/,
      );
      expect(answers[1]).toBe('Done: Amount__c saved for case-run please raise HL-1001.');
      const { records } = await harness
        .clientFor(USERS.admin)
        .query<{ ExecutionStatus__c: string }>(
          `SELECT ExecutionStatus__c FROM AgentExecution__c WHERE Id = '${started.executionId}'`,
        );
      expect(records[0]?.ExecutionStatus__c).toBe('Completed');
    } finally {
      forward = false;
    }
  });

  it('chains: a resumed turn can start another background job, which the worker starts in turn', async () => {
    forward = true;
    try {
      const { started } = await harness.turn(USERS.officer, 'case-chain please raise HL-1001');
      await until(
        async () => (await answersOf(harness, started.executionId)).some((text) => text.startsWith('Done:')),
        'the final answer',
      );
      await worker.idle();
      const pending = await pendingOf(harness, started.executionId);
      expect(pending.map((row) => [row.HITLType__c, row.Status__c, row.TurnIdentifier__c])).toEqual([
        ['Asynchronous', 'Approved', started.turnId],
        ['Asynchronous', 'Approved', started.turnId],
      ]);
      const answers = await answersOf(harness, started.executionId);
      expect(answers).toHaveLength(3);
      expect(answers[1]).toMatch(/^I started async_update with .*Chained background update.* as a background job/);
      expect(answers[2]).toBe('Done: Description__c saved for case-chain please raise HL-1001.');
      expect((await application()).Amount__c).toBe(31800);
    } finally {
      forward = false;
    }
  });

  it('leaves an audit trail that tells the story in order', async () => {
    const story = (await stepsOf(harness, firstExecution))
      .filter((step) => step.ToolName__c === 'async_update' || step.StepType__c === 'AgentResponse')
      .map((step) => `${String(step.StepType__c)}: ${String(step.Content__c ?? step.ToolArguments__c).slice(0, 200)}`);
    const expected = [
      /^ToolCall: /,
      /^Approval: Background run required: I started async_update/,
      /^Approval: Run by .* Pending → Approved/,
      /^Approval: Started in the background by /,
      /^ToolResult: .*savedFields/,
      /^AgentResponse: Done: /,
    ];
    expect(story).toHaveLength(expected.length);
    expected.forEach((pattern, index) => expect(story[index]).toMatch(pattern));
  });

  it('runs a redelivered Run event once', async () => {
    const [pending] = await pendingOf(harness, firstExecution);
    const outcome = await harness.handler.handle(await runJobFor(pending!.Id), signal);
    expect(outcome.status).toBe('duplicate');
    const steps = await stepsOf(harness, firstExecution);
    expect(
      steps.filter((step) => step.StepType__c === 'ToolResult' && step.ToolName__c === 'async_update'),
    ).toHaveLength(1);
    expect(
      steps.filter((step) => /Run by .* ignored: the action is already Approved/.test(String(step.Content__c))),
    ).toHaveLength(1);
  });

  it('refuses and records a Run published by an ordinary user and any decision by a person, then runs on the worker’s Run', async () => {
    const before = await application();
    const { started, pending } = await held('case-forged');
    for (const [user, decision] of [
      [USERS.officer, 'Run'],
      [USERS.approver, 'Run'],
      [USERS.approver, 'Approve'],
      [USERS.officer, 'Confirm'],
      [USERS.officer, 'Decline'],
    ] as const) {
      // `Run` is the worker's own event (no Apex path); a person's decision must be refused by Apex and the worker.
      const job =
        decision === 'Run'
          ? await harness.forgeDecision(user, pending.Id, decision)
          : await harness.refusedByApex(user, pending.Id, decision);
      expect((await harness.handler.handle(job, signal)).status).toBe('refused');
    }
    expect(await application()).toEqual(before);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Pending');
    expect(await errorsOf(started.executionId)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Security: Run by Olive Officer .* refused: Only the worker starts asynchronous actions/,
        ),
        expect.stringMatching(/^Security: Run by April Approver .* refused: Only the worker/),
        expect.stringMatching(
          /^Security: Approve by April Approver .* refused: An asynchronous action needs no decision/,
        ),
        expect.stringMatching(
          /^Security: Confirm by Olive Officer .* refused: An asynchronous action needs no decision/,
        ),
        expect.stringMatching(/^Security: Decline by Olive Officer/),
      ]),
    );
    expect((await harness.handler.handle(await runJobFor(pending.Id), signal)).status).toBe('completed');
    expect((await application()).Amount__c).toBe(31200);
  });

  it('does not run when the conversation moved on before the Run arrived (stale turn)', async () => {
    const before = await application();
    const { started, pending } = await held('case-stale');
    const { job } = await harness.turn(USERS.officer, 'Something else entirely', {
      executionId: started.executionId,
      sessionId: started.sessionId,
    });
    await harness.handler.handle(job, signal);
    expect((await harness.handler.handle(await runJobFor(pending.Id), signal)).status).toBe('stale');
    expect(await application()).toEqual(before);
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({
      Status__c: 'Cancelled',
      ResolutionComment__c: expect.stringMatching(/moved on/),
    });
  });
});

describe('asynchronous tool with Approval', () => {
  it('waits for the approver (no Run, not even from the worker), then runs in the decision job as the requester', async () => {
    const before = await application();
    const { started, pending } = await held('case-approval');
    expect(pending).toMatchObject({
      HITLType__c: 'Approval',
      Status__c: 'Pending',
      Approver__c: await harness.clientFor(USERS.approver).userId(),
    });
    expect((await answersOf(harness, started.executionId))[0]).toMatch(/needs approval by approver@lending\.test/);
    // A Run (even the worker's own) cannot skip the approver.
    expect((await harness.handler.handle(await harness.decide(USERS.worker, pending.Id, 'Run'), signal)).status).toBe(
      'refused',
    );
    expect(await errorsOf(started.executionId)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Security: Run by .* refused: Run applies only to asynchronous actions; this Approval action waits for a person/,
        ),
      ]),
    );
    expect(await application()).toEqual(before);

    const outcome = await harness.handler.handle(await harness.decide(USERS.approver, pending.Id, 'Approve'), signal);
    expect(outcome.status).toBe('completed');
    expect(await application()).toEqual({
      Amount__c: 31300,
      LastModifiedById: await harness.clientFor(USERS.officer).userId(),
    });
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({
      Status__c: 'Approved',
      ResolvedBy__c: await harness.clientFor(USERS.approver).userId(),
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe(
      'Done: Amount__c saved for case-approval please raise HL-1001.',
    );
  });

  it('refuses an Approval record re-typed as Asynchronous behind the worker (the type is signed)', async () => {
    const before = await application();
    const { started, pending } = await held('case-retyped');
    await harness.integration.update('PendingHITLAction__c', pending.Id, { HITLType__c: 'Asynchronous' });
    expect((await harness.handler.handle(await harness.decide(USERS.worker, pending.Id, 'Run'), signal)).status).toBe(
      'completed',
    );
    expect(await application()).toEqual(before);
    expect((await pendingOf(harness, started.executionId))[0]).toMatchObject({
      Status__c: 'Cancelled',
      ResolutionComment__c: expect.stringMatching(/signature/),
    });
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/integrity check/);
  });
});

describe('sweeper', () => {
  it('starts an asynchronous action whose Run was lost, once, and only after the grace period', async () => {
    const { started, pending } = await held('case-lost');
    const sweep = () =>
      harness.handler.handle({ kind: 'sweep', reason: 'test', receivedAt: new Date().toISOString() }, signal);
    expect((await sweep()).detail).toMatch(/^expired 0 of 0/);
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Pending');
    clock = new Date(Date.now() + 3 * 60_000);
    try {
      expect((await sweep()).detail).toMatch(/^started 1 stranded asynchronous action\(s\)/);
    } finally {
      clock = null;
    }
    expect((await application()).Amount__c).toBe(31400);
    expect((await answersOf(harness, started.executionId)).at(-1)).toBe(
      'Done: Amount__c saved for case-lost please raise HL-1001.',
    );
    // The Run that arrives late finds the action already started.
    expect((await harness.handler.handle(await runJobFor(pending.Id), signal)).status).toBe('duplicate');
    const steps = await stepsOf(harness, started.executionId);
    expect(
      steps.filter((step) => step.StepType__c === 'ToolResult' && step.ToolName__c === 'async_update'),
    ).toHaveLength(1);
  });

  it('expires an asynchronous action that never ran before its deadline, and a late Run runs nothing', async () => {
    const before = await application();
    const { started, pending } = await held('case-expire');
    clock = new Date(Date.now() + 25 * 3_600_000);
    try {
      expect(
        (await harness.handler.handle({ kind: 'sweep', reason: 'test', receivedAt: new Date().toISOString() }, signal))
          .detail,
      ).toMatch(/expired [1-9]\d* of/);
    } finally {
      clock = null;
    }
    expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Expired');
    expect((await answersOf(harness, started.executionId)).at(-1)).toMatch(/Not done \(expired\)/);
    expect((await harness.handler.handle(await runJobFor(pending.Id), signal)).status).toBe('duplicate');
    expect(await application()).toEqual(before);
  });
});
