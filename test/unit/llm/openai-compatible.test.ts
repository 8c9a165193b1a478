import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.ts';
import { type LlmProvider, LlmError, createProvider, parseToolArguments } from '../../../src/llm/index.ts';
import type { Logger } from '../../../src/logger.ts';
import { captureLogger } from './log-capture.ts';
import {
  type FakeLlmServer,
  openAiCompletion,
  openAiError,
  startFakeOpenAiServer,
} from '../../support/fake-openai-server.ts';
import { handWritten } from '../../support/model-text.ts';

const tools = [
  {
    name: 'soql_query',
    description: 'Run a read-only SOQL query',
    parameters: { type: 'object', properties: { soql: { type: 'string' } }, required: ['soql'] },
  },
];
const question = handWritten([
  { role: 'system', content: 'You are Loom.' },
  { role: 'user', content: 'How many open cases?' },
]);

let server: FakeLlmServer;
let provider: LlmProvider;

function makeProvider(overrides: { timeoutMs?: number; maxRetries?: number; logger?: Logger } = {}): LlmProvider {
  return createProvider({
    ...(overrides.logger ? { logger: overrides.logger } : {}),
    adapter: 'openai',
    baseUrl: server.url,
    apiKey: 'sk-test',
    model: 'gpt-test',
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
  server = await startFakeOpenAiServer({ apiKey: 'sk-test' });
  provider = makeProvider();
});
afterEach(async () => {
  await server.close();
});

describe('OpenAI-compatible adapter', () => {
  it('returns a plain text answer with usage and sends the exact wire body', async () => {
    server.enqueue(openAiCompletion({ text: 'There are 3 open cases.', usage: { prompt: 42, completion: 7 } }));
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response).toMatchObject({
      text: 'There are 3 open cases.',
      toolCalls: [],
      finishReason: 'stop',
      model: 'gpt-test',
      attempts: 1,
      usage: { promptTokens: 42, completionTokens: 7, totalTokens: 49 },
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer sk-test');
    expect(request!.body).toEqual({
      model: 'gpt-test',
      stream: false,
      messages: [
        { role: 'system', content: 'You are Loom.' },
        { role: 'user', content: 'How many open cases?' },
      ],
    });
  });

  it('offers tools in function format and parses a single tool call', async () => {
    server.enqueue(
      openAiCompletion({
        toolCalls: [{ id: 'call_1', name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Case"}' }],
      }),
    );
    const response = await provider.complete({
      model: 'gpt-x',
      messages: question,
      tools,
      maxTokens: 256,
      temperature: 0.1,
    });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.text).toBeNull();
    expect(response.toolCalls).toEqual([
      { id: 'call_1', name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Case"}' },
    ]);
    expect(parseToolArguments(response.toolCalls[0]!)).toEqual({ ok: true, value: { soql: 'SELECT Id FROM Case' } });
    expect(server.requests[0]!.body).toMatchObject({
      model: 'gpt-x',
      max_tokens: 256,
      temperature: 0.1,
      tool_choice: 'auto',
      tools: [{ type: 'function', function: tools[0] }],
    });
  });

  it('keeps parallel calls, invalid JSON and unknown tool names raw, and fills missing ids stably', async () => {
    const calls = [
      { id: 'call_a', name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Account"}' },
      { name: 'delete_everything', arguments: '{"confirm": tru' },
      { id: 'call_c', name: 'soql_query', arguments: '' },
    ];
    server.enqueue(openAiCompletion({ toolCalls: calls }), openAiCompletion({ toolCalls: calls }));
    const first = await provider.complete({ model: '', messages: question, tools });
    const second = await provider.complete({ model: '', messages: question, tools });
    expect(first.toolCalls.map((call) => call.name)).toEqual(['soql_query', 'delete_everything', 'soql_query']);
    expect(first.toolCalls[1]!.arguments).toBe('{"confirm": tru');
    expect(first.toolCalls[1]!.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(second.toolCalls[1]!.id).toBe(first.toolCalls[1]!.id);
    const invalid = parseToolArguments(first.toolCalls[1]!);
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.error).toContain('not valid JSON');
    expect(parseToolArguments(first.toolCalls[2]!)).toEqual({ ok: true, value: {} });
  });

  it('maps history with tool calls and tool results to the wire shape', async () => {
    server.enqueue(openAiCompletion({ text: 'Done.' }));
    const history = handWritten([
      ...question,
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: 'call_1', name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Case"}' },
          { id: 'call_2', name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Account"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', name: 'soql_query', content: '{"totalSize":3}' },
      { role: 'tool', toolCallId: 'call_2', name: 'soql_query', content: '{"totalSize":1}' },
      { role: 'assistant', content: 'Three cases.' },
      { role: 'user', content: 'Thanks' },
    ]);
    await provider.complete({ model: '', messages: history, tools });
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: 'system', content: 'You are Loom.' },
      { role: 'user', content: 'How many open cases?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Case"}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'soql_query', arguments: '{"soql":"SELECT Id FROM Account"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"totalSize":3}' },
      { role: 'tool', tool_call_id: 'call_2', content: '{"totalSize":1}' },
      { role: 'assistant', content: 'Three cases.' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('retries a 429 that carries retry-after-ms, then succeeds on attempt 2', async () => {
    server.enqueue(
      openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after-ms': '5' }),
      openAiCompletion({ text: 'ok' }),
    );
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait for a retry-after beyond the policy limit and reports it', async () => {
    server.enqueue(openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '120' }));
    const error = await failure(provider.complete({ model: '', messages: question, tools: [] }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ category: 'RateLimited', status: 429, retryAfterMs: 120_000, provider: 'openai' });
    expect(server.requests).toHaveLength(1);
  });

  it('retries 500 twice, then succeeds with attempts 3', async () => {
    server.enqueue(
      openAiError(500, 'The server had an error', 'server_error'),
      openAiError(503, 'Service unavailable', 'server_error'),
      openAiCompletion({ text: 'ok' }),
    );
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response.attempts).toBe(3);
    expect(response.text).toBe('ok');
  });

  it('retries a connection reset', async () => {
    server.enqueue({ dropConnection: true }, openAiCompletion({ text: 'ok' }));
    const response = await provider.complete({ model: '', messages: question, tools: [] });
    expect(response.attempts).toBe(2);
  });

  it('does not retry 401: PermanentError AuthFailed', async () => {
    const wrongKey = createProvider({ adapter: 'openai', baseUrl: server.url, apiKey: 'sk-wrong', model: 'gpt-test' });
    const error = await failure(wrongKey.complete({ model: '', messages: question, tools: [] }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ category: 'AuthFailed', status: 401, retryable: false });
    expect(error.message).toContain('Incorrect API key');
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry 400/404/422 and recognises context-length errors', async () => {
    server.enqueue(
      openAiError(
        400,
        "This model's maximum context length is 128000 tokens.",
        'invalid_request_error',
        'context_length_exceeded',
      ),
      openAiError(422, 'Unprocessable', 'invalid_request_error'),
    );
    const tooLong = await failure(provider.complete({ model: '', messages: question, tools: [] }));
    expect(tooLong).toMatchObject({ category: 'ContextTooLong', status: 400 });
    const invalid = await failure(provider.complete({ model: '', messages: question, tools: [] }));
    expect(invalid).toMatchObject({ category: 'BadRequest', status: 422 });
    expect(server.requests).toHaveLength(2);
  });

  it('times out each attempt and fails with Timeout after the retries', async () => {
    const log = captureLogger();
    const slow = makeProvider({ timeoutMs: 50, maxRetries: 1, logger: log.logger });
    server.enqueue(
      { ...openAiCompletion({ text: 'late' }), delayMs: 10_000 },
      { ...openAiCompletion({ text: 'late' }), delayMs: 10_000 },
    );
    const error = await failure(slow.complete({ model: '', messages: question, tools: [] }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.category).toBe('Timeout');
    // One retry logged after the first timeout; the second timeout ends the call.
    expect(log.lines.filter((line) => line.msg === 'llm call failed; retrying').map((line) => line.category)).toEqual([
      'Timeout',
    ]);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    server.enqueue({ ...openAiCompletion({ text: 'late' }), delayMs: 10_000 });
    const pending = provider.complete({ model: '', messages: question, tools: [], signal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();
    const error = await failure(pending);
    expect(error.message).toContain('cancelled by the caller');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a 200 answer without choices as MalformedResponse', async () => {
    server.enqueue({ status: 200, body: { id: 'x', object: 'chat.completion', model: 'gpt-test', choices: [] } });
    const error = await failure(provider.complete({ model: '', messages: question, tools: [] }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.category).toBe('MalformedResponse');
  });

  it('surfaces the server refusing an unanswered tool call as a permanent BadRequest', async () => {
    const broken = handWritten([
      ...question,
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_9', name: 'soql_query', arguments: '{}' }] },
      { role: 'user', content: 'skip it' },
    ]);
    const error = await failure(provider.complete({ model: '', messages: broken, tools }));
    expect(error).toMatchObject({ category: 'BadRequest', status: 400, retryable: false });
    expect(error.message).toContain('did not have response messages: call_9');
    expect(server.requests).toHaveLength(1);
  });

  it('reports finish reasons length and content_filter', async () => {
    server.enqueue(
      openAiCompletion({ text: 'cut', finishReason: 'length' }),
      openAiCompletion({ text: '', finishReason: 'content_filter' }),
    );
    expect((await provider.complete({ model: '', messages: question, tools: [] })).finishReason).toBe('length');
    expect((await provider.complete({ model: '', messages: question, tools: [] })).finishReason).toBe('content_filter');
  });
});
