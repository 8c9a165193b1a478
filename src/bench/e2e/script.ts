import type { ScriptedScript } from '../../llm/script-schema.ts';

/** The message of a benchmark turn: the scenario picks the script rule; the marker ties model requests to the turn. */
export type Scenario = 'tools0' | 'tools1' | 'tools3' | 'hold';
export const benchMessage = (scenario: Scenario, marker: string): string => `bench ${scenario} please #${marker}`;

const QUERIES = [
  "SELECT Name, Amount__c, Status__c FROM Loan_Application__c WHERE Status__c = 'Open' ORDER BY Amount__c DESC",
  "SELECT Name, Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
  'SELECT Name, Status__c, Description__c FROM Loan_Application__c ORDER BY Name LIMIT 5',
];

/** Scripted answers for the sample lending agent: 0, 1 or 3 governed SOQL calls, or an update held for approval. */
export const BENCH_SCRIPT: ScriptedScript = {
  name: 'loom-bench',
  model: 'scripted-bench',
  rules: [
    { id: 'tools0', when: { lastUserMessage: 'bench tools0' }, respond: { text: 'Hello from the lending desk.' } },
    ...QUERIES.map((query, step) => ({
      id: `tools3-${step}`,
      when: { lastUserMessage: 'bench tools3', turnStep: step },
      respond: { toolCalls: [{ name: 'query_applications', arguments: { query } }] },
    })),
    { id: 'tools3-answer', when: { lastUserMessage: 'bench tools3' }, respond: { text: 'Three queries answered.' } },
    {
      id: 'tools1',
      when: { lastUserMessage: 'bench tools1', turnStep: 0 },
      respond: { toolCalls: [{ name: 'query_applications', arguments: { query: QUERIES[0] } }] },
    },
    {
      id: 'tools1-answer',
      when: { lastUserMessage: 'bench tools1' },
      respond: { text: 'I found {{lastToolResult.totalSize}} application(s).' },
    },
    {
      id: 'hold',
      when: { lastUserMessage: 'bench hold', turnStep: 0 },
      respond: {
        toolCalls: [
          { name: 'update_application', arguments: { recordId: 'a0B000000000001AAA', fields: { Amount__c: 27500 } } },
        ],
      },
    },
    {
      id: 'hold-answer',
      when: { lastUserMessage: 'bench hold' },
      respond: { text: 'The change is waiting for a loan approver.' },
    },
  ],
};
