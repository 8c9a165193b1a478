/**
 * Identity abuse: nobody reaches data as someone else. Each case asserts the refusal AND, from the emulator's request
 * log, which tokens were used: a refused turn makes no request with any business user's token, and concurrent turns
 * of several users never use one user's token for another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectDef } from '../../src/emulator/org/model.ts';
import { LENDING_SCRIPT } from '../../src/dev/lending-agent.ts';
import { TurnJob } from '../../src/runtime/jobs.ts';
import { jsforceConnection } from '../support/emulator.ts';
import {
  lastSeq,
  requestsSince,
  startAbuseKit,
  tokenOwners,
  USERS,
  type AbuseKit,
} from '../support/chaos/abuse-kit.ts';
import { answersOf, createHarness, READ_APPLICATIONS } from '../support/runtime.ts';
import { PERMISSIONS_PATH } from '../../src/salesforce/custom-permissions.ts';

let kit: AbuseKit;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  kit = await startAbuseKit();
});
afterAll(async () => {
  await kit?.close();
});

/** A conversation owned by `username`, created in system context (so the test can make ones the API would refuse). */
function conversationOf(username: string, agentId: string, turnId: string): { executionId: string; messageId: string } {
  const owner = kit.userId(username);
  const session = kit.systemCreate('InteractionSession__c', {
    AIAgentDefinition__c: agentId,
    ParticipantUser__c: owner,
    OwnerId: owner,
  });
  const executionId = kit.systemCreate('AgentExecution__c', {
    AIAgentDefinition__c: agentId,
    RequestingUser__c: owner,
    CurrentTurnIdentifier__c: turnId,
    InteractionSession__c: session,
    OwnerId: owner,
  });
  const messageId = kit.systemCreate('InteractionMessage__c', {
    InteractionSession__c: session,
    AgentExecution__c: executionId,
    Content__c: 'open applications',
    Direction__c: 'Inbound',
    TurnIdentifier__c: turnId,
  });
  return { executionId, messageId };
}

function jobFor(
  executionId: string,
  messageId: string,
  turnId: string,
  publisher: string,
  extra: Record<string, unknown> = {},
) {
  return TurnJob.parse({
    kind: 'turn',
    eventUuid: `evt-${turnId}`,
    replayId: 7,
    channel: '/event/AgentTurnRequest__e',
    receivedAt: new Date().toISOString(),
    event: {
      AgentExecutionId__c: executionId,
      InteractionMessageId__c: messageId,
      TurnIdentifier__c: turnId,
      CreatedById: publisher,
      CreatedDate: new Date().toISOString(),
      ...extra,
    },
  });
}

/** Users whose tokens made requests after `from`, other than the worker and the admin the test reads the audit as. */
function businessUsersSince(from: number): Set<string> {
  const skip = new Set([kit.userId(USERS.worker), kit.userId(USERS.admin)]);
  // The custom-permission check is asked as the user by design (class 7); it reads no business data.
  return new Set(
    requestsSince(kit.emulator, from)
      .filter((entry) => entry.path !== PERMISSIONS_PATH)
      .map((entry) => entry.userId)
      .filter((id) => !skip.has(id)),
  );
}

