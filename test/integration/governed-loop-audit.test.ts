/**
 * The governed loop's audit trail and identity, read back from the emulator the way an auditor or a Flow would:
 * the steps of a tool turn in order with their keys, arguments, rationale, tokens and cost; the storyboard lines; the
 * execution totals; the AgentTurnResult__e event; the API calls a turn costs. Also: tools are offered per the user's own
 * CRUD, agent configuration is reloaded when it changes, and a user's revoked session is replaced by a new JWT login.
 */
import type { Client as FayeClient } from 'faye';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import type { CompletionRequest, LlmProvider } from '../../src/llm/types.ts';
import { writeTurn } from '../../src/runtime/audit-writer.ts';
import { recordTurn } from '../../src/runtime/start-turn.ts';
import type { TurnJob } from '../../src/runtime/jobs.ts';
import { jsforceConnection, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';
import { answersOf, createAgent, createHarness, READ_APPLICATIONS, USERS, type Harness } from '../support/runtime.ts';
import { until } from '../unit/emulator/streaming/harness.ts';

let emulator: EmulatorHandle;
let harness: Harness;
let provider: LlmProvider;
const signal = () => new AbortController().signal;

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator, { runtime: { provider: () => provider } });
  provider = harness.provider;
});
afterAll(async () => {
  await emulator.close();
});

const CREATE_CASE = {
  CapabilityName__c: 'create_case',
  Description__c: 'Open a support case.',
  Parameters__c: JSON.stringify({ type: 'object', properties: { fields: { type: 'object' } }, required: ['fields'] }),
  StandardActionType__c: 'CreateRecord',
  BackendConfiguration__c: JSON.stringify({ object: 'Case' }),
};

/** An agent with tool reasoning on and the given tools, created as the admin. */
const createReasoningAgent = (
  name: string,
  capabilities: Array<Record<string, unknown>>,
  maxSteps = 5,
): Promise<string> =>
  createAgent(harness, name, capabilities, {
    IdentityPrompt__c: 'You are the first prompt.',
    EnableToolReasoning__c: true,
    MaxStepsPerTurn__c: maxSteps,
    TokenBudgetPerTurn__c: 20_000,
  });

async function turnJob(
  username: string,
  agentId: string,
  message: string,
  conversation: { executionId: string; sessionId: string } | Record<string, never> = {},
): Promise<{ executionId: string; sessionId: string; turnId: string; job: TurnJob }> {
  const { started, job } = await harness.turn(username, message, { agentId, ...conversation });
  return { executionId: started.executionId, sessionId: started.sessionId, turnId: started.turnId, job };
}

const toolNames = (request: CompletionRequest | undefined): string[] =>
  (request?.tools ?? []).map((tool) => tool.name).sort();

async function appId(ref: string): Promise<string> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Id: string }>(`SELECT Id FROM Loan_Application__c WHERE External_Ref__c = '${ref}'`);
  return records[0]!.Id;
}

