import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { LlmError, ScriptedProvider, createProvider } from '../../../src/llm/index.ts';
import { openAiCompletion, startFakeOpenAiServer } from '../../support/fake-openai-server.ts';
import { handWritten } from '../../support/model-text.ts';

describe('createProvider', () => {
  it('validates the configuration', () => {
    expect(() => createProvider({ adapter: 'openai' })).toThrow(/API key/);
    expect(() => createProvider({ adapter: 'anthropic', apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(ConfigError);
    expect(() => createProvider({ adapter: 'openai', apiKey: 'k', maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => createProvider({ adapter: 'scripted' })).toThrow(/needs a script/);
    expect(() => createProvider({ adapter: 'scripted', script: { rules: [] } })).toThrow(ConfigError);
  });

  it('builds named providers', () => {
    expect(createProvider({ adapter: 'openai', apiKey: 'k' }).name).toBe('openai');
    expect(createProvider({ adapter: 'anthropic', apiKey: 'k' }).name).toBe('anthropic');
    expect(createProvider({ adapter: 'scripted', script: { rules: [{ respond: { text: 'x' } }] } })).toBeInstanceOf(
      ScriptedProvider,
    );
  });

  it('refuses a prompt over the token budget before calling, and needs a model', async () => {
    const server = await startFakeOpenAiServer();
    try {
      const provider = createProvider({
        adapter: 'openai',
        apiKey: 'k',
        baseUrl: server.url,
        model: 'gpt-test',
        maxPromptTokens: 50,
      });
      const error = await provider
        .complete({ model: '', messages: handWritten([{ role: 'user', content: 'x'.repeat(400) }]), tools: [] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject({ category: 'ContextTooLong', retryable: false });
      const modelless = createProvider({ adapter: 'openai', apiKey: 'k', baseUrl: server.url });
      await expect(
        modelless.complete({ model: '', messages: handWritten([{ role: 'user', content: 'hi' }]), tools: [] }),
      ).rejects.toMatchObject({
        category: 'BadRequest',
      });
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('sends max_completion_tokens and extra headers when configured (Azure v1 style)', async () => {
    const server = await startFakeOpenAiServer();
    try {
      server.enqueue(openAiCompletion({ text: 'ok' }));
      const provider = createProvider({
        adapter: 'openai',
        apiKey: 'k',
        baseUrl: server.url,
        model: 'gpt-deployment',
        maxTokensParameter: 'max_completion_tokens',
        headers: { 'api-key': 'azure-key' },
      });
      await provider.complete({
        model: '',
        messages: handWritten([{ role: 'user', content: 'hi' }]),
        tools: [],
        maxTokens: 64,
      });
      expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
      expect(server.requests[0]!.body).toMatchObject({ max_completion_tokens: 64 });
      expect(server.requests[0]!.body).not.toHaveProperty('max_tokens');
    } finally {
      await server.close();
    }
  });
});
