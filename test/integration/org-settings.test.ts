/**
 * The org-level Loom settings (AIAgentFrameworkSettings__c) as the worker honours them: the kill switch on every path
 * into a turn (events, /v1/turns, decision resumes), the org's PII masking requirement over an agent's "Off", and the
 * Default* fields for what an agent or capability leaves blank. The settings row is real: the admin writes it in the
 * emulator and the worker reads it over REST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { silentLogger } from '../../src/logger.ts';
import { TurnRequestError, TurnService } from '../../src/ops/turn-service.ts';
import { TurnWaiter } from '../../src/ops/turn-waiter.ts';
import { OrgSettingsReader } from '../../src/runtime/org-settings.ts';
import type { TurnJob } from '../../src/runtime/jobs.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';
import { createAgent, createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const signal = new AbortController().signal;
const PARAMETERS = JSON.stringify({
  type: 'object',
  properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
  required: ['recordId', 'fields'],
  additionalProperties: false,
});

function script(): ScriptedScript {
  return {
    name: 'org-settings',
    rules: [
      ...outcomeRules('Done: {{lastToolResult.savedFields.0}} saved.'),
      ...findThenAct({ 'case-held': { amount: 32100 }, 'case-expiry': { amount: 32200 } }, 'HL-1003', (spec) => ({
        name: 'approve_update',
        arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: spec.amount } },
      })),
      { id: 'echo', when: { lastUserMessage: 'email' }, respond: { text: 'You said: {{lastUserMessage}}' } },
      { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
    ],
  };
}

let emulator: EmulatorHandle;
let harness: Harness;
let reader: OrgSettingsReader;
let orgId: () => Promise<string>;
let settingsId: string | undefined;

/** Writes the org-level settings row as the admin (Setup → Custom Settings → Loom Settings → Edit at org level). */
async function setOrgSettings(fields: Record<string, unknown>): Promise<void> {
  const admin = harness.clientFor(USERS.admin);
  if (settingsId) await admin.update('AIAgentFrameworkSettings__c', settingsId, fields);
  else
    settingsId = (
      await admin.create('AIAgentFrameworkSettings__c', {
        Name: 'Loom Settings',
        SetupOwnerId: await orgId(),
        ...fields,
      })
    ).id;
}

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: script(),
    runtime: {
      hitl: { signingKey: 'org-settings-test-signing-key-0123456789', defaultApprover: USERS.approver },
      // Cache window 0: each read sees the row the test just wrote (the caching itself is tested in test/unit).
      settings: (integration, org) => {
        orgId = org;
        reader = new OrgSettingsReader(integration, org, 0);
        return reader;
      },
    },
  });
  await harness.clientFor(USERS.admin).create('AgentCapability__c', {
    AIAgentDefinition__c: harness.agentId,
    CapabilityName__c: 'approve_update',
    Description__c: 'Update a loan application.',
    Parameters__c: PARAMETERS,
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

describe('the kill switch (AgentsDisabled__c at the org level)', () => {
  it('refuses a direct turn event, with the reason in the audit trail', async () => {
    // A turn started just before the switch flipped: its event is already on its way to the worker.
    const { started, job } = await harness.turn(USERS.officer, 'open applications please');
    await setOrgSettings({ AgentsDisabled__c: true });
    try {
      // AgentTurnService refuses new turns while disabled…
      await expect(harness.turn(USERS.officer, 'and another')).rejects.toThrow(/disabled/);
      // …and the worker refuses the one in flight.
      const outcome = await harness.handler.handle(job, signal);
      expect(outcome).toMatchObject({ status: 'refused', detail: expect.stringMatching(/disabled/) });
      const steps = await stepsOf(harness, started.executionId);
      expect(steps[0]).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'AgentsDisabled' });
    } finally {
      await setOrgSettings({ AgentsDisabled__c: false });
    }
  });

  it('refuses a /v1/turns request before writing anything', async () => {
    const turns = new TurnService({
      integration: harness.integration,
      clientFor: harness.clientFor,
      orgId,
      waiter: new TurnWaiter(),
      logger: silentLogger(),
      settings: reader,
      submit: async (job) => {
        submitted.push(job);
        return 'enqueued';
      },
    });
    const submitted: TurnJob[] = [];
    const officerId = await harness.clientFor(USERS.officer).userId();
    const body = {
      agentDeveloperName: 'Lending_Assistant',
      message: 'hello',
      requestingUserId: officerId,
      organizationId: await orgId(),
    };
    await setOrgSettings({ AgentsDisabled__c: true });
    try {
      const before = await harness.clientFor(USERS.admin).query('SELECT Id FROM AgentExecution__c');
      const refused = await turns.start(body).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TurnRequestError);
      expect(refused).toMatchObject({ httpStatus: 403, message: expect.stringMatching(/disabled/) });
      expect((await harness.clientFor(USERS.admin).query('SELECT Id FROM AgentExecution__c')).totalSize).toBe(
        before.totalSize,
      );
    } finally {
      await setOrgSettings({ AgentsDisabled__c: false });
    }
    expect(submitted).toEqual([]);
    const accepted = await turns.start(body);
    expect(accepted).toMatchObject({ executionId: expect.any(String) });
    // Recorded as the officer and enqueued as the job its (never published) event would have become.
    expect(submitted).toEqual([
      expect.objectContaining({
        kind: 'turn',
        event: expect.objectContaining({
          AgentExecutionId__c: accepted.executionId,
          TurnIdentifier__c: accepted.turnIdentifier,
          CreatedById: officerId,
        }),
      }),
    ]);
    expect(submitted[0]).not.toHaveProperty('reconciled');
  });

  it('holds a decision while agents are disabled: the approved tool does not run and the action stays Pending', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'case-held please');
    expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
    const [pending] = await pendingOf(harness, started.executionId);
    expect(pending?.Status__c).toBe('Pending');
    const amount = async () =>
      (
        await harness
          .clientFor(USERS.admin)
          .query<{ Amount__c: number }>("SELECT Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1003'")
      ).records[0]?.Amount__c;
    const before = await amount();
    await setOrgSettings({ AgentsDisabled__c: true });
    try {
      const decision = await harness.refusedByApex(USERS.approver, pending!.Id, 'Approve');
      expect(await harness.handler.handle(decision, signal)).toMatchObject({
        status: 'refused',
        detail: expect.stringMatching(/disabled/),
      });
      expect(await amount()).toBe(before);
      expect((await pendingOf(harness, started.executionId))[0]?.Status__c).toBe('Pending');
    } finally {
      await setOrgSettings({ AgentsDisabled__c: false });
    }
    // Once agents are enabled again, the same action can be decided and runs.
    const again = await harness.decide(USERS.approver, pending!.Id, 'Approve');
    expect((await harness.handler.handle(again, signal)).status).toBe('completed');
    expect(await amount()).toBe(32100);
  });
});

