import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../src/emulator/org/org.ts';
import type { UserAccess } from '../../src/emulator/org/model.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { createProvider } from '../../src/llm/create-provider.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import type { CompletionRequest, LlmProvider } from '../../src/llm/types.ts';
import { silentLogger } from '../../src/logger.ts';
import { recordTurn } from '../../src/runtime/start-turn.ts';
import { startTestEmulator } from '../support/emulator.ts';
import {
  openAiCompletion,
  openAiError,
  startFakeOpenAiServer,
  type FakeLlmServer,
} from '../support/fake-openai-server.ts';
import {
  answersOf,
  createAgent as createAgentAs,
  createHarness,
  stepsOf,
  USERS,
  type Harness,
} from '../support/runtime.ts';

let emulator: EmulatorHandle;
let harness: Harness;
let fakeOpenAi: FakeLlmServer;
/** Lets one test swap the model the agent talks to. */
let provider: LlmProvider;

const signal = () => new AbortController().signal;

beforeAll(async () => {
  emulator = await startTestEmulator();
  fakeOpenAi = await startFakeOpenAiServer({ apiKey: 'sk-test' });
  harness = await createHarness(emulator, { runtime: { provider: () => provider } });
  provider = harness.provider;
});
afterAll(async () => {
  await fakeOpenAi.close();
  await emulator.close();
});

/** A second agent with its own capabilities and limits, created as the admin. */
function createAgent(
  name: string,
  options: { tokenBudget?: number; active?: boolean; capabilities?: Array<Record<string, unknown>> } = {},
): Promise<string> {
  return createAgentAs(harness, name, options.capabilities, {
    TokenBudgetPerTurn__c: options.tokenBudget ?? 20_000,
    IsActive__c: options.active ?? true,
  });
}

const UPDATE_NOW = {
  CapabilityName__c: 'update_now',
  Description__c: 'Update a loan application immediately.',
  Parameters__c: JSON.stringify({
    type: 'object',
    properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
    required: ['recordId', 'fields'],
  }),
  StandardActionType__c: 'UpdateRecord',
  BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
};
const READ_APPS = {
  CapabilityName__c: 'get_application',
  Description__c: 'Read loan applications by ID.',
  Parameters__c: JSON.stringify({
    type: 'object',
    properties: { recordIds: { type: 'array', items: { type: 'string' } } },
    required: ['recordIds'],
  }),
  StandardActionType__c: 'GetRecords',
  BackendConfiguration__c: JSON.stringify({
    object: 'Loan_Application__c',
    fields: ['Name', 'Amount__c', 'Risk_Tier__c'],
  }),
};

async function runTurn(username: string, agentId: string, message: string, script?: ScriptedScript) {
  if (script) provider = new ScriptedProvider(script);
  return harness.turn(username, message, { agentId });
}

/** Writes as the admin in system context (like anonymous Apex without sharing): fixtures the REST API would refuse. */
function systemCreate(objectName: string, fields: Record<string, unknown>): string {
  return emulator.org.create(systemAccessOf(emulator.org.userByUsername(USERS.admin)!.id), objectName, fields).id;
}

function systemAccessOf(userId: string): UserAccess {
  return (emulator.org as Org).systemAccess(userId);
}

async function appId(ref: string): Promise<string> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Id: string }>(`SELECT Id FROM Loan_Application__c WHERE External_Ref__c = '${ref}'`);
  return records[0]!.Id;
}

