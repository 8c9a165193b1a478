/** The chaos agent: every turn creates one Task (a side effect) named after the user message, then answers. */
import { LENDING_SCRIPT } from '../../../src/dev/lending-agent.ts';
import type { ScriptedScript } from '../../../src/llm/script-schema.ts';

export const CHAOS_AGENT = {
  Name: 'Chaos Agent',
  DeveloperName__c: 'Chaos_Agent',
  IdentityPrompt__c: 'You log follow-up tasks.',
  PIIMaskingMode__c: 'Hybrid',
  PromptSafetyMode__c: 'Block',
  MaxStepsPerTurn__c: 4,
  TokenBudgetPerTurn__c: 50_000,
  HistoryTurnLimit__c: 2,
  IsActive__c: true,
};

export const CHAOS_CAPABILITY = {
  CapabilityName__c: 'log_task',
  Description__c: 'Create a follow-up task.',
  Parameters__c: JSON.stringify({ type: 'object', properties: { fields: { type: 'object' } }, required: ['fields'] }),
  ImplementationType__c: 'Standard',
  StandardActionType__c: 'CreateRecord',
  BackendConfiguration__c: JSON.stringify({ object: 'Task' }),
  ExposureLevel__c: 'External',
  IsActive__c: true,
};

/** Chaos turns ("chaos task N") create a Task whose subject is the message; other turns follow the lending script. */
export const CHAOS_SCRIPT: ScriptedScript = {
  name: 'chaos',
  rules: [
    {
      when: { lastUserMessage: '^chaos task', turnStep: 0 },
      respond: { toolCalls: [{ name: 'log_task', arguments: { fields: { Subject: '{{lastUserMessage}}' } } }] },
    },
    {
      when: { lastUserMessage: '^chaos task', lastToolResult: { tool: 'log_task', contains: 'savedFields' } },
      respond: { text: 'Logged task {{lastToolResult.id}}.' },
    },
    { when: { lastUserMessage: '^chaos task' }, respond: { text: 'The task could not be logged.' } },
    ...LENDING_SCRIPT.rules,
  ],
};