describe('masking and defaults', () => {
  it('masks PII for an agent set to Off when the org requires masking, and records why', async () => {
    const agentId = await createAgent(harness, 'Unmasked_Agent', [], { PIIMaskingMode__c: 'Off' });
    await setOrgSettings({ EnablePIIMasking__c: true });
    const { started, job } = await harness.turn(USERS.officer, 'my email is jane.doe@example.com', { agentId });
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const steps = await stepsOf(harness, started.executionId);
    const sentToModel = steps
      .filter((s) => s.StepType__c === 'UserInput' || s.StepType__c === 'LLMRequest')
      .map((s) => String(s.Content__c))
      .join('\n');
    expect(sentToModel).not.toContain('jane.doe@example.com');
    const decisions = await harness
      .clientFor(USERS.admin)
      .query<{ Summary__c: string }>(
        `SELECT Summary__c FROM AgentDecisionStep__c WHERE AgentExecution__c = '${started.executionId}'`,
      );
    expect(decisions.records.map((d) => d.Summary__c).join('\n')).toMatch(/Enable PII Masking/);

    // An org that does not require masking lets the agent's Off stand.
    await setOrgSettings({ EnablePIIMasking__c: false });
    try {
      const second = await harness.turn(USERS.officer, 'my email is jane.doe@example.com', { agentId });
      expect((await harness.handler.handle(second.job, signal)).status).toBe('completed');
      const raw = (await stepsOf(harness, second.started.executionId)).map((s) => String(s.Content__c)).join('\n');
      expect(raw).toContain('jane.doe@example.com');
    } finally {
      await setOrgSettings({ EnablePIIMasking__c: true });
    }
  });

  it('a capability without an approval expiry takes the org default, not a built-in 72 hours', async () => {
    await setOrgSettings({ DefaultApprovalExpiryHours__c: 5 });
    const { started, job } = await harness.turn(USERS.officer, 'case-expiry please');
    expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ RequestedAt__c: string; ExpiresAt__c: string }>(
        `SELECT RequestedAt__c, ExpiresAt__c FROM PendingHITLAction__c WHERE AgentExecution__c = '${started.executionId}'`,
      );
    const hours =
      (Date.parse(String(records[0]?.ExpiresAt__c)) - Date.parse(String(records[0]?.RequestedAt__c))) / 3_600_000;
    expect(hours).toBeCloseTo(5, 3);
  });

  it('an agent without step or token limits takes the org defaults', async () => {
    const agentId = await createAgent(harness, 'Default_Limits_Agent', [], {
      MaxStepsPerTurn__c: null,
      TokenBudgetPerTurn__c: null,
    });
    await setOrgSettings({ DefaultMaxStepsPerTurn__c: 3, DefaultTokenBudgetPerTurn__c: 1 });
    const { started, job } = await harness.turn(USERS.officer, 'hello there', { agentId });
    expect((await harness.handler.handle(job, signal)).status).toBe('failed');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.map((s) => String(s.Content__c)).join('\n')).toMatch(/Token budget of 1 exceeded/);
  });
});
