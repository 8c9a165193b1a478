/**
 * The package's invocables as an org's Flow or REST caller reaches them (`/actions/custom/apex/<Class>`), through
 * unmodified jsforce: the Apex's own refusals (issues 17 and 20) exercised with the emulator's org, not just parsed.
 * The response shape is the Actions REST resource's: one element per input with `isSuccess`, `errors`, `outputValues`.
 */
import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import { createRuntime } from '../../src/worker/runtime-deps.ts';
import { silentLogger } from '../../src/logger.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { MemoryTokenVault } from '../../src/governance/pii/index.ts';
import { devCredentials, jsforceConnection, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';

interface Element {
  actionName: string;
  isSuccess: boolean;
  errors: Array<{ statusCode: string; message: string }> | null;
  outputValues: Record<string, unknown> | null;
}

let emu: EmulatorHandle;
let org: Org;
let officer: jsforce.Connection;
let approver: jsforce.Connection;
let nobody: jsforce.Connection;
let admin: jsforce.Connection;
let agentName: string;

const START = `/services/data/v${TEST_API_VERSION}/actions/custom/apex/StartAgentTurnAction`;
const DECIDE = `/services/data/v${TEST_API_VERSION}/actions/custom/apex/DecidePendingActionAction`;
const userId = (username: string): string => org.userByUsername(username)?.id ?? '';
const invoke = (as: jsforce.Connection, url: string, inputs: unknown[]): Promise<Element[]> =>
  as.requestPost<Element[]>(url, { inputs });

beforeAll(async () => {
  emu = await startTestEmulator();
  org = emu.org as Org;
  const { app, privateKeyPem } = devCredentials(emu);
  const runtime = createRuntime({
    loginUrl: emu.url,
    clientId: app.consumerKey,
    privateKeyPem,
    integrationUsername: 'worker@lending.test',
    apiVersion: TEST_API_VERSION,
    logger: silentLogger(),
    provider: new ScriptedProvider({ name: 'none', rules: [{ id: 'x', when: {}, respond: { text: 'ok' } }] }),
    vault: new MemoryTokenVault(),
  });
  const agentId = await provisionLendingAgent(runtime.clientFor('admin@lending.test'));
  agentName = String(org.store.get(agentId)?.record['DeveloperName__c']);
  [officer, approver, nobody, admin] = await Promise.all(
    ['officer@lending.test', 'approver@lending.test', 'nobody@lending.test', 'admin@lending.test'].map((u) =>
      jsforceConnection(emu, u),
    ),
  );
});
afterAll(async () => {
  await emu.close();
});

describe('StartAgentTurnAction (AgentTurnService)', () => {
  it('describes its Flow inputs and outputs as the class declares them', async () => {
    const describe = await officer.request<{ inputs: Array<{ name: string; required: boolean }>; label: string }>(
      START,
    );
    expect(describe.label).toBe('Loom: Start Agent Turn');
    expect(describe.inputs.filter((input) => input.required).map((input) => input.name)).toEqual(['message']);
  });

  it('starts turns as the caller, one result per input: a bad input fails alone and the rest go ahead', async () => {
    const results = await invoke(officer, START, [
      { agentDeveloperName: agentName, message: 'first' },
      { agentDeveloperName: agentName, message: '   ' },
      { agentDeveloperName: 'No_Such_Agent', message: 'third' },
      { agentDeveloperName: agentName, message: 'fourth' },
    ]);
    expect(results.map((r) => [r.isSuccess, r.outputValues?.isSuccess, r.outputValues?.errorMessage])).toEqual([
      [true, true, null],
      [true, false, 'Message is required.'],
      [true, false, 'No active agent named No_Such_Agent is visible to you.'],
      [true, true, null],
    ]);
    for (const index of [0, 3]) {
      const out = results[index]?.outputValues ?? {};
      const execution: Record<string, unknown> = org.store.get(String(out['executionId']))?.record ?? {};
      expect(execution).toMatchObject({ RequestingUser__c: userId('officer@lending.test'), TriggerSource__c: 'Flow' });
      expect(execution['CreatedById']).toBe(userId('officer@lending.test'));
      expect(out['turnIdentifier']).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });

  it('refuses what the user may not do, with the class’s words, and never throws', async () => {
    // No class access for a user without Loom_User: the REST call itself is refused, as for any Apex action.
    await expect(invoke(nobody, START, [{ agentDeveloperName: agentName, message: 'hi' }])).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS',
    });
    // Another user's execution cannot be continued.
    const [mine] = await invoke(officer, START, [{ agentDeveloperName: agentName, message: 'mine' }]);
    const [theirs] = await invoke(approver, START, [
      { agentDeveloperName: agentName, message: 'theirs', executionId: mine?.outputValues?.executionId },
    ]);
    expect(theirs?.outputValues).toMatchObject({ isSuccess: false, executionId: null });
  });

  it('reports unusable inputs as element errors: a missing required input, a malformed ID, an unknown parameter', async () => {
    const results = await invoke(officer, START, [
      { agentDeveloperName: agentName },
      { agentDeveloperName: agentName, message: 'x', sourceRecordId: 'not-an-id' },
      { agentDeveloperName: agentName, message: 'x', requestingUserId: userId('admin@lending.test') },
    ]);
    expect(results.map((r) => [r.isSuccess, r.errors?.[0]?.statusCode])).toEqual([
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'INVALID_ID_FIELD'],
      [false, 'INVALID_INPUT'],
    ]);
  });

  it('refuses every turn while agents are disabled at the org level', async () => {
    const row = await admin.sobject('AIAgentFrameworkSettings__c').create({
      Name: 'Loom Settings',
      SetupOwnerId: org.orgId,
      AgentsDisabled__c: true,
    });
    try {
      const [result] = await invoke(officer, START, [{ agentDeveloperName: agentName, message: 'hi' }]);
      expect(result?.outputValues).toMatchObject({
        isSuccess: false,
        errorMessage: 'Loom agents are disabled in this org (Loom Settings: Agents Disabled).',
      });
    } finally {
      await admin.sobject('AIAgentFrameworkSettings__c').destroy((row as { id: string }).id);
    }
  });
});

