import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.ts';
import { toWireMessages } from '../../../src/llm/anthropic.ts';
import { type LlmProvider, LlmError, createProvider, parseToolArguments } from '../../../src/llm/index.ts';
import type { Logger } from '../../../src/logger.ts';
import { captureLogger } from './log-capture.ts';
import { anthropicError, anthropicMessage, startFakeAnthropicServer } from '../../support/fake-anthropic-server.ts';
import type { FakeLlmServer } from '../../support/fake-openai-server.ts';
import { handWritten } from '../../support/model-text.ts';

const tools = [
  {
    name: 'update_record',
    description: 'Update one record',
    parameters: {
      type: 'object',
      properties: { id: { type: 'string' }, fields: { type: 'object' } },
      required: ['id'],
    },
  },
];
const question = handWritten([
  { role: 'system', content: 'You are Loom.' },
  { role: 'user', content: 'Close case 500xx.' },
]);

let server: FakeLlmServer;
let provider: LlmProvider;

function makeProvider(
  overrides: { timeoutMs?: number; maxRetries?: number; apiKey?: string; logger?: Logger } = {},
): LlmProvider {
  return createProvider({
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    adapter: 'anthropic',
    baseUrl: server.url,
    apiKey: overrides.apiKey ?? 'sk-ant-test',
    model: 'claude-test',
    timeoutMs: overrides.timeoutMs ?? 5_000,
    maxRetries: overrides.maxRetries ?? 2,
    retry: { baseDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 1_000 },
  });
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

beforeEach(async () => {
  server = await startFakeAnthropicServer({ apiKey: 'sk-ant-test' });
  provider = makeProvider();
});
afterEach(async () => {
  await server.close();
});

describe('Anthropic adapter', () => {
  it('returns a plain text answer and sends system, headers and body in the Messages shape', async () => {
    server.enqueue(anthropicMessage({ text: 'Closed.', usage: { input: 30, output: 4, cacheRead: 10 } }));
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response).toMatchObject({
      text: 'Closed.',
      toolCalls: [],
      finishReason: 'stop',
      model: 'claude-test',
      attempts: 1,
      usage: { promptTokens: 40, completionTokens: 4, totalTokens: 44 },
    });
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/messages');
    expect(request!.headers.authorization).toBe('Bearer sk-ant-test');
    expect(request!.headers['anthropic-version']).toBeTruthy();
    expect(request!.body).toEqual({
      model: 'claude-test',
      max_tokens: 4096,
      system: 'You are Loom.',
      messages: handWritten([{ role: 'user', content: 'Close case 500xx.' }]),
    });
  });

  it('sends tools as input_schema and parses single and parallel tool_use blocks', async () => {
    server.enqueue(
      anthropicMessage({
        text: 'Updating both.',
        toolUses: [
          { id: 'toolu_1', name: 'update_record', input: { id: '500A', fields: { Status: 'Closed' } } },
          { id: 'toolu_2', name: 'not_a_tool', input: {} },
        ],
      }),
    );
    const response = await provider.complete({ model: '', messages: question, tools, maxTokens: 512 });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.text).toBe('Updating both.');
    expect(response.toolCalls).toEqual([
      { id: 'toolu_1', name: 'update_record', arguments: '{"id":"500A","fields":{"Status":"Closed"}}' },
      { id: 'toolu_2', name: 'not_a_tool', arguments: '{}' },
    ]);
    expect(parseToolArguments(response.toolCalls[0]!)).toEqual({
      ok: true,
      value: { id: '500A', fields: { Status: 'Closed' } },
    });
    expect(server.requests[0]!.body).toMatchObject({
      max_tokens: 512,
      tool_choice: { type: 'auto' },
      tools: [{ name: 'update_record', description: 'Update one record', input_schema: tools[0]!.parameters }],
    });
  });

  it('merges consecutive tool results into one user message and round-trips history', async () => {
    server.enqueue(anthropicMessage({ text: 'Both updated.' }));
    const history = handWritten([
      ...question,
      {
        role: 'assistant',
        content: 'Updating.',
        toolCalls: [
          { id: 'toolu_1', name: 'update_record', arguments: '{"id":"500A"}' },
          { id: 'toolu_2', name: 'update_record', arguments: '{"id":"500B"}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', name: 'update_record', content: '{"success":true}' },
      { role: 'tool', toolCallId: 'toolu_2', name: 'update_record', content: 'FLS denied: Status' },
      { role: 'user', content: 'And the third?' },
    ]);
    const response = await provider.complete({ model: '', messages: history, tools });
    expect(response.text).toBe('Both updated.');
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'Close case 500xx.' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Updating.' },
          { type: 'tool_use', id: 'toolu_1', name: 'update_record', input: { id: '500A' } },
          { type: 'tool_use', id: 'toolu_2', name: 'update_record', input: { id: '500B' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"success":true}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'FLS denied: Status' },
          { type: 'text', text: 'And the third?' },
        ],
      },
    ]);
  });

  it('sends an empty input for a tool call whose arguments were invalid JSON', () => {
    const wire = toWireMessages(
      handWritten([
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'x', arguments: '{oops' }] },
        { role: 'tool', toolCallId: 't1', name: 'x', content: 'Arguments are not valid JSON' },
      ]),
    );
    expect(wire[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] });
  });

  it('retries 429 with retry-after and 529 overloaded', async () => {
    server.enqueue(
      anthropicError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
        'retry-after': '0',
      }),
      anthropicError(529, 'overloaded_error', 'Overloaded'),
      anthropicMessage({ text: 'ok' }),
    );
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('retries 500 twice, then succeeds', async () => {
    server.enqueue(
      anthropicError(500, 'api_error', 'Internal server error'),
      anthropicError(500, 'api_error', 'Internal server error'),
      anthropicMessage({ text: 'ok' }),
    );
    expect((await provider.complete({ model: '', messages: question, tools: [] })).attempts).toBe(3);
  });

  it('does not retry 401: PermanentError AuthFailed', async () => {
    const error = await failure(
      makeProvider({ apiKey: 'sk-ant-wrong' }).complete({ model: '', messages: question, tools: [] }),
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ category: 'AuthFailed', status: 401, provider: 'anthropic' });
    expect(server.requests).toHaveLength(1);
  });

  it('maps "prompt is too long" to ContextTooLong without retrying', async () => {
    server.enqueue(anthropicError(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'));
    const error = await failure(provider.complete({ model: '', messages: question, tools: [] }));
    expect(error).toMatchObject({ category: 'ContextTooLong', status: 400, retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('times out each attempt and fails with Timeout after the retries', async () => {
    const log = captureLogger();
    const slow = makeProvider({ timeoutMs: 50, maxRetries: 2, logger: log.logger });
    const late = { ...anthropicMessage({ text: 'late' }), delayMs: 10_000 };
    server.enqueue(late, late, late);
    const error = await failure(slow.complete({ model: '', messages: question, tools: [] }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.category).toBe('Timeout');
    const retries = log.lines.filter((line) => line.msg === 'llm call failed; retrying');
    expect(retries.map((line) => [line.attempt, line.category])).toEqual([
      [1, 'Timeout'],
      [2, 'Timeout'],
    ]);
  });

  it('maps stop reasons max_tokens and refusal', async () => {
    server.enqueue(
      anthropicMessage({ text: 'cut', stopReason: 'max_tokens' }),
      anthropicMessage({ text: 'no', stopReason: 'refusal' }),
    );
    expect((await provider.complete({ model: '', messages: question, tools: [] })).finishReason).toBe('length');
    expect((await provider.complete({ model: '', messages: question, tools: [] })).finishReason).toBe('content_filter');
  });

  it('rejects a tool_use block without an id as MalformedResponse', async () => {
    server.enqueue({
      status: 200,
      body: {
        type: 'message',
        model: 'claude-test',
        content: [{ type: 'tool_use', name: 'x', input: {} }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    });
    const error = await failure(provider.complete({ model: '', messages: question, tools }));
    expect(error.category).toBe('MalformedResponse');
  });
});

describe('fake Anthropic server', () => {
  it('rejects unmerged tool results the way the real API does', async () => {
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk-ant-test',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-test',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'a', name: 'x', input: {} },
              { type: 'tool_use', id: 'b', name: 'x', input: {} },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'ok' }] },
        ],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('without `tool_result` blocks immediately after: b');
  });

  it('requires the anthropic-version header', async () => {
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-ant-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('anthropic-version');
  });
});
