/**
 * Hostile input: malformed model responses (invalid JSON arguments, unknown tools, huge arguments, hundreds of tool
 * calls), messages with control characters, lone surrogates and maximum size, and fuzzed event payloads through a real
 * embedded worker. Each gets a clear error step or dead-letter entry, the worker keeps running, and nothing is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { LENDING_SCRIPT } from '../../src/dev/lending-agent.ts';
import { silentLogger } from '../../src/logger.ts';
import type { JobHandler } from '../../src/runtime/jobs.ts';
import { recordTurn, startTurn } from '../../src/runtime/start-turn.ts';
import { createWorkerRuntime } from '../../src/worker/runtime.ts';
import { startAbuseKit, USERS, type AbuseKit } from '../support/chaos/abuse-kit.ts';
import { answersOf } from '../support/runtime.ts';

let kit: AbuseKit;
beforeAll(async () => {
  kit = await startAbuseKit();
});
afterAll(async () => {
  await kit?.close();
});

async function answered(executionId: string): Promise<string> {
  const answers = await answersOf(kit.harness, executionId);
  expect(answers).toHaveLength(1);
  return answers[0] as string;
}

describe('malformed model responses', () => {
  it('invalid JSON arguments, an unknown tool and a huge argument object each become a refused tool result', async () => {
    kit.useScript({
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              { name: 'query_applications', arguments: '{"query": "SELECT Name FROM' },
              { name: 'drop_database', arguments: { everything: true } },
              {
                name: 'get_application',
                arguments: {
                  recordIds: Array.from({ length: 500 }, (_, i) => `a0${String(i).padStart(13, '0')}`),
                  blob: 'x'.repeat(20_000),
                },
              },
            ],
          },
        },
        { when: {}, respond: { text: 'I could not do that.' } },
      ],
    });
    const { executionId, outcome } = await kit.run(USERS.officer, kit.harness.agentId, 'Do something odd');
    expect(outcome.status).toBe('completed');
    const results = (await kit.steps(executionId)).filter((step) => step.StepType__c === 'ToolResult');
    expect(results.map((step) => step.ErrorCategory__c)).toEqual([
      'InvalidArguments',
      'UnknownTool',
      'InvalidArguments',
    ]);
    expect(results.every((step) => step.IsError__c === true)).toBe(true);
    expect(await answered(executionId)).toBe('I could not do that.');
  });

  it('a response too large for the turn budget stops the turn with a recorded budget error and one answer', async () => {
    kit.useScript({
      rules: [
        {
          when: { turnStep: 0 },
          respond: {
            toolCalls: [
              { name: 'get_application', arguments: { recordIds: ['a00000000000001'], blob: 'y'.repeat(2_000_000) } },
            ],
          },
        },
        { when: {}, respond: { text: 'unreachable' } },
      ],
    });
    const { executionId, outcome } = await kit.run(USERS.officer, kit.harness.agentId, 'Huge');
    expect(outcome.status).toBe('failed');
    expect((await kit.steps(executionId)).some((step) => step.ErrorCategory__c === 'TokenBudgetExceeded')).toBe(true);
    expect(await answered(executionId)).toMatch(/token budget/);
  });

  it('hundreds of tool calls in one response are each answered and audited, and the turn still ends once', async () => {
    const calls = Array.from({ length: 300 }, (_, i) => ({
      name: i % 2 ? 'nonexistent_tool' : 'get_application',
      arguments: i % 2 ? {} : { recordIds: [] },
    }));
    kit.useScript({
      rules: [
        { when: { turnStep: 0 }, respond: { toolCalls: calls } },
        { when: {}, respond: { text: 'Finished.' } },
      ],
    });
    const { executionId, outcome } = await kit.run(USERS.officer, kit.harness.agentId, 'Go wild');
    expect(outcome.status).toBe('completed');
    const steps = await kit.steps(executionId);
    expect(steps.filter((step) => step.StepType__c === 'ToolCall')).toHaveLength(300);
    expect(steps.filter((step) => step.StepType__c === 'ToolResult' && step.IsError__c === true)).toHaveLength(300);
    expect(new Set(steps.map((step) => step.StepKey__c)).size).toBe(steps.length);
    expect(steps.filter((step) => step.StepType__c === 'AgentResponse')).toHaveLength(1);
  });

  it('a model that returns nothing usable fails the turn with a recorded error, and the next turn works', async () => {
    kit.useScript({
      rules: [{ when: {}, respond: { error: { category: 'MalformedResponse', message: 'choices[0] missing' } } }],
    });
    const broken = await kit.run(USERS.officer, kit.harness.agentId, 'Hello');
    expect(broken.outcome.status).toBe('failed');
    expect(
      (await kit.steps(broken.executionId)).some(
        (step) => step.StepType__c === 'Error' && step.ErrorCategory__c === 'MalformedResponse',
      ),
    ).toBe(true);
    kit.useScript(LENDING_SCRIPT);
    const next = await kit.run(USERS.officer, kit.harness.agentId, 'Which open applications do we have?');
    expect(next.outcome.status).toBe('completed');
  });
});

describe('hostile messages', () => {
  it('control characters, bidi overrides, lone surrogates and a maximum-size message are audited, not crashed on', async () => {
    kit.useScript({ rules: [{ when: {}, respond: { text: 'Noted.' } }] });
    const messages = [
      'nul\u0000 bell\u0007 esc\u001b[31m red \u202eevil\u202c zero\u200bwidth',
      `lone surrogates \ud800 and \udfff mixed with 😀`,
      'A'.repeat(131_072),
    ];
    for (const message of messages) {
      const { executionId, outcome } = await kit.run(USERS.officer, kit.harness.agentId, message);
      expect(['completed', 'failed']).toContain(outcome.status);
      const steps = await kit.steps(executionId);
      expect(steps[0]?.StepType__c, message.slice(0, 20)).toBe('UserInput');
      expect(await answered(executionId)).toBeTruthy();
    }
  });

  it('raw bytes that are not UTF-8 are refused by the org with JSON_PARSER_ERROR, and nothing is stored or published', async () => {
    const session = await kit.harness.pool.session(USERS.officer);
    const before = kit.emulator.admin.records('AgentExecution__c').length;
    const body = Buffer.concat([
      Buffer.from('{"ExecutionStatus__c":"Processing","LastError__c":"bad '),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const response = await fetch(`${session.instanceUrl}/services/data/v62.0/sobjects/AgentExecution__c`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual([
      expect.objectContaining({ errorCode: 'JSON_PARSER_ERROR', message: expect.stringMatching(/UTF-8/) }),
    ]);
    expect(kit.emulator.admin.records('AgentExecution__c')).toHaveLength(before);
  });

  it('refuses an oversized or empty message before anything is published', async () => {
    const client = kit.harness.clientFor(USERS.officer);
    await expect(startTurn(client, { agentId: kit.harness.agentId, message: 'A'.repeat(131_073) })).rejects.toThrow(
      /longer than/,
    );
    await expect(startTurn(client, { agentId: kit.harness.agentId, message: ' \n\t' })).rejects.toThrow(/required/);
    const before = kit.emulator.admin.records('InteractionMessage__c').length;
    await expect(
      recordTurn(client, { agentId: kit.harness.agentId, message: 'hi', turnId: 't'.repeat(65) }),
    ).rejects.toThrow(/turnId must be 1 to 64/);
    expect(kit.emulator.admin.records('InteractionMessage__c')).toHaveLength(before);
  });
});

describe('fuzzed event payloads through a running worker', () => {
  it('each published event ends handled or dead-lettered, and a valid turn afterwards still completes', async () => {
    const seed = 20_240_601;
    const stateDir = mkdtempSync(join(tmpdir(), 'loom-abuse-'));
    const handled = new Set<string>();
    const handler: JobHandler = {
      async handle(job, signal) {
        const outcome = await kit.harness.turnHandler.handle(job, signal);
        if (job.kind !== 'sweep') handled.add(job.eventUuid);
        return outcome;
      },
    };
    const runtime = createWorkerRuntime({
      config: loadConfig({ LOOM_STATE_DIR: stateDir, SF_API_VERSION: '62.0', LOOM_CONCURRENCY: '4' }),
      logger: silentLogger(),
      handler,
      session: async ({ refresh }) => kit.harness.pool.session(USERS.worker, { forceRefresh: refresh }),
      tuning: {
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
        fayeRetrySeconds: 0.2,
        restartBaseMs: 50,
        shutdownGraceMs: 1_000,
      },
    });
    const publisherAccess = kit.emulator.org.systemAccess(kit.userId(USERS.officer));
    const ids = fc.oneof(
      fc.constant('a01EM0000000001YAA'),
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^[A-Za-z0-9]{18}$/),
      fc.constant(''),
    );
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 50 }),
      fc.constant('\u0000\u202e\ud800'),
    );
    const payloads = fc.sample(
      fc.record(
        {
          AgentExecutionId__c: ids,
          InteractionMessageId__c: fc.option(ids, { nil: undefined }),
          TurnIdentifier__c: fc.option(text, { nil: undefined }),
        },
        { requiredKeys: [] },
      ),
      { seed, numRuns: 25 },
    );
    try {
      await runtime.start();
      const published: string[] = [];
      for (const payload of payloads) {
        const body = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
        try {
          // Published as Apex would as the officer (users cannot publish it over REST): what the worker must survive.
          const { eventUuid } = kit.emulator.org.create(publisherAccess, 'AgentTurnRequest__e', body);
          if (eventUuid) published.push(eventUuid);
        } catch {
          // The org itself refused the payload (field too long, wrong type): never delivered, nothing to account for.
        }
      }
      const valid = await startTurn(kit.harness.clientFor(USERS.officer), {
        agentId: kit.harness.agentId,
        message: 'Which open applications do we have?',
      });
      kit.useScript(LENDING_SCRIPT);
      const deadline = Date.now() + 30_000;
      const accounted = async (): Promise<string[]> => {
        const dead = new Set((await runtime.deadLetter().list(1_000)).map((entry) => entry.eventUuid));
        return published.filter((uuid) => !handled.has(uuid) && !dead.has(uuid));
      };
      while ((await accounted()).length > 0 || (await answersOf(kit.harness, valid.executionId)).length === 0) {
        if (Date.now() > deadline)
          throw new Error(`seed ${seed}: unaccounted events ${JSON.stringify(await accounted())}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(published.length, `seed ${seed}`).toBeGreaterThan(5);
      expect(await answersOf(kit.harness, valid.executionId)).toEqual([expect.stringMatching(/found \d+ matching/)]);
    } finally {
      await runtime.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