describe('the governed loop on the emulator', () => {
  it('answers without tools and records tokens and cost', async () => {
    provider = harness.provider;
    const { started, job } = await harness.turn(USERS.officer, 'Hello there');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.map((step) => step.StepType__c)).toEqual(['UserInput', 'LLMRequest', 'LLMResponse', 'AgentResponse']);
    const response = steps.find((step) => step.StepType__c === 'LLMResponse')!;
    expect(Number(response.TotalTokens__c)).toBeGreaterThan(0);
    expect(Number(response.EstimatedCostUSD__c)).toBeGreaterThan(0);
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(
        `SELECT ExecutionStatus__c, TotalTokens__c, TotalCostUSD__c FROM AgentExecution__c WHERE Id = '${started.executionId}'`,
      );
    expect(records[0]).toMatchObject({ ExecutionStatus__c: 'Completed', TotalTokens__c: response.TotalTokens__c });
  });

  it('runs several tool calls and refuses hidden fields on write, naming them to the model', async () => {
    const agentId = await createAgent('Multi_Tool', { capabilities: [READ_APPS, UPDATE_NOW] });
    const app1 = await appId('HL-1001');
    const { started, job } = await runTurn(USERS.officer, agentId, 'Set the risk tier and check it', {
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              {
                name: 'update_now',
                arguments: { recordId: app1, fields: { Risk_Tier__c: 'A', Status__c: 'In Review' } },
              },
            ],
          },
        },
        {
          when: { turnStep: 1 },
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1] } }] },
        },
        { when: {}, respond: { text: 'done: {{lastToolResult.records.0.Name}}' } },
      ],
    });
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    const steps = await stepsOf(harness, started.executionId);
    const results = steps.filter((step) => step.StepType__c === 'ToolResult');
    expect(results).toHaveLength(2);
    // Hidden field: refused by name, and nothing was written (the status change did not slip through either).
    expect(results[0]).toMatchObject({ IsError__c: true, ErrorCategory__c: 'FieldRefused' });
    expect(String(results[0]!.ToolResult__c)).toContain('Risk_Tier__c');
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(`SELECT Risk_Tier__c, Status__c FROM Loan_Application__c WHERE Id = '${app1}'`);
    expect(records[0]).toMatchObject({ Risk_Tier__c: 'B', Status__c: 'Open' });
    // The read tool reports the field it had to leave out instead of pretending it does not exist.
    expect(String(results[1]!.ToolResult__c)).toMatch(/omittedFields.*Risk_Tier__c/);
  });

  it('does not return a record the user cannot see through sharing', async () => {
    const agentId = await createAgent('Reader', { capabilities: [READ_APPS] });
    const peerApp = await appId('HL-1006');
    const { started, job } = await runTurn(USERS.officer, agentId, 'Read HL-1006', {
      rules: [
        {
          when: { turnStep: 0 },
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: [peerApp] } }] },
        },
        { when: {}, respond: { text: 'ok' } },
      ],
    });
    await harness.turnHandler.handle(job, signal());
    const result = (await stepsOf(harness, started.executionId)).find((step) => step.StepType__c === 'ToolResult')!;
    expect(String(result.ToolResult__c)).toContain('"records":[]');
    expect(String(result.ToolResult__c)).toContain(peerApp);
    expect(JSON.stringify(harness.provider.requests)).not.toContain('Solar panel');
  });

  it('refuses an agent the user may not run (inactive), with an Error step', async () => {
    const agentId = await createAgent('Dormant', { active: false });
    // The Apex service would refuse to start it; the worker must refuse too if an event arrives anyway.
    const live = await createAgent('Dormant_Live');
    const { started, job } = await runTurn(USERS.officer, live, 'hi', {
      rules: [{ when: {}, respond: { text: 'hi' } }],
    });
    const adminId = emulator.org.userByUsername(USERS.admin)!.id;
    emulator.org.update(systemAccessOf(adminId), 'AgentExecution__c', started.executionId, {
      AIAgentDefinition__c: agentId,
    });
    const outcome = await harness.turnHandler.handle(job, signal());
    expect(outcome.status).toBe('refused');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps[0]).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'PermissionDenied' });
    expect(String(steps[0]!.Content__c)).toMatch(/not active/);
  });

  it('refuses a user without Loom_User even when the event reaches the worker', async () => {
    const nobodyId = emulator.org.userByUsername(USERS.nobody)!.id;
    const session = {
      id: systemCreate('InteractionSession__c', {
        AIAgentDefinition__c: harness.agentId,
        ParticipantUser__c: nobodyId,
        OwnerId: nobodyId,
      }),
    };
    const execution = {
      id: systemCreate('AgentExecution__c', {
        AIAgentDefinition__c: harness.agentId,
        RequestingUser__c: nobodyId,
        CurrentTurnIdentifier__c: 't-nobody',
        InteractionSession__c: session.id,
        OwnerId: nobodyId,
      }),
    };
    const message = {
      id: systemCreate('InteractionMessage__c', {
        InteractionSession__c: session.id,
        AgentExecution__c: execution.id,
        Content__c: 'open applications',
        Direction__c: 'Inbound',
        TurnIdentifier__c: 't-nobody',
      }),
    };
    const outcome = await harness.turnHandler.handle(
      {
        kind: 'turn',
        eventUuid: 'evt-nobody',
        replayId: 9,
        channel: '/event/AgentTurnRequest__e',
        receivedAt: new Date().toISOString(),
        event: {
          AgentExecutionId__c: execution.id,
          InteractionMessageId__c: message.id,
          TurnIdentifier__c: 't-nobody',
          CreatedById: nobodyId,
          CreatedDate: new Date().toISOString(),
        },
      },
      signal(),
    );
    expect(outcome.status).toBe('refused');
    expect(String((await stepsOf(harness, execution.id))[0]?.Content__c)).toMatch(/Loom_User/);
  });

  it('runs a turn published by a configured trusted service publisher, still as the execution owner', async () => {
    const script: ScriptedScript = { rules: [{ when: {}, respond: { text: 'hello' } }] };
    const adminId = emulator.org.userByUsername(USERS.admin)!.id;
    const officerId = emulator.org.userByUsername(USERS.officer)!.id;
    const asPublisher = (job: Awaited<ReturnType<typeof runTurn>>['job']) => ({
      ...job,
      event: { ...job.event, CreatedById: adminId },
    });

    // Not trusted: the admin publishing a turn on the officer's conversation is a security event.
    const untrusted = await runTurn(USERS.officer, harness.agentId, 'hi', script);
    expect((await harness.turnHandler.handle(asPublisher(untrusted.job), signal())).status).toBe('refused');
    expect((await stepsOf(harness, untrusted.started.executionId))[0]).toMatchObject({
      StepType__c: 'Error',
      ErrorCategory__c: 'SecurityViolation',
    });

    // Trusted: the turn runs, and every request it makes for the user's data uses the officer's token, not the admin's.
    const trustedHarness = await createHarness(emulator, { script, runtime: { trustedPublishers: [adminId] } });
    const { started, job } = await runTurn(USERS.officer, harness.agentId, 'hi');
    provider = trustedHarness.provider;
    const from = emulator.admin.requestLog().at(-1)?.seq ?? 0;
    expect((await trustedHarness.turnHandler.handle(asPublisher(job), signal())).status).toBe('completed');
    expect(await answersOf(harness, started.executionId)).toEqual(['hello']);
    const users = new Set(
      emulator.admin
        .requestLog()
        .filter((entry) => entry.seq > from && entry.turn === started.turnId)
        .map((entry) => entry.userId),
    );
    expect(users.has(officerId)).toBe(true);
    expect(users.has(adminId)).toBe(false);
  });

  it('stops a stale turn without writing over the newer one', async () => {
    provider = harness.provider;
    const first = await harness.turn(USERS.officer, 'Hello');
    await harness.turnHandler.handle(first.job, signal());
    const second = await harness.turn(USERS.officer, 'Hello again', {
      executionId: first.started.executionId,
      sessionId: first.started.sessionId,
    });
    const third = await harness.turn(USERS.officer, 'And once more', {
      executionId: first.started.executionId,
      sessionId: first.started.sessionId,
    });
    expect((await harness.turnHandler.handle(second.job, signal())).status).toBe('stale');
    expect(
      (await stepsOf(harness, first.started.executionId)).filter(
        (step) => step.TurnIdentifier__c === second.started.turnId,
      ),
    ).toHaveLength(0);
    expect((await harness.turnHandler.handle(third.job, signal())).status).toBe('completed');
    // The newest turn saw the first turn's history.
    const lastRequest = harness.provider.requests.at(-1) as CompletionRequest;
    expect(lastRequest.messages.filter((message) => message.role === 'user').map((message) => message.content)).toEqual(
      ['Hello', 'And once more'],
    );
  });

  it('keeps the audit of a turn overtaken mid-turn by a newer one, but not its answer or status', async () => {
    const first = await harness.turn(USERS.officer, 'Hello');
    await harness.turnHandler.handle(first.job, signal());
    const ids = { executionId: first.started.executionId, sessionId: first.started.sessionId };
    const slow = await harness.turn(USERS.officer, 'A slow question', ids);
    let newer: Awaited<ReturnType<Harness['turn']>> | undefined;
    // The user sends another message while the model is still answering the slow one.
    provider = {
      name: 'overtaken',
      complete: async (request) => {
        newer = await harness.turn(USERS.officer, 'Never mind, something else', ids);
        return harness.provider.complete(request);
      },
    } as LlmProvider;
    expect((await harness.turnHandler.handle(slow.job, signal())).status).toBe('stale');
    provider = harness.provider;

    const steps = (await stepsOf(harness, ids.executionId)).filter(
      (step) => step.TurnIdentifier__c === slow.started.turnId,
    );
    expect(steps.map((step) => step.StepType__c)).toEqual(
      expect.arrayContaining(['UserInput', 'LLMRequest', 'LLMResponse', 'AgentResponse']),
    );
    const { records: decisions } = await harness
      .clientFor(USERS.admin)
      .query<{ Title__c: string }>(
        `SELECT Title__c FROM AgentDecisionStep__c WHERE AgentExecution__c = '${ids.executionId}' AND TurnIdentifier__c = '${slow.started.turnId}'`,
      );
    expect(decisions.map((decision) => decision.Title__c)).toContain('Superseded by a newer turn');
    // Neither the slow turn's answer nor its Completed status reached the conversation the newer turn now owns.
    expect(await answersOf(harness, ids.executionId)).toHaveLength(1);
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ CurrentTurnIdentifier__c: string; StepCount__c: number }>(
        `SELECT CurrentTurnIdentifier__c, StepCount__c FROM AgentExecution__c WHERE Id = '${ids.executionId}'`,
      );
    expect(records[0]?.CurrentTurnIdentifier__c).toBe(newer?.started.turnId);
    // StepCount__c is a roll-up: it counts the stale turn's audit rows too, though that turn wrote no bookkeeping.
    const stepCountBefore = records[0]?.StepCount__c;
    expect(stepCountBefore).toBe((await stepsOf(harness, ids.executionId)).length);

    expect((await harness.turnHandler.handle(newer!.job, signal())).status).toBe('completed');
    expect(await answersOf(harness, ids.executionId)).toHaveLength(2);
    const { records: after } = await harness
      .clientFor(USERS.admin)
      .query<{ ExecutionStatus__c: string; StepCount__c: number }>(
        `SELECT ExecutionStatus__c, StepCount__c FROM AgentExecution__c WHERE Id = '${ids.executionId}'`,
      );
    expect(after[0]?.ExecutionStatus__c).toBe('Completed');
    expect(after[0]?.StepCount__c).toBeGreaterThan(stepCountBefore ?? 0);
    expect(after[0]?.StepCount__c).toBe((await stepsOf(harness, ids.executionId)).length);
  });

  it('stops a long turn between model steps once a newer turn exists', async () => {
    const quick = await createHarness(emulator, { runtime: { staleCheckMs: 0, provider: () => provider } });
    const agentId = await createAgent('Looper', { capabilities: [READ_APPS] });
    const { records: apps } = await quick
      .clientFor(USERS.officer)
      .query<{ Id: string }>('SELECT Id FROM Loan_Application__c LIMIT 1');
    const call = { toolCalls: [{ name: 'get_application', arguments: { recordIds: [apps[0]?.Id] } }] };
    const { started, job } = await runTurn(USERS.officer, agentId, 'Read it twice', {
      rules: [{ when: {}, respond: call }],
    });
    let calls = 0;
    const scripted = provider;
    provider = {
      name: 'looping',
      complete: async (request) => {
        calls += 1;
        // After the first model step, the user starts a newer turn on the same conversation.
        if (calls === 1)
          // Recorded the way /v1/turns records a turn (Apex refuses a new turn while one is Processing).
          await recordTurn(quick.clientFor(USERS.officer), {
            agentId,
            message: 'Stop, new question',
            executionId: started.executionId,
            sessionId: started.sessionId,
          });
        return scripted.complete(request);
      },
    } as LlmProvider;
    expect((await quick.turnHandler.handle(job, signal())).status).toBe('stale');
    expect(calls).toBe(1);
    const steps = (await stepsOf(quick, started.executionId)).filter(
      (step) => step.TurnIdentifier__c === started.turnId,
    );
    expect(steps.filter((step) => step.StepType__c === 'LLMRequest')).toHaveLength(1);
    expect(steps.some((step) => step.StepType__c === 'ToolResult')).toBe(true);
  });

  it('stops when the token budget is spent', async () => {
    const agentId = await createAgent('Frugal', { tokenBudget: 5 });
    const { started, job } = await runTurn(USERS.officer, agentId, 'Tell me everything', {
      rules: [{ when: {}, respond: { text: 'A long answer', usage: { promptTokens: 40, completionTokens: 10 } } }],
    });
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('failed');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.at(-1)).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'TokenBudgetExceeded' });
    expect(await answersOf(harness, started.executionId)).toEqual([expect.stringMatching(/token budget/)]);
  });

  it('rides out a provider 429 (real OpenAI wire format) and succeeds', async () => {
    provider = createProvider({
      adapter: 'openai',
      baseUrl: fakeOpenAi.url,
      apiKey: 'sk-test',
      logger: silentLogger(),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    fakeOpenAi.enqueue(
      openAiError(429, 'Rate limit reached', 'rate_limit_error', 'rate_limit_exceeded', { 'retry-after-ms': '5' }),
      openAiCompletion({ text: 'Here you go.' }),
    );
    const { started, job } = await harness.turn(USERS.officer, 'Hello?');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    expect(await answersOf(harness, started.executionId)).toEqual(['Here you go.']);
    const authHeaders = fakeOpenAi.requests.map((request) => request.headers.authorization);
    expect(authHeaders.slice(-2)).toEqual(['Bearer sk-test', 'Bearer sk-test']);
  });

  it('a job stopped mid-turn is retried without duplicate steps and with one final answer', async () => {
    const scripted = new ScriptedProvider({
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              {
                name: 'query_applications',
                arguments: { query: "SELECT Name FROM Loan_Application__c WHERE Status__c = 'Open'" },
              },
            ],
          },
        },
        { when: {}, respond: { text: 'There are {{lastToolResult.totalSize}}.' } },
      ],
    });
    const shutdown = new AbortController();
    let calls = 0;
    provider = {
      name: 'interrupted',
      async complete(request) {
        calls += 1;
        // The worker is told to stop while the model is thinking about the tool result (second call of the turn).
        if (calls === 2) shutdown.abort();
        return scripted.complete(request);
      },
    };
    const { started, job } = await harness.turn(USERS.officer, 'How many open applications?');
    await expect(harness.turnHandler.handle(job, shutdown.signal)).rejects.toThrow(/retried/);
    expect(await stepsOf(harness, started.executionId)).toHaveLength(0);
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('duplicate');
    const steps = await stepsOf(harness, started.executionId);
    expect(new Set(steps.map((step) => step.StepKey__c)).size).toBe(steps.length);
    expect(steps.filter((step) => step.StepType__c === 'AgentResponse')).toHaveLength(1);
    expect(await answersOf(harness, started.executionId)).toEqual(['There are 2.']);
  });
  it('runs tools under a service identity only when the agent and the worker both opt in, and records it', async () => {
    const admin = harness.clientFor(USERS.admin);
    const agentId = await createAgent('Service_Reader', { capabilities: [READ_APPS] });
    await admin.update('AIAgentDefinition__c', agentId, { ServiceIdentityUsername__c: USERS.underwriter });
    const app1 = await appId('HL-1001');
    const script: ScriptedScript = {
      rules: [
        {
          when: { turnStep: 0 },
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1] } }] },
        },
        { when: {}, respond: { text: 'tier {{lastToolResult.records.0.Risk_Tier__c}}' } },
      ],
    };
    // This worker does not allow it: the turn is refused, nothing runs as the service user.
    const refused = await runTurn(USERS.officer, agentId, 'Tier of HL-1001?', script);
    expect((await harness.turnHandler.handle(refused.job, signal())).status).toBe('refused');
    expect((await stepsOf(harness, refused.started.executionId))[0]).toMatchObject({
      ErrorCategory__c: 'ServiceIdentityNotAllowed',
    });

    const serviceHarness = await createHarness(emulator, {
      script,
      runtime: { serviceIdentities: { Service_Reader: USERS.underwriter } },
    });
    const { started, job } = await runTurn(USERS.officer, agentId, 'Tier of HL-1001?');
    provider = serviceHarness.provider;
    expect((await serviceHarness.turnHandler.handle(job, signal())).status).toBe('completed');
    const { records } = await admin.query<Record<string, unknown>>(
      `SELECT StepType__c, ExecutionIdentity__c FROM ExecutionStep__c WHERE AgentExecution__c = '${started.executionId}' AND StepType__c = 'ToolResult'`,
    );
    expect(records).toEqual([expect.objectContaining({ ExecutionIdentity__c: `service:${USERS.underwriter}` })]);
    expect(await answersOf(harness, started.executionId)).toEqual(['tier B']);
  });
});