describe('audit trail of a tool turn, read back from the org', () => {
  it('tells the whole story in order: keys, arguments without _rationale, rationale, tokens, cost, storyboard, totals, result event and API calls', async () => {
    const agentId = await createReasoningAgent('Storyteller', [READ_APPLICATIONS, CREATE_CASE]);
    const app1 = await appId('HL-1001');
    const rationale = 'The officer asked about HL-1001, so read that application.';
    const script: ScriptedScript = {
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1], _rationale: rationale } }],
          },
        },
        { when: {}, respond: { text: 'It is {{lastToolResult.records.0.Name}}.' } },
      ],
    };
    provider = new ScriptedProvider(script);
    const { executionId, turnId, job } = await turnJob(USERS.officer, agentId, 'Tell me about HL-1001');
    emulator.admin.clearRequestLog();
    const outcome = await harness.turnHandler.handle(job, signal());
    const log = emulator.admin.requestLog();
    expect(outcome.status).toBe('completed');

    // The model was told to explain each call, and saw only tools the officer may use (no Case access: no create_case).
    const request = (provider as ScriptedProvider).requests[0];
    expect(toolNames(request)).toEqual(['get_application']);
    expect(request?.tools?.[0]?.parameters).toMatchObject({
      required: expect.arrayContaining(['recordIds', '_rationale']),
    });

    const admin = harness.clientFor(USERS.admin);
    const { records: steps } = await admin.query<Record<string, unknown>>(
      `SELECT StepKey__c, Sequence__c, TurnIdentifier__c, Timestamp__c, StepType__c, StepRole__c, Content__c, ToolName__c, ToolCallId__c, ToolArguments__c, ToolResult__c, ToolRationale__c, ModelIdentifier__c, PromptTokens__c, CompletionTokens__c, TotalTokens__c, EstimatedCostUSD__c, DurationMs__c, IsError__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Sequence__c`,
    );
    expect(steps.map((step) => step.StepType__c)).toEqual([
      'UserInput',
      'LLMRequest',
      'LLMResponse',
      'ToolCall',
      'ToolResult',
      'LLMRequest',
      'LLMResponse',
      'AgentResponse',
    ]);
    const turnKey = String(steps[0]!.StepKey__c).slice(0, -5);
    expect(turnKey.startsWith(`${executionId}-`)).toBe(true);
    steps.forEach((step, index) => {
      expect(step).toMatchObject({ Sequence__c: index + 1, TurnIdentifier__c: turnId, IsError__c: false });
      // Deterministic key (execution, turn, sequence), so a retried job upserts the same rows.
      expect(step.StepKey__c).toBe(`${turnKey}-${String(index + 1).padStart(4, '0')}`);
      if (index > 0) expect(String(step.Timestamp__c) >= String(steps[index - 1]!.Timestamp__c)).toBe(true);
    });
    expect(steps[0]).toMatchObject({ StepRole__c: 'User', Content__c: 'Tell me about HL-1001' });

    const [call, result] = [steps[3]!, steps[4]!];
    expect(call).toMatchObject({ ToolName__c: 'get_application', ToolRationale__c: rationale });
    expect(JSON.parse(String(call.ToolArguments__c))).toEqual({ recordIds: [app1] });
    expect(result).toMatchObject({ ToolName__c: 'get_application', ToolCallId__c: call.ToolCallId__c });
    expect(String(result.ToolResult__c)).toContain('25000');
    const answer = steps[7]!;
    expect(String(answer.Content__c)).toMatch(/^It is /);

    const responses = steps.filter((step) => step.StepType__c === 'LLMResponse');
    for (const response of responses) {
      expect(response.ModelIdentifier__c).toBe('scripted-lending-1');
      expect(Number(response.TotalTokens__c)).toBe(
        Number(response.PromptTokens__c) + Number(response.CompletionTokens__c),
      );
      expect(Number(response.EstimatedCostUSD__c)).toBeGreaterThan(0);
      expect(Number(response.DurationMs__c)).toBeGreaterThanOrEqual(0);
    }

    // The storyboard: one line per decision, in order, with the rationale the user sees.
    const { records: lines } = await admin.query<Record<string, unknown>>(
      `SELECT Sequence__c, DecisionType__c, ToolName__c, ToolRationale__c, IsSuccess__c FROM AgentDecisionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Sequence__c`,
    );
    expect(lines.map((line) => line.DecisionType__c)).toEqual(['ToolCall', 'TextResponse']);
    expect(lines[0]).toMatchObject({ ToolName__c: 'get_application', ToolRationale__c: rationale, IsSuccess__c: true });

    // Execution totals are the sum of the steps.
    const sum = (field: string) => responses.reduce((total, step) => total + Number(step[field]), 0);
    const { records: executions } = await admin.query<Record<string, unknown>>(
      `SELECT ExecutionStatus__c, TotalTokens__c, TotalPromptTokens__c, TotalCompletionTokens__c, TotalCostUSD__c, StepCount__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
    );
    expect(executions[0]).toMatchObject({
      ExecutionStatus__c: 'Completed',
      TotalTokens__c: sum('TotalTokens__c'),
      TotalPromptTokens__c: sum('PromptTokens__c'),
      StepCount__c: steps.length,
    });
    expect(Number(executions[0]!.TotalCostUSD__c)).toBeCloseTo(sum('EstimatedCostUSD__c'), 5);
    expect(await answersOf(harness, executionId)).toEqual([String(answer.Content__c)]);

    // The whole audit is one /composite call, and the API calls the turn reports are the ones the org counted.
    const composite = log.filter(
      (entry) => entry.method === 'POST' && entry.path === `/services/data/v${TEST_API_VERSION}/composite`,
    );
    expect(composite).toHaveLength(1);
    expect(outcome.apiCalls).toBe(log.filter((entry) => entry.counted).length);

    // AgentTurnResult__e was published for Flows and Lightning pages, and the requester can receive it.
    const conn = await jsforceConnection(emulator, USERS.officer);
    const channel = '/event/AgentTurnResult__e';
    const received: Array<{ payload: Record<string, unknown> }> = [];
    const client = conn.streaming.createClient([
      new StreamingExtension.Replay(channel, -2),
    ] as never) as unknown as FayeClient;
    try {
      await client.subscribe(channel, (data: unknown) => received.push(data as { payload: Record<string, unknown> }));
      const mine = await until(
        () => received.find((event) => event.payload.AgentExecutionId__c === executionId),
        'the turn result event',
      );
      expect(mine.payload).toMatchObject({
        TurnIdentifier__c: turnId,
        Status__c: 'Completed',
        CreatedById: emulator.org.userByUsername(USERS.worker)!.id,
      });
    } finally {
      client.disconnect();
    }
  });

  it('offers a create tool only to a user who may create that object', async () => {
    const createApp = {
      ...CREATE_CASE,
      CapabilityName__c: 'create_application',
      BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
    };
    const agentId = await createReasoningAgent('App_Opener', [READ_APPLICATIONS, createApp]);
    provider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'ok' } }] });
    // The officer may create loan applications; the approver may only read them.
    for (const [username, expected] of [
      [USERS.officer, ['create_application', 'get_application']],
      [USERS.approver, ['get_application']],
    ] as const) {
      const { job } = await turnJob(username, agentId, 'hello');
      expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
      expect(toolNames((provider as ScriptedProvider).requests.at(-1))).toEqual(expected);
    }
  });

  it("shows the model, in the text-to-SOQL tool, exactly the schema the user's guard allows", async () => {
    provider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'ok' } }] });
    const schemaFor = async (username: string): Promise<string> => {
      const { job } = await harness.turn(username, 'hello');
      expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
      const tool = (provider as ScriptedProvider).requests
        .at(-1)
        ?.tools?.find((candidate) => candidate.name === 'query_applications');
      return String(tool?.description);
    };
    const officer = await schemaFor(USERS.officer);
    expect(officer).toMatch(/Schema available to this user for SOQL/);
    expect(officer).toMatch(/Loan_Application__c:\n\s+fields: .*Amount__c \(currency\)/);
    expect(officer).not.toMatch(/Risk_Tier__c|SSN__c|Birthdate/);
    const underwriter = await schemaFor(USERS.underwriter);
    expect(underwriter).toContain('Risk_Tier__c');
  });

  it('reloads the agent when its definition changes, without waiting for the cache to expire', async () => {
    const agentId = await createReasoningAgent('Editable', []);
    provider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'ok' } }] });
    const systemPrompt = () =>
      String(
        (provider as ScriptedProvider).requests.at(-1)?.messages.find((message) => message.role === 'system')?.content,
      );
    await harness.turnHandler.handle((await turnJob(USERS.officer, agentId, 'one')).job, signal());
    expect(systemPrompt()).toContain('You are the first prompt.');
    await harness
      .clientFor(USERS.admin)
      .update('AIAgentDefinition__c', agentId, { IdentityPrompt__c: 'You are the edited prompt.' });
    await harness.turnHandler.handle((await turnJob(USERS.officer, agentId, 'two')).job, signal());
    expect(systemPrompt()).toContain('You are the edited prompt.');
    expect(systemPrompt()).not.toContain('first prompt');
  });
});

describe('PII masking across the turn', () => {
  it('the model sees tokens only; the tool receives the real value; the audit keeps tokens; the user sees real values', async () => {
    const UPDATE_CONTACT = {
      CapabilityName__c: 'update_contact',
      Description__c: 'Update one contact.',
      Parameters__c: JSON.stringify({
        type: 'object',
        properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
        required: ['recordId', 'fields'],
      }),
      StandardActionType__c: 'UpdateRecord',
      BackendConfiguration__c: JSON.stringify({ object: 'Contact' }),
    };
    const agentId = await createReasoningAgent('Masked_Writer', [UPDATE_CONTACT]);
    const admin = harness.clientFor(USERS.admin);
    const contact = (await admin.query<{ Id: string }>("SELECT Id FROM Contact WHERE LastName = 'Alvarez'")).records[0]!
      .Id;
    const email = 'maria.new@example.com';
    provider = new ScriptedProvider({
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              {
                name: 'update_contact',
                arguments: { recordId: contact, fields: { Email: '[EMAIL:001]' }, _rationale: 'the user asked' },
              },
            ],
          },
        },
        { when: {}, respond: { text: 'Updated the email to [EMAIL:001].' } },
      ],
    });
    const { executionId, job } = await turnJob(
      USERS.officer,
      agentId,
      `Change Maria's email to ${email}; her SSN is 078-05-1120.`,
    );
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');

    const seen = JSON.stringify((provider as ScriptedProvider).requests);
    expect(seen).toContain('[EMAIL:001]');
    expect(seen).toContain('[SSN:001]');
    expect(seen).not.toContain(email);
    expect(seen).not.toContain('078-05-1120');
    expect(
      (await admin.query<{ Email: string }>(`SELECT Email FROM Contact WHERE Id = '${contact}'`)).records[0]?.Email,
    ).toBe(email);
    const { records: steps } = await admin.query<Record<string, unknown>>(
      `SELECT StepType__c, Content__c, ToolArguments__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Sequence__c`,
    );
    expect(JSON.stringify(steps)).not.toContain('078-05-1120');
    expect(String(steps.find((step) => step.StepType__c === 'ToolCall')?.ToolArguments__c)).toContain('[EMAIL:001]');
    expect(await answersOf(harness, executionId)).toEqual([`Updated the email to ${email}.`]);
  });
});

