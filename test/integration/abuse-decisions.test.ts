/**
 * Decision abuse (issue 16, class 3): decisions only through the package's Apex. No user permission set grants
 * Create or Read on `AgentHITLDecision__e`, so a user can neither publish a decision over REST (skipping
 * `AgentHITLService`'s checks) nor subscribe to everyone's decisions; the event carries IDs only (comments and edited
 * arguments stay on the pending action); and a decision event that does not match a submission written on the record
 * (published by anyone who still could) runs nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { DECISION_CHANNEL, type DecisionJob } from '../../src/runtime/jobs.ts';
import { lastSeq, requestsSince } from '../support/chaos/abuse-kit.ts';
import { jwtToken, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';
import { createHarness, pendingOf, stepsOf, USERS, type Harness } from '../support/runtime.ts';

const signal = new AbortController().signal;
let emulator: EmulatorHandle;
let harness: Harness;

const SCRIPT: ScriptedScript = {
  name: 'abuse-decisions',
  rules: [
    { when: { lastToolResult: { contains: 'savedFields' } }, respond: { text: 'Done.' } },
    { when: { lastToolResult: { contains: '"executed":false' } }, respond: { text: 'Not done.' } },
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
            arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: 52000 } },
          },
        ],
      },
    },
    { when: {}, respond: { text: 'How can I help?' } },
  ],
};

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, {
    script: SCRIPT,
    runtime: { hitl: { signingKey: 'test-abuse-decisions-signing-key-0123456789', defaultApprover: USERS.approver } },
  });
});
afterAll(async () => {
  await emulator.close();
});

/** The officer asks to raise LA-00002; the lending agent holds the update for the approver. */
async function held(): Promise<{ executionId: string; pendingId: string }> {
  const { started, job } = await harness.turn(USERS.officer, 'raise LA-00002 please');
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending?.Status__c).toBe('Pending');
  return { executionId: started.executionId, pendingId: (pending as { Id: string }).Id };
}

/** Bayeux over HTTP as `username`: handshake, then subscribe; returns the subscribe reply. */
async function subscribeAs(username: string, channel: string): Promise<{ successful: boolean; error?: string }> {
  const token = await jwtToken(emulator, username);
  const post = async (message: Record<string, unknown>) => {
    const response = await fetch(`${emulator.url}/cometd/${TEST_API_VERSION}`, {
      method: 'POST',
      headers: { Authorization: `OAuth ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([message]),
    });
    return ((await response.json()) as Array<Record<string, unknown>>)[0] as {
      successful: boolean;
      clientId?: string;
      error?: string;
    };
  };
  const shake = await post({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
  expect(shake.successful).toBe(true);
  return post({ channel: '/meta/subscribe', clientId: shake.clientId, subscription: channel });
}

describe('decisions only through Apex', () => {
  it('refuses a decision a user publishes over REST, requester or approver, and nothing runs', async () => {
    const { executionId, pendingId } = await held();
    for (const user of [USERS.officer, USERS.approver]) {
      await expect(
        harness
          .clientFor(user)
          .request('POST', '/sobjects/AgentHITLDecision__e', { PendingActionId__c: pendingId, Decision__c: 'Approve' }),
        // Salesforce answers an object the user has no access to as if it did not exist (404 NOT_FOUND).
      ).rejects.toThrow(/does not exist/);
    }
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Pending');
  });

  it("refuses a user's subscription to decisions, keeps Read on results", async () => {
    // No user permission set grants Read on the event. (A System Administrator's View All Data reaches every platform
    // event, as in a real org; the event carries IDs only, so that shows nothing a decider typed.)
    for (const user of [USERS.officer, USERS.approver]) {
      expect((await subscribeAs(user, '/event/AgentHITLDecision__e')).successful).toBe(false);
    }
    // The chat component's channel: IDs and status only.
    expect((await subscribeAs(USERS.officer, '/event/AgentTurnResult__e')).successful).toBe(true);
  });

  it('carries no comment or arguments in the event: the worker reads them from the pending action', async () => {
    const describe = await harness
      .clientFor(USERS.worker)
      .request<{ fields: Array<{ name: string }> }>('GET', '/sobjects/AgentHITLDecision__e/describe');
    expect(
      describe.fields
        .map((field) => field.name)
        .filter((name) => name.endsWith('__c'))
        .sort(),
    ).toEqual(['DecisionRequestId__c', 'Decision__c', 'PendingActionId__c']);
    const { executionId, pendingId } = await held();
    const job = await harness.decide(USERS.approver, pendingId, 'Approve', { comment: 'Income verified by phone' });
    expect(JSON.stringify(job.event)).not.toContain('Income verified');
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const [pending] = await pendingOf(harness, executionId);
    expect(pending).toMatchObject({ Status__c: 'Approved', ResolutionComment__c: 'Income verified by phone' });
  });

  it('runs nothing for a decision event that does not match a submission on the record', async () => {
    const { executionId, pendingId } = await held();
    const org = emulator.org as Org;
    const approverId = org.userByUsername(USERS.approver)?.id as string;
    const from = lastSeq(emulator);
    // Published as the approver in system context without AgentHITLService's record write (no request ID)…
    const raw = org.create(org.systemAccess(approverId), 'AgentHITLDecision__e', {
      PendingActionId__c: pendingId,
      Decision__c: 'Approve',
    });
    const job: DecisionJob = {
      kind: 'decision',
      eventUuid: raw.eventUuid ?? 'raw',
      replayId: 1,
      channel: DECISION_CHANNEL,
      receivedAt: new Date().toISOString(),
      event: {
        PendingActionId__c: pendingId,
        Decision__c: 'Approve',
        CreatedById: approverId,
        CreatedDate: new Date().toISOString(),
      },
    };
    expect((await harness.handler.handle(job, signal)).status).toBe('refused');
    // …or naming a submission the record does not hold (a Reject written, an Approve published).
    const rejected = await harness.decide(USERS.approver, pendingId, 'Reject', { comment: 'no' });
    const flipped: DecisionJob = {
      ...rejected,
      eventUuid: `${rejected.eventUuid}-x`,
      event: { ...rejected.event, Decision__c: 'Approve' },
    };
    expect((await harness.handler.handle(flipped, signal)).status).toBe('refused');
    const errors = (await stepsOf(harness, executionId))
      .filter((step) => step.ErrorCategory__c === 'SecurityViolation')
      .map((step) => String(step.Content__c));
    expect(errors).toEqual([
      expect.stringMatching(/not submitted through AgentHITLService/),
      expect.stringMatching(/records Reject, not Approve/),
    ]);
    expect((await pendingOf(harness, executionId))[0]?.Status__c).toBe('Pending');
    expect(
      requestsSince(emulator, from).filter(
        (entry) => entry.method === 'PATCH' && entry.path.includes('Loan_Application__c'),
      ),
    ).toEqual([]);
  });
});