describe('identity abuse', () => {
  it('refuses a turn published by another user for a conversation they do not own; a forged user field is ignored', async () => {
    kit.useScript(LENDING_SCRIPT);
    const { executionId, messageId } = conversationOf(USERS.officer, kit.harness.agentId, 'forged-1');
    const from = lastSeq(kit.emulator);
    // officer2 publishes for Olive's conversation and claims, in the payload, to be Olive.
    const job = jobFor(executionId, messageId, 'forged-1', kit.userId(USERS.officer2), {
      RequestingUser__c: kit.userId(USERS.officer),
      UserId: kit.userId(USERS.officer),
    });
    expect(job.event).not.toHaveProperty('RequestingUser__c');
    const outcome = await kit.harness.turnHandler.handle(job, signal());
    expect(outcome.status).toBe('refused');
    const steps = await kit.steps(executionId);
    expect(steps[0]).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'SecurityViolation' });
    expect(steps.some((step) => step.StepType__c === 'ToolCall' || step.StepType__c === 'LLMRequest')).toBe(false);
    expect(businessUsersSince(from)).toEqual(new Set());
  });

  it('the org refuses a user who publishes a turn event over REST, forged CreatedById or not (no Create or Read on it)', async () => {
    const officer2 = await jsforceConnection(kit.emulator, USERS.officer2);
    const attempt = officer2.request({
      method: 'POST',
      url: '/services/data/v62.0/sobjects/AgentTurnRequest__e',
      body: JSON.stringify({
        AgentExecutionId__c: 'a01EM0000000001YAA',
        TurnIdentifier__c: 'spoof',
        CreatedById: kit.userId(USERS.officer),
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    // Users hold no permission on AgentTurnRequest__e (issue 16): the object does not exist for them.
    await expect(attempt).rejects.toThrow(/requested resource does not exist/);
  });

  it('refuses a user without Loom_User and never acts with their token', async () => {
    const { executionId, messageId } = conversationOf(USERS.nobody, kit.harness.agentId, 'nobody-1');
    const from = lastSeq(kit.emulator);
    const outcome = await kit.harness.turnHandler.handle(
      jobFor(executionId, messageId, 'nobody-1', kit.userId(USERS.nobody)),
      signal(),
    );
    expect(outcome.status).toBe('refused');
    expect(String((await kit.steps(executionId))[0]?.Content__c)).toMatch(/Loom_User/);
    expect(businessUsersSince(from)).toEqual(new Set());
    // Their token asked only whether they may start turns, and the org refused (no Loom permission set, no class access).
    const asNobody = requestsSince(kit.emulator, from).filter((entry) => entry.userId === kit.userId(USERS.nobody));
    expect(asNobody.map((entry) => [entry.method, entry.path, entry.status])).toEqual([['GET', PERMISSIONS_PATH, 403]]);
  });

  it('refuses a user who cannot see the agent (private sharing) and a user whose login the org refuses', async () => {
    const agentId = await kit.createAgent('Hidden_Agent', [READ_APPLICATIONS]);
    const def = kit.emulator.org.schema.object('AIAgentDefinition__c') as ObjectDef;
    expect(def.sharingModel).toBe('Private');
    // Take back the share the helper gave the officer: the agent is the admin's alone again.
    const admin = kit.harness.clientFor(USERS.admin);
    const officerId = kit.userId(USERS.officer);
    const shares = await admin.query<{ Id: string }>(
      `SELECT Id FROM AIAgentDefinition__Share WHERE ParentId = '${agentId}' AND UserOrGroupId = '${officerId}' AND RowCause = 'Manual'`,
    );
    expect(shares.records).toHaveLength(1);
    for (const share of shares.records) await admin.request('DELETE', `/sobjects/AIAgentDefinition__Share/${share.Id}`);
    {
      const { executionId, messageId } = conversationOf(USERS.officer, agentId, 'hidden-1');
      const outcome = await kit.harness.turnHandler.handle(
        jobFor(executionId, messageId, 'hidden-1', kit.userId(USERS.officer)),
        signal(),
      );
      expect(outcome.status).toBe('refused');
      const steps = await kit.steps(executionId);
      expect(steps[0]).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'PermissionDenied' });
      expect(String(steps[0]?.Content__c)).toMatch(/cannot access this agent/);
    }
    // unapproved@ holds Loom_User, but the connected app is not approved for them: no token, no turn.
    const { executionId, messageId } = conversationOf('unapproved@lending.test', agentId, 'unapproved-1');
    const outcome = await kit.harness.turnHandler.handle(
      jobFor(executionId, messageId, 'unapproved-1', kit.userId('unapproved@lending.test')),
      signal(),
    );
    expect(outcome.status).toBe('refused');
    expect(kit.emulator.admin.tokens().some((token) => token.userId === kit.userId('unapproved@lending.test'))).toBe(
      false,
    );
  });

  it('refuses a service identity the worker was not configured for, and one configured for another agent', async () => {
    const agentId = await kit.createAgent('Service_Agent', [READ_APPLICATIONS], {
      ServiceIdentityUsername__c: USERS.underwriter,
    });
    kit.useScript({
      rules: [
        {
          when: { turnStep: 0 },
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: ['a00000000000001'] } }] },
        },
        { when: {}, respond: { text: 'ok' } },
      ],
    });
    const from = lastSeq(kit.emulator);
    const plain = await kit.run(USERS.officer, agentId, 'read one');
    expect(plain.outcome.status).toBe('refused');
    expect((await kit.steps(plain.executionId))[0]).toMatchObject({ ErrorCategory__c: 'ServiceIdentityNotAllowed' });

    const other = await createHarness(kit.emulator, {
      runtime: { serviceIdentities: { Some_Other_Agent: USERS.underwriter }, provider: kit.harness.provider },
    });
    const started = await kit.run(USERS.officer, agentId, 'read one again');
    expect(started.outcome.status).toBe('refused');
    const mismatch = await other.turnHandler.handle({ ...started.job, eventUuid: 'evt-mismatch' }, signal());
    expect(['refused', 'duplicate']).toContain(mismatch.status);
    expect(requestsSince(kit.emulator, from).some((entry) => entry.userId === kit.userId(USERS.underwriter))).toBe(
      false,
    );
  });

  it('concurrent turns of several users, with every token revoked mid-run, never use one user token for another', async () => {
    kit.useScript(LENDING_SCRIPT);
    const users = [USERS.officer, USERS.officer2, USERS.underwriter];
    const expected = new Map<string, number>();
    for (const user of users) {
      const connection = await jsforceConnection(kit.emulator, user);
      expected.set(
        user,
        (await connection.query("SELECT Id FROM Loan_Application__c WHERE Status__c = 'Open'")).totalSize,
      );
    }
    // Start every turn first (those requests are the users' own), then let the worker run them all at once.
    const { startTurn } = await import('../../src/runtime/start-turn.ts');
    const turns: Array<{
      user: string;
      turnId: string;
      executionId: string;
      job: Parameters<typeof kit.harness.turnHandler.handle>[0];
    }> = [];
    for (let round = 0; round < 4; round++) {
      for (const user of users) {
        const client = kit.harness.clientFor(user);
        const started = await startTurn(client, {
          agentId: kit.harness.agentId,
          message: 'Which open applications do we have?',
        });
        turns.push({
          user,
          turnId: started.turnId,
          executionId: started.executionId,
          job: jobFor(started.executionId, started.messageId, started.turnId, await client.userId()),
        });
      }
    }
    const from = lastSeq(kit.emulator);
    const running = turns.map((turn) => kit.harness.turnHandler.handle(turn.job, signal()));
    kit.emulator.admin.revokeTokens();
    const outcomes = await Promise.all(running);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(turns.map(() => 'completed'));

    const owners = tokenOwners(kit.emulator);
    const requests = requestsSince(kit.emulator, from).filter((entry) => entry.status < 400);
    for (const entry of requests)
      expect(owners.get(entry.tokenId), `request ${entry.seq} ${entry.path}`).toBe(entry.userId);
    // Per request, by the turn the worker says it served (X-Loom-Turn), not by the token: a request of one user's turn
    // carries that user's token, or the worker's for Loom's own records, and never another user's.
    const worker = kit.userId(USERS.worker);
    const requester = new Map(turns.map((turn) => [turn.turnId, kit.userId(turn.user)]));
    const tagged = requests.filter((entry) => entry.turn !== null);
    expect(new Set(tagged.map((entry) => entry.turn))).toEqual(new Set(requester.keys()));
    for (const entry of tagged) {
      const own = requester.get(entry.turn as string);
      expect([own, worker], `request ${entry.seq} ${entry.method} ${entry.path} of turn ${entry.turn}`).toContain(
        owners.get(entry.tokenId),
      );
      if (/Loan_Application__c|\/sobjects\/Task\b/.test(decodeURIComponent(entry.path)))
        expect(owners.get(entry.tokenId), `business request ${entry.seq} ${entry.path}`).toBe(own);
    }
    for (const [turnId, own] of requester)
      expect(
        tagged.some((entry) => entry.turn === turnId && owners.get(entry.tokenId) === own),
        turnId,
      ).toBe(true);
    // The audit trail is the worker's; business reads are the users' own.
    expect(
      new Set(
        requests
          .filter((entry) => entry.method === 'POST' && entry.path.endsWith('/composite'))
          .map((entry) => entry.userId),
      ),
    ).toEqual(new Set([worker]));
    const describers = new Set(
      requests
        .filter((entry) => entry.path.includes('/sobjects/Loan_Application__c/describe'))
        .map((entry) => entry.userId),
    );
    expect(describers.has(worker)).toBe(false);
    // Each user's answer counts exactly the open applications that user can see.
    for (const turn of turns) {
      const [answer] = await answersOf(kit.harness, turn.executionId);
      expect(answer, turn.user).toMatch(new RegExp(`found ${expected.get(turn.user)} matching`));
    }
    expect(new Set(expected.values()).size).toBeGreaterThan(1);
  });
});