describe('tool flow graph in the loop', () => {
  const UPDATE_APP = {
    CapabilityName__c: 'update_application',
    Description__c: 'Update one loan application.',
    Parameters__c: JSON.stringify({
      type: 'object',
      properties: { recordId: { type: 'string' }, fields: { type: 'object' } },
      required: ['recordId', 'fields'],
    }),
    StandardActionType__c: 'UpdateRecord',
    BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c' }),
  };

  async function graphAgent(name: string, graph: unknown): Promise<string> {
    const agentId = await createReasoningAgent(name, [READ_APPLICATIONS, UPDATE_APP]);
    await harness
      .clientFor(USERS.admin)
      .update('AIAgentDefinition__c', agentId, { ToolFlowGraph__c: JSON.stringify(graph) });
    return agentId;
  }

  it('offers only what the graph allows now, refuses a skipped step to the model, and unlocks after success', async () => {
    const agentId = await graphAgent('Graph_Guided', {
      version: 1,
      entry: ['get_application'],
      edges: [{ type: 'sequential', from: ['get_application'], to: ['update_application'] }],
    });
    const app1 = await appId('HL-1002');
    provider = new ScriptedProvider({
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              {
                name: 'update_application',
                arguments: { recordId: app1, fields: { Status__c: 'Closed' }, _rationale: 'skip ahead' },
              },
            ],
          },
        },
        {
          when: { turnStep: 1 },
          respond: {
            toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1], _rationale: 'read first' } }],
          },
        },
        { when: {}, respond: { text: 'read it' } },
      ],
    });
    const { executionId, job } = await turnJob(USERS.officer, agentId, 'Close HL-1002');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    const requests = (provider as ScriptedProvider).requests;
    expect(requests.map(toolNames)).toEqual([
      ['get_application'],
      ['get_application'],
      ['get_application', 'update_application'],
    ]);
    const { records: results } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(
        `SELECT ToolName__c, IsError__c, ErrorCategory__c, ToolResult__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' AND StepType__c = 'ToolResult' ORDER BY Sequence__c`,
      );
    expect(results[0]).toMatchObject({
      ToolName__c: 'update_application',
      IsError__c: true,
      ErrorCategory__c: 'ToolNotAllowedNow',
    });
    expect(String(results[0]!.ToolResult__c)).toContain('get_application');
    expect(results[1]).toMatchObject({ ToolName__c: 'get_application', IsError__c: false });
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ Status__c: string }>(`SELECT Status__c FROM Loan_Application__c WHERE Id = '${app1}'`);
    expect(records[0]?.Status__c).toBe('In Review');
  });

  it('exposes no tools at all when the graph is malformed, and records why', async () => {
    const cyclic = {
      version: 1,
      entry: ['get_application'],
      edges: [
        { type: 'sequential', from: ['get_application'], to: ['update_application'] },
        { type: 'sequential', from: ['update_application'], to: ['get_application'] },
      ],
    };
    const agentId = await graphAgent('Graph_Broken', cyclic);
    provider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'no tools here' } }] });
    const { executionId, job } = await turnJob(USERS.officer, agentId, 'hello');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    expect((provider as ScriptedProvider).requests[0]?.tools ?? []).toEqual([]);
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(
        `SELECT Content__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' AND ErrorCategory__c = 'ToolGraphInvalid'`,
      );
    expect(records).toHaveLength(1);
    expect(String(records[0]!.Content__c)).toMatch(/no tools are offered.*cycle/i);
  });
});

