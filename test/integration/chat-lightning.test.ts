/**
 * A whole chat turn the way the loomAgentChat component plays it (issue 21), through the endpoints it calls: Apex over
 * Aura (`LoomChatController`, emulated from the .cls) and `/event/AgentTurnResult__e` over CometD as the user (what
 * `lightning/empApi` subscribes to), with the real worker (`startService`) in between. Message → held action →
 * the requester's Confirm → answer; a colleague cannot see or confirm it.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDING_AGENT, provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { silentLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { devCredentials, jsforceConnection, jwtToken, startTestEmulator } from '../support/emulator.ts';
import { findThenAct, outcomeRules } from '../support/hitl-script.ts';
import { until } from '../unit/emulator/streaming/harness.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OFFICER = 'officer@lending.test';
const OFFICER2 = 'officer2@lending.test';
const APPROVER = 'approver@lending.test';

let emulator: EmulatorHandle;
let service: Service;
let stateDir: string;
const results: Array<Record<string, unknown>> = [];
let stream: { disconnect(): void } | undefined;

function script(): ScriptedScript {
  return {
    name: 'chat-lightning',
    rules: [
      ...outcomeRules('Done: {{lastToolResult.savedFields.0}} saved.'),
      ...findThenAct(
        { 'chat-ui-confirm': ['confirm_update', 32_100], 'chat-ui-approve': ['approve_update', 32_200] } as const,
        'HL-1003',
        ([tool, amount]) => ({
          name: tool,
          arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: amount } },
        }),
      ),
      { id: 'fallback', when: {}, respond: { text: 'How can I help?' } },
    ],
  };
}

interface AuraAnswer {
  state: 'SUCCESS' | 'ERROR';
  returnValue: { returnValue: unknown } | null;
  error?: Array<{ message: string; exceptionType: string }>;
}

/** One `@salesforce/apex` call as the component makes it: POST /aura with an ApexActionController action. */
async function apex(
  username: string,
  method: string,
  params: Record<string, unknown>,
  classname = 'LoomChatController',
): Promise<AuraAnswer> {
  const token = await jwtToken(emulator, username);
  const message = {
    actions: [
      {
        id: '1;a',
        descriptor: 'aura://ApexActionController/ACTION$execute',
        callingDescriptor: 'UNKNOWN',
        params: { namespace: '', classname, method, params, cacheable: false },
      },
    ],
  };
  const response = await fetch(`${emulator.url}/aura?r=1&aura.ApexAction.execute=1`, {
    method: 'POST',
    headers: { Cookie: `sid=${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ message: JSON.stringify(message), 'aura.context': '{}' }).toString(),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { actions: AuraAnswer[] };
  return body.actions[0] as AuraAnswer;
}

const ok = async (
  username: string,
  method: string,
  params: Record<string, unknown>,
  classname?: string,
): Promise<unknown> => {
  const answer = await apex(username, method, params, classname);
  expect(answer.state, JSON.stringify(answer.error)).toBe('SUCCESS');
  return answer.returnValue?.returnValue;
};

beforeAll(async () => {
  emulator = await startTestEmulator();
  const { app, privateKeyFile } = devCredentials(emulator);
  stateDir = mkdtempSync(join(tmpdir(), 'loom-chat-'));
  service = await startService({
    env: {
      SF_LOGIN_URL: emulator.url,
      SF_CLIENT_ID: app.consumerKey,
      SF_PRIVATE_KEY_FILE: privateKeyFile,
      SF_INTEGRATION_USERNAME: 'worker@lending.test',
      LOOM_STATE_DIR: stateDir,
      LOOM_RECONCILE_MS: '0',
      LOOM_HITL_SIGNING_KEY: 'chat-lightning-test-signing-key-0123456789',
    },
    provider: new ScriptedProvider(script()),
    logger: silentLogger(),
    http: false,
  });
  const admin = service.runtime.clientFor('admin@lending.test');
  const agentId = await provisionLendingAgent(admin);
  const capability = (name: string, mode: string, backend: Record<string, unknown>) =>
    admin.create('AgentCapability__c', {
      AIAgentDefinition__c: agentId,
      CapabilityName__c: name,
      Description__c: 'Update a loan application.',
      Parameters__c: JSON.stringify({
        type: 'object',
        properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
        required: ['recordId', 'fields'],
        additionalProperties: false,
      }),
      ImplementationType__c: 'Standard',
      StandardActionType__c: 'UpdateRecord',
      ExposureLevel__c: 'External',
      IsActive__c: true,
      HITLMode__c: mode,
      BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c', ...backend }),
    });
  await capability('approve_update', 'Approval', { approval: { approverUsername: APPROVER } });
  await admin.create('AgentCapability__c', {
    AIAgentDefinition__c: agentId,
    CapabilityName__c: 'confirm_update',
    Description__c: 'Update a loan application.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object', minProperties: 1 } },
      required: ['recordId', 'fields'],
      additionalProperties: false,
    }),
    ImplementationType__c: 'Standard',
    StandardActionType__c: 'UpdateRecord',
    ExposureLevel__c: 'External',
    IsActive__c: true,
    HITLMode__c: 'Confirmation',
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
  });
  // What empApi does for the component: subscribe to the result event as the user, from now on.
  const officer: Connection = await jsforceConnection(emulator, OFFICER);
  const client = officer.streaming.createClient([]) as unknown as {
    subscribe(channel: string, cb: (data: unknown) => void): Promise<unknown>;
    disconnect(): void;
  };
  await client.subscribe('/event/AgentTurnResult__e', (data) =>
    results.push((data as { payload: Record<string, unknown> }).payload),
  );
  stream = client;
}, 120_000);

afterAll(async () => {
  stream?.disconnect();
  await service?.close();
  await emulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const resultFor = (turnId: string, status: string) =>
  until(
    () => results.find((event) => event['TurnIdentifier__c'] === turnId && event['Status__c'] === status),
    `AgentTurnResult__e ${status} for ${turnId}`,
    60_000,
  );

describe('loomAgentChat through its own endpoints', () => {
  it('lists the agents the user may use', async () => {
    const agents = (await ok(OFFICER, 'listAgents', {})) as Array<{ developerName: string }>;
    expect(agents.map((agent) => agent.developerName)).toContain(LENDING_AGENT);
  });

  it('plays message → held action → Confirm → answer, with the result event as the only push', async () => {
    const sent = (await ok(OFFICER, 'sendMessage', {
      agentDeveloperName: LENDING_AGENT,
      message: 'chat-ui-confirm please',
      recordId: null,
      executionId: null,
    })) as { executionId: string; turnIdentifier: string };
    expect(sent.turnIdentifier).toEqual(expect.any(String));
    const held = await resultFor(sent.turnIdentifier, 'Awaiting Action');
    // The event carries IDs and a status only: the text is read back through the controller, in user mode.
    expect(
      Object.keys(held)
        .filter((key) => key.endsWith('__c'))
        .sort(),
    ).toEqual(['AgentExecutionId__c', 'ResponseMessageId__c', 'Status__c', 'TurnIdentifier__c']);
    const waiting = (await ok(OFFICER, 'getConversation', { executionId: sent.executionId })) as {
      messages: Array<{ role: string; content: string }>;
      heldActions: Array<{ id: string; toolName: string; argumentsJson: string; awaitsMyConfirmation: boolean }>;
    };
    expect(waiting.messages.map((message) => message.role)).toEqual(['User', 'Assistant']);
    expect(waiting.messages[1]?.content).toMatch(/Please confirm before I run confirm_update/);
    expect(waiting.heldActions).toEqual([
      expect.objectContaining({ toolName: 'confirm_update', awaitsMyConfirmation: true }),
    ]);
    expect(waiting.heldActions[0]?.argumentsJson).toContain('32100');
    const pendingId = waiting.heldActions[0]!.id;

    // A colleague can neither see the conversation nor confirm the action.
    const theirs = (await ok(OFFICER2, 'getConversation', { executionId: sent.executionId })) as {
      executionId: string | null;
    };
    expect(theirs.executionId).toBeNull();
    const intruder = await apex(OFFICER2, 'confirmHeldAction', { pendingActionId: pendingId, confirm: true });
    expect(intruder).toMatchObject({
      state: 'ERROR',
      error: [{ exceptionType: 'AuraHandledException', message: expect.stringMatching(/not found or is not shared/) }],
    });

    expect(await ok(OFFICER, 'confirmHeldAction', { pendingActionId: pendingId, confirm: true })).toBeNull();
    await resultFor(sent.turnIdentifier, 'Completed');
    const done = (await ok(OFFICER, 'getConversation', { executionId: sent.executionId })) as {
      messages: Array<{ role: string; content: string }>;
      heldActions: unknown[];
    };
    expect(done.heldActions).toEqual([]);
    expect(done.messages.at(-1)?.content).toMatch(/^Done: Amount__c saved\./);
    // A second Confirm of the same action is refused by AgentHITLService, in its words.
    const again = await apex(OFFICER, 'confirmHeldAction', { pendingActionId: pendingId, confirm: true });
    expect(again.error?.[0]?.message).toMatch(/not waiting for your confirmation/);
  });

  it('shows an Approval hold to the routed approver in the inbox, who approves it there; the chat then answers', async () => {
    const sent = (await ok(OFFICER, 'sendMessage', {
      agentDeveloperName: LENDING_AGENT,
      message: 'chat-ui-approve please',
      recordId: null,
      executionId: null,
    })) as { executionId: string; turnIdentifier: string };
    await resultFor(sent.turnIdentifier, 'Awaiting Action');
    const waiting = (await ok(OFFICER, 'getConversation', { executionId: sent.executionId })) as {
      heldActions: Array<{ id: string; approverName: string | null; awaitsMyConfirmation: boolean }>;
    };
    // The requester is told who was asked and has nothing to confirm.
    expect(waiting.heldActions).toEqual([
      expect.objectContaining({ approverName: 'April Approver', awaitsMyConfirmation: false }),
    ]);
    const pendingId = waiting.heldActions[0]!.id;
    // The requester has no inbox (the class is in Loom_Approver only); the approver's names the requester and agent.
    const noInbox = await apex(OFFICER, 'getInbox', { pendingActionId: null }, 'LoomApprovalInboxController');
    expect(noInbox.error?.[0]?.exceptionType).toBe('NoAccessException');
    const inbox = (await ok(APPROVER, 'getInbox', { pendingActionId: null }, 'LoomApprovalInboxController')) as Array<{
      id: string;
      toolName: string;
      requesterName: string;
      agentName: string;
      argumentsJson: string;
    }>;
    expect(inbox).toEqual([
      expect.objectContaining({
        id: pendingId,
        toolName: 'approve_update',
        requesterName: 'Olive Officer',
        agentName: 'Lending Assistant',
      }),
    ]);
    expect(inbox[0]?.argumentsJson).toContain('32200');
    // Free text is refused by the inbox itself; Approve goes to AgentHITLService.
    const outcomes = (await ok(
      APPROVER,
      'decide',
      {
        decisions: [
          { pendingActionId: pendingId, decision: 'approve' },
          { pendingActionId: pendingId, decision: 'Approve', comment: 'Fine' },
        ],
      },
      'LoomApprovalInboxController',
    )) as Array<{ isSuccess: boolean; errorMessage: string | null }>;
    expect(outcomes).toEqual([
      expect.objectContaining({ isSuccess: false, errorMessage: 'Decision must be Approve or Reject.' }),
      expect.objectContaining({ isSuccess: true, errorMessage: null }),
    ]);
    await resultFor(sent.turnIdentifier, 'Completed');
    const done = (await ok(OFFICER, 'getConversation', { executionId: sent.executionId })) as {
      messages: Array<{ content: string }>;
      heldActions: unknown[];
    };
    expect(done.heldActions).toEqual([]);
    expect(done.messages.at(-1)?.content).toMatch(/^Done: Amount__c saved\./);
    expect(await ok(APPROVER, 'getInbox', { pendingActionId: null }, 'LoomApprovalInboxController')).toEqual([]);
  });

  it('refuses a user without the class, and an unknown method, as Aura errors', async () => {
    expect(await apex('nobody@lending.test', 'listAgents', {})).toMatchObject({
      state: 'ERROR',
      error: [{ exceptionType: 'NoAccessException' }],
    });
    expect((await apex(OFFICER, 'deleteEverything', {})).state).toBe('ERROR');
  });
});