describe('DecidePendingActionAction (AgentHITLService)', () => {
  /** A pending Approval as the worker would hold it: owned by the requester, shared with the approver. */
  function pendingApproval(): string {
    const requester = userId('officer@lending.test');
    const system = org.systemAccess(userId('worker@lending.test'));
    const [execution] = org.store.all('AgentExecution__c').filter((row) => row['RequestingUser__c'] === requester);
    const { id } = org.create(system, 'PendingHITLAction__c', {
      ActionKey__c: `key-${Math.random().toString(36).slice(2)}`,
      AgentExecution__c: execution?.Id,
      ToolName__c: 'update_record',
      HITLType__c: 'Approval',
      Status__c: 'Pending',
      RequestingUser__c: requester,
      OwnerId: requester,
      ExpiresAt__c: new Date(Date.now() + 3_600_000).toISOString(),
    });
    org.setShare(id, userId('approver@lending.test'), 'Read');
    return id;
  }

  it('normalises the decision’s case (a Flow typing "approve") and records it on the action, IDs only in the event', async () => {
    const id = pendingApproval();
    const [result] = await invoke(approver, DECIDE, [{ pendingActionId: id, decision: ' approve ', comment: 'ok' }]);
    expect(result?.outputValues).toEqual({ isSuccess: true, errorMessage: null });
    expect(org.store.get(id)?.record).toMatchObject({
      RequestedDecision__c: 'Approve',
      DecisionComment__c: 'ok',
      DecisionRequestId__c: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('refuses self-approval, a second decision in one batch, an over-long comment and edits outside Approve', async () => {
    const id = pendingApproval();
    const self = await invoke(officer, DECIDE, [{ pendingActionId: id, decision: 'Approve' }]);
    expect(self[0]?.outputValues?.errorMessage).toBe(
      'You need the Loom: Approver permission set to approve or reject actions.',
    );
    const results = await invoke(approver, DECIDE, [
      { pendingActionId: id, decision: 'Reject', comment: 'x'.repeat(32_769) },
      { pendingActionId: id, decision: 'Reject', editedArgumentsJson: '{"a":1}' },
      { pendingActionId: id, decision: 'Approve', editedArgumentsJson: '[1]' },
      { pendingActionId: id, decision: 'Maybe' },
      { pendingActionId: id, decision: 'Approve' },
      { pendingActionId: id, decision: 'Approve' },
    ]);
    expect(results.map((r) => r.outputValues?.errorMessage)).toEqual([
      'Comment is longer than 32768 characters.',
      'Edited arguments are only accepted with Approve.',
      'Edited arguments must be a JSON object.',
      'Decision must be Confirm, Approve, Reject or Decline.',
      null,
      `Pending action ${id} appears twice in this request.`,
    ]);
  });

  it('says "not found" to a user the action is not shared with, and "expired" after its deadline', async () => {
    const id = pendingApproval();
    org.setShare(id, userId('approver@lending.test'), null);
    const [hidden] = await invoke(approver, DECIDE, [{ pendingActionId: id, decision: 'Approve' }]);
    expect(hidden?.outputValues?.errorMessage).toBe(`Pending action ${id} was not found or is not shared with you.`);
    org.setShare(id, userId('approver@lending.test'), 'Read');
    org.update(org.systemAccess(userId('worker@lending.test')), 'PendingHITLAction__c', id, {
      ExpiresAt__c: new Date(Date.now() - 1_000).toISOString(),
    });
    const [late] = await invoke(approver, DECIDE, [{ pendingActionId: id, decision: 'Approve' }]);
    expect(late?.outputValues?.errorMessage).toBe(`Pending action ${id} has expired.`);
  });
});