describe('loop limits', () => {
  it("windows the conversation history by the agent's turn limit", async () => {
    const agentId = await createReasoningAgent('Short_Memory', []);
    await harness.clientFor(USERS.admin).update('AIAgentDefinition__c', agentId, { HistoryTurnLimit__c: 1 });
    provider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'noted' } }] });
    const first = await turnJob(USERS.officer, agentId, 'first question');
    await harness.turnHandler.handle(first.job, signal());
    const conversation = { executionId: first.executionId, sessionId: first.sessionId };
    for (const message of ['second question', 'third question']) {
      const next = await turnJob(USERS.officer, agentId, message, conversation);
      expect((await harness.turnHandler.handle(next.job, signal())).status).toBe('completed');
    }
    const messages = (provider as ScriptedProvider).requests.at(-1)!.messages;
    expect(messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      'second question',
      'third question',
    ]);
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual(['noted']);
  });

  it('stops at the step cap with an Error step and a plain answer, never an endless tool loop', async () => {
    const agentId = await createReasoningAgent('Looper', [READ_APPLICATIONS], 2);
    const app1 = await appId('HL-1001');
    provider = new ScriptedProvider({
      rules: [
        {
          when: {},
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1], _rationale: 'again' } }] },
        },
      ],
    });
    const { executionId, job } = await turnJob(USERS.officer, agentId, 'Loop forever');
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('failed');
    expect((provider as ScriptedProvider).requests).toHaveLength(2);
    const { records: steps } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(
        `SELECT StepType__c, ErrorCategory__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Sequence__c`,
      );
    expect(steps.filter((step) => step.StepType__c === 'ToolCall')).toHaveLength(2);
    expect(steps.at(-1)).toMatchObject({ StepType__c: 'Error', ErrorCategory__c: 'StepLimit' });
    expect(await answersOf(harness, executionId)).toEqual([expect.stringMatching(/allowed number of steps/)]);
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<Record<string, unknown>>(
        `SELECT ExecutionStatus__c, LastError__c FROM AgentExecution__c WHERE Id = '${executionId}'`,
      );
    expect(records[0]).toMatchObject({ ExecutionStatus__c: 'Failed', LastError__c: 'StepLimit' });
  });
});

