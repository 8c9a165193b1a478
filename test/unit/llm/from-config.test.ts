import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/logger.ts';
import { ScriptedProvider, createProviderFromConfig } from '../../../src/llm/index.ts';
import { handWritten } from '../../support/model-text.ts';

const script = fileURLToPath(new URL('../../fixtures/scripts/greeting.json', import.meta.url));

describe('createProviderFromConfig', () => {
  it('builds the scripted provider from LOOM_LLM_SCRIPT', async () => {
    const provider = createProviderFromConfig(
      loadConfig({ LOOM_LLM_ADAPTER: 'scripted', LOOM_LLM_SCRIPT: script }),
      silentLogger(),
    );
    expect(provider).toBeInstanceOf(ScriptedProvider);
    expect(
      (await provider.complete({ model: '', messages: handWritten([{ role: 'user', content: 'hi' }]), tools: [] }))
        .text,
    ).toContain('Hello');
  });

  it('names the missing variable', () => {
    expect(() => createProviderFromConfig(loadConfig({ LOOM_LLM_ADAPTER: 'scripted' }), silentLogger())).toThrow(
      /LOOM_LLM_SCRIPT/,
    );
    expect(() => createProviderFromConfig(loadConfig({ LOOM_LLM_ADAPTER: 'anthropic' }), silentLogger())).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ LOOM_LLM_ADAPTER: 'bedrock' })).toThrow(/LOOM_LLM_ADAPTER/);
  });

  it('builds an HTTP provider with the configured defaults', () => {
    const config = loadConfig({ LOOM_LLM_ADAPTER: 'anthropic', LOOM_LLM_API_KEY: 'k', LOOM_LLM_TIMEOUT_MS: '5000' });
    expect(config.LOOM_LLM_MAX_RETRIES).toBe(2);
    expect(createProviderFromConfig(config, silentLogger()).name).toBe('anthropic');
  });
});
