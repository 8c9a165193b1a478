/** Scripted-model rules shared by the HITL suites: each tagged case looks an application up, then calls its tool. */
import type { ScriptedScript } from '../../src/llm/script-schema.ts';

type Rule = ScriptedScript['rules'][number];
type Call = { name: string; arguments: Record<string, unknown> };

/**
 * For each tag: a user message containing it first queries the application `externalRef`, then, once that query
 * found exactly one record, makes the call `act` builds (arguments may use `{{lastToolResult.records.0.Id}}`).
 */
export function findThenAct<T>(cases: Record<string, T>, externalRef: string, act: (spec: T) => Call): Rule[] {
  return Object.entries(cases).flatMap(([tag, spec]) => [
    {
      id: `${tag}-find`,
      when: { lastUserMessage: `${tag}\\b`, turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: `SELECT Id, Name FROM Loan_Application__c WHERE External_Ref__c = '${externalRef}'` },
          },
        ],
      },
    },
    {
      id: `${tag}-act`,
      when: {
        lastUserMessage: `${tag}\\b`,
        lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' },
      },
      respond: { toolCalls: [act(spec)] },
    },
  ]);
}

/** The model's answers once the tool ran or was not run (held, declined, refused). */
export function outcomeRules(
  savedText = 'Done: {{lastToolResult.savedFields.0}} saved for {{lastUserMessage}}.',
): Rule[] {
  return [
    { id: 'saved', when: { lastToolResult: { contains: 'savedFields' } }, respond: { text: savedText } },
    {
      id: 'not-run',
      when: { lastToolResult: { contains: '"executed":false' } },
      respond: { text: 'Not done ({{lastToolResult.status}}): {{lastToolResult.message}}' },
    },
  ];
}