describe('acting as the requesting user', () => {
  it('replaces a revoked user session with a new JWT login for that same user and finishes the turn', async () => {
    const agentId = await createReasoningAgent('Relogin', [READ_APPLICATIONS]);
    const app1 = await appId('HL-1001');
    provider = new ScriptedProvider({
      rules: [
        {
          when: { turnStep: 0 },
          respond: { toolCalls: [{ name: 'get_application', arguments: { recordIds: [app1], _rationale: 'asked' } }] },
        },
        { when: {}, respond: { text: 'It is {{lastToolResult.records.0.Name}}.' } },
      ],
    });
    const { executionId, job } = await turnJob(USERS.officer, agentId, 'HL-1001?');
    const loginsBefore = harness.pool.logins.get(USERS.officer) ?? 0;
    expect(emulator.admin.revokeTokens({ username: USERS.officer })).toBeGreaterThan(0);
    emulator.admin.clearRequestLog();
    expect((await harness.turnHandler.handle(job, signal())).status).toBe('completed');
    expect(harness.pool.logins.get(USERS.officer)).toBe(loginsBefore + 1);
    // The refused call came back as 401 and was replayed with the officer's new token, never with another user's.
    const officerId = emulator.org.userByUsername(USERS.officer)!.id;
    const log = emulator.admin.requestLog();
    expect(log.some((entry) => entry.status === 401)).toBe(true);
    const live = new Set(
      emulator.admin
        .tokens()
        .filter((token) => token.userId === officerId && !token.revoked)
        .map((token) => token.tokenId),
    );
    expect(
      log
        .filter((entry) => entry.userId === officerId && entry.status < 400)
        .every((entry) => entry.tokenId !== null && live.has(entry.tokenId)),
    ).toBe(true);
    expect((await answersOf(harness, executionId))[0]).toMatch(/^It is /);
  });
});

