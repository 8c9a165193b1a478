import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, PermanentError, TransientError } from '../../../src/errors.ts';
import {
  type CompletionRequest,
  LlmError,
  ScriptedProvider,
  createProvider,
  estimatePromptTokens,
  loadScriptFile,
  parseScript,
  parseToolArguments,
  scriptedResponder,
} from '../../../src/llm/index.ts';
import { handWritten, type HandMessage } from '../../support/model-text.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/scripts/${name}`, import.meta.url));
const tools = ['soql_query', 'update_record'].map((name) => ({
  name,
  description: name,
  parameters: { type: 'object' },
}));

function request(messages: HandMessage[]): CompletionRequest {
  return { model: 'any', messages: handWritten(messages), tools };
}

const ask: HandMessage[] = [
  { role: 'system', content: 'You are Loom.' },
  { role: 'user', content: 'Please close my case 00001001' },
];

describe('scripted provider', () => {
  it('plays the close-case script: query, templated update, confirmation', async () => {
    const provider = new ScriptedProvider(loadScriptFile(fixture('close-case.yaml')));
    const first = await provider.complete(request(ask));
    expect(first.finishReason).toBe('tool_calls');
    expect(first.model).toBe('scripted-demo-1');
    expect(first.toolCalls).toHaveLength(1);
    expect(parseToolArguments(first.toolCalls[0]!)).toEqual({
      ok: true,
      value: { soql: "SELECT Id, Status FROM Case WHERE CaseNumber = '00001001' LIMIT 1" },
    });

    const afterQuery: HandMessage[] = [
      ...ask,
      { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
      {
        role: 'tool',
        toolCallId: first.toolCalls[0]!.id,
        name: 'soql_query',
        content: JSON.stringify({ totalSize: 1, done: true, records: [{ Id: '500000000000001AAA', Status: 'New' }] }),
      },
    ];
    const second = await provider.complete(request(afterQuery));
    expect(second.toolCalls[0]!.name).toBe('update_record');
    expect(JSON.parse(second.toolCalls[0]!.arguments)).toEqual({
      sobject: 'Case',
      id: '500000000000001AAA',
      fields: { Status: 'Closed' },
    });

    const afterUpdate: HandMessage[] = [
      ...afterQuery,
      { role: 'assistant', content: null, toolCalls: second.toolCalls },
      { role: 'tool', toolCallId: second.toolCalls[0]!.id, name: 'update_record', content: '{"success": true}' },
    ];
    const third = await provider.complete(request(afterUpdate));
    expect(third).toMatchObject({
      text: 'Case 500000000000001AAA is now closed.',
      toolCalls: [],
      finishReason: 'stop',
    });

    // Every request is recorded as the model saw it.
    expect(provider.requests).toHaveLength(3);
    expect(provider.requests[2]!.messages).toEqual(afterUpdate);
  });

  it('falls through to later rules: denial text is templated from the tool result', () => {
    const respond = scriptedResponder(loadScriptFile(fixture('close-case.yaml')));
    const denied = respond(
      request([
        ...ask,
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'update_record', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', name: 'update_record', content: 'FLS denied: Status' },
      ]),
    );
    expect(denied.text).toBe('The last step failed: FLS denied: Status');
  });

  it('matches parallel step results by tool name and pattern', () => {
    const respond = scriptedResponder({
      rules: [
        {
          when: { lastToolResult: { tool: 'soql_query', contains: 'Acme' } },
          respond: { text: 'found {{lastToolResult.records.0.Name}}' },
        },
        { respond: { text: 'fallback' } },
      ],
    });
    const messages: HandMessage[] = [
      { role: 'user', content: 'find Acme' },
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: 'a', name: 'soql_query', arguments: '{}' },
          { id: 'b', name: 'update_record', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'a', name: 'soql_query', content: '{"records":[{"Name":"Acme"}]}' },
      { role: 'tool', toolCallId: 'b', name: 'update_record', content: 'ok' },
    ];
    expect(respond(request(messages)).text).toBe('found Acme');
    // A tool result from an earlier turn is not "last": a new user message starts a new turn.
    expect(
      respond(request([...messages, { role: 'assistant', content: 'x' }, { role: 'user', content: 'again' }])).text,
    ).toBe('fallback');
  });

  it('counts turnStep from the latest user message and checks toolsAvailable', () => {
    const respond = scriptedResponder({
      rules: [
        { when: { turnStep: 1 }, respond: { text: 'second call' } },
        { when: { toolsAvailable: ['soql_query'] }, respond: { text: 'has query tool' } },
        { respond: { text: 'no tools' } },
      ],
    });
    expect(respond(request(ask)).text).toBe('has query tool');
    expect(respond({ model: 'm', messages: handWritten(ask), tools: [] }).text).toBe('no tools');
    const step1: HandMessage[] = [
      ...ask,
      { role: 'assistant', content: null, toolCalls: [{ id: 'a', name: 'soql_query', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'a', name: 'soql_query', content: '{}' },
    ];
    expect(respond(request(step1)).text).toBe('second call');
  });

  it('fails with MalformedResponse when no rule matches', async () => {
    const provider = createProvider({
      adapter: 'scripted',
      script: { rules: [{ when: { lastUserMessage: 'weather' }, respond: { text: 'sunny' } }] },
    });
    const error = await provider.complete(request(ask)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ category: 'MalformedResponse', provider: 'scripted' });
    expect((error as Error).message).toContain('no scripted rule matched');
  });

  it('fails with MalformedResponse when a template does not resolve', () => {
    const respond = scriptedResponder({
      rules: [{ id: 'needs-result', respond: { text: 'Id {{lastToolResult.records.0.Id}}' } }],
    });
    let error: unknown;
    try {
      respond(request(ask));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ category: 'MalformedResponse' });
    expect((error as Error).message).toBe('needs-result: template {{lastToolResult.records.0.Id}} did not resolve');
  });

  it('simulates provider errors with the right retry class', async () => {
    const provider = new ScriptedProvider(loadScriptFile(fixture('greeting.json')));
    expect((await provider.complete(request([{ role: 'user', content: 'hello there' }]))).text).toContain('Hello!');
    const error = await provider
      .complete(request([{ role: 'user', content: 'SIMULATE 429 please' }]))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ category: 'RateLimited', status: 429, retryAfterMs: 1000 });
    // "/SIMULATE 429/" keeps its (absent) flags: the match is case-sensitive.
    await expect(provider.complete(request([{ role: 'user', content: 'simulate 429' }]))).rejects.toMatchObject({
      category: 'MalformedResponse',
    });
  });

  it('counts tokens deterministically, and honours usage overrides', () => {
    const respond = scriptedResponder({
      rules: [
        {
          when: { lastUserMessage: 'fixed' },
          respond: { text: 'x', usage: { promptTokens: 1000, completionTokens: 50 } },
        },
        {
          respond: {
            text: 'abcdefgh',
            toolCalls: [{ id: 'fixed-id', name: 'soql_query', arguments: { soql: 'SELECT Id FROM Case' } }],
          },
        },
      ],
    });
    const a = respond(request(ask));
    const b = respond(request(ask));
    expect(a).toEqual(b);
    expect(a.usage.promptTokens).toBe(estimatePromptTokens(handWritten(ask), tools));
    expect(a.usage.promptTokens).toBeGreaterThan(0);
    expect(a.usage.totalTokens).toBe(a.usage.promptTokens + a.usage.completionTokens);
    expect(a.toolCalls[0]!.id).toBe('fixed-id');
    expect(a).toMatchObject({ durationMs: 0, attempts: 1 });
    expect(respond(request([{ role: 'user', content: 'fixed' }])).usage).toEqual({
      promptTokens: 1000,
      completionTokens: 50,
      totalTokens: 1050,
    });
  });

  it('keeps string arguments raw so scripts can simulate invalid JSON', () => {
    const respond = scriptedResponder({
      rules: [{ respond: { toolCalls: [{ name: 'soql_query', arguments: '{"soql": ' }] } }],
    });
    const call = respond(request(ask)).toolCalls[0]!;
    expect(call.arguments).toBe('{"soql": ');
    expect(parseToolArguments(call).ok).toBe(false);
  });

  it('records requests without the abort signal and as copies', async () => {
    const provider = new ScriptedProvider({ rules: [{ respond: { text: 'ok' } }] });
    const messages: HandMessage[] = [{ role: 'user', content: 'hi' }];
    await provider.complete({
      model: 'm',
      messages: handWritten(messages),
      tools: [],
      signal: new AbortController().signal,
    });
    messages.push({ role: 'user', content: 'mutated later' });
    expect(provider.requests).toEqual([{ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [] }]);
  });

  it('rejects invalid scripts with a ConfigError naming the problem', () => {
    expect(() => parseScript({ rules: [] })).toThrow(ConfigError);
    expect(() => parseScript({ rules: [{ when: { lastUserMesage: 'x' }, respond: { text: 'y' } }] })).toThrow(
      /lastUserMesage/,
    );
    expect(() => parseScript({ rules: [{ when: { lastUserMessage: '(' }, respond: { text: 'y' } }] })).toThrow(
      /invalid regular expression/,
    );
    expect(() => parseScript({ rules: [{ respond: {} }] })).toThrow(/respond needs text, toolCalls or error/);
    expect(() => loadScriptFile(fixture('missing.yaml'))).toThrow(ConfigError);
  });
});
