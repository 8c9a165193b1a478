import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { answersOf, createHarness, stepsOf, USERS, type Harness } from '../support/runtime.ts';

let emulator: EmulatorHandle;
let harness: Harness;

beforeAll(async () => {
  emulator = await startTestEmulator();
  harness = await createHarness(emulator);
});
afterAll(async () => {
  await emulator.close();
});

describe('governed turn end to end', () => {
  it('answers a governed text-to-SOQL question as the officer and writes the audit trail', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'Which open applications do we have?');
    const outcome = await harness.turnHandler.handle(job, new AbortController().signal);
    expect(outcome.status).toBe('completed');
    const steps = await stepsOf(harness, started.executionId);
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
    const answer = String(steps.at(-1)?.Content__c);
    // The officer owns app1 and app3 among the open ones; the largest is HL-1003's application at 150000.
    expect(answer).toMatch(/found 2 matching/);
    expect(answer).toContain('150000');
  });

  it('refuses the risk tier for the officer and tells the model why', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'What is the risk tier of HL-1001?');
    await harness.turnHandler.handle(job, new AbortController().signal);
    const steps = await stepsOf(harness, started.executionId);
    const result = steps.find((step) => step.StepType__c === 'ToolResult');
    expect(result?.IsError__c).toBe(true);
    expect(String(result?.ToolResult__c)).toMatch(/Risk_Tier__c/);
    expect(String(steps.at(-1)?.Content__c)).toMatch(/access does not include/);
  });

  it('answers the risk tier for the underwriter', async () => {
    const { started, job } = await harness.turn(USERS.underwriter, 'What is the risk tier of HL-1001?');
    await harness.turnHandler.handle(job, new AbortController().signal);
    // The model saw a token for the Confidential field; the underwriter is shown the real value.
    const steps = await stepsOf(harness, started.executionId);
    expect(String(steps.at(-1)?.Content__c)).toMatch(/risk tier \[RISK_TIER:\d+\]/);
    expect(await answersOf(harness, started.executionId)).toEqual([expect.stringMatching(/risk tier B\./)]);
    expect(JSON.stringify(harness.provider.requests)).not.toMatch(/"Risk_Tier__c":"B"/);
  });

  it('does not run a redelivered turn twice', async () => {
    const { started, job } = await harness.turn(USERS.officer, 'Which open applications do we have?');
    await harness.turnHandler.handle(job, new AbortController().signal);
    const again = await harness.turnHandler.handle(job, new AbortController().signal);
    expect(again.status).toBe('duplicate');
    const steps = await stepsOf(harness, started.executionId);
    expect(steps.filter((step) => step.StepType__c === 'AgentResponse')).toHaveLength(1);
  });
});