describe('the audit writer', () => {
  const stepRows = (executionId: string, turnId: string, count: number) =>
    Array.from({ length: count }, (_, index) => ({
      StepKey__c: `${executionId}-${turnId}-${index + 1}`,
      AgentExecution__c: executionId,
      TurnIdentifier__c: turnId,
      Sequence__c: index + 1,
      StepType__c: 'LLMRequest',
      StepRole__c: 'System',
      Content__c: `step ${index + 1}`,
    }));

  it('splits a large turn across composite calls and keeps the guarded bookkeeping in one call with its guard', async () => {
    const { started } = await harness.turn(USERS.officer, 'A very long turn');
    const steps = stepRows(started.executionId, started.turnId, 1_100);
    const written = await writeTurn(harness.integration, {
      steps,
      decisions: [],
      turnId: started.turnId,
      execution: { id: started.executionId, fields: { ExecutionStatus__c: 'Completed', TotalTokens__c: 4_321 } },
      result: { AgentExecutionId__c: started.executionId, TurnIdentifier__c: started.turnId, Status__c: 'Completed' },
    });
    // 6 collections of ≤200 rows plus the guard query exceed one call's 5 heavy subrequests: two calls, not one per row.
    expect(written).toEqual({ apiCalls: 2, superseded: false });
    // The guarded bookkeeping landed once, and the roll-up counts the rows of both calls.
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ StepCount__c: number; TotalTokens__c: number; ExecutionStatus__c: string }>(
        `SELECT StepCount__c, TotalTokens__c, ExecutionStatus__c FROM AgentExecution__c WHERE Id = '${started.executionId}'`,
      );
    expect(records[0]).toMatchObject({ StepCount__c: 1_100, TotalTokens__c: 4_321, ExecutionStatus__c: 'Completed' });
    const count = await harness
      .clientFor(USERS.admin)
      .query(`SELECT COUNT() FROM ExecutionStep__c WHERE AgentExecution__c = '${started.executionId}'`);
    expect(count.totalSize).toBe(1_100);
  });

  it('writes nothing of the bookkeeping for a superseded turn and says so', async () => {
    const { started } = await harness.turn(USERS.officer, 'First');
    // A newer turn recorded the way /v1/turns records one (Apex would refuse it while the first is Pending).
    await recordTurn(harness.clientFor(USERS.officer), {
      agentId: harness.agentId,
      message: 'Second',
      executionId: started.executionId,
      sessionId: started.sessionId,
    });
    const written = await writeTurn(harness.integration, {
      steps: stepRows(started.executionId, started.turnId, 3),
      decisions: [],
      turnId: started.turnId,
      execution: {
        id: started.executionId,
        fields: { ExecutionStatus__c: 'Completed', LastError__c: 'from the old turn' },
      },
      message: {
        MessageKey__c: `${started.executionId}-old-out`,
        AgentExecution__c: started.executionId,
        InteractionSession__c: started.sessionId,
        Direction__c: 'Outbound',
        Role__c: 'Assistant',
        Content__c: 'old answer',
        TurnIdentifier__c: started.turnId,
      },
    });
    expect(written.superseded).toBe(true);
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ LastError__c: string | null }>(
        `SELECT LastError__c FROM AgentExecution__c WHERE Id = '${started.executionId}'`,
      );
    expect(records[0]?.LastError__c ?? null).toBeNull();
    expect(await answersOf(harness, started.executionId)).toEqual([]);
    // The rows shared the rolled-back call: the caller writes them again with its own marker.
    const count = await harness
      .clientFor(USERS.admin)
      .query(`SELECT COUNT() FROM ExecutionStep__c WHERE AgentExecution__c = '${started.executionId}'`);
    expect(count.totalSize).toBe(0);
  });
});
