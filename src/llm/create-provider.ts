import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { AnthropicAdapter } from './anthropic.ts';
import { OpenAiCompatibleAdapter } from './openai-compatible.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import { RetryingProvider } from './retrying-provider.ts';
import type { ParsedScript, ScriptedScript } from './script-schema.ts';
import { ScriptedProvider } from './scripted.ts';
import type { LlmProvider } from './types.ts';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export interface ProviderConfig {
  adapter: 'openai' | 'anthropic' | 'scripted';
  /** OpenAI-compatible: include `/v1`. Anthropic: without `/v1`. */
  baseUrl?: string;
  apiKey?: string;
  /** Used when a request names no model. */
  model?: string;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** Retries after the first attempt (0 = one attempt). */
  maxRetries?: number;
  script?: ScriptedScript | ParsedScript;
  logger?: Logger;
  /** Backoff tuning (tests use tiny values). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Refuse prompts estimated above this many tokens before calling the provider. */
  maxPromptTokens?: number;
  /** OpenAI-compatible only: which body field carries maxTokens. */
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  /** Extra HTTP headers, e.g. Azure `api-key`. */
  headers?: Record<string, string>;
  /** Jitter source; injectable for deterministic tests. */
  random?: () => number;
}

const DEFAULT_BASE_URL = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' } as const;

const ConfigShape = z.object({
  adapter: z.enum(['openai', 'anthropic', 'scripted']),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(15 * 60_000)
    .optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  maxPromptTokens: z.number().int().positive().optional(),
  retry: z
    .strictObject({
      baseDelayMs: z.number().nonnegative().optional(),
      maxDelayMs: z.number().nonnegative().optional(),
      maxRetryAfterMs: z.number().nonnegative().optional(),
    })
    .optional(),
});

/** Builds the provider the loop calls. Validates the configuration and fails with ConfigError naming the field. */
export function createProvider(config: ProviderConfig): LlmProvider {
  const checked = ConfigShape.safeParse({ ...config, script: undefined, logger: undefined });
  if (!checked.success) throw new ConfigError(`Invalid LLM provider configuration:\n${z.prettifyError(checked.error)}`);
  if (config.adapter === 'scripted') {
    if (!config.script) throw new ConfigError('The scripted LLM provider needs a script');
    return new ScriptedProvider(config.script);
  }
  if (!config.apiKey) throw new ConfigError(`The ${config.adapter} LLM provider needs an API key (LOOM_LLM_API_KEY)`);
  const logger = config.logger ?? silentLogger();
  const baseUrl = config.baseUrl ?? DEFAULT_BASE_URL[config.adapter];
  const headers = config.headers ? { headers: config.headers } : {};
  const adapter =
    config.adapter === 'openai'
      ? new OpenAiCompatibleAdapter({
          baseUrl,
          apiKey: config.apiKey,
          logger,
          ...headers,
          ...(config.maxTokensParameter ? { maxTokensParameter: config.maxTokensParameter } : {}),
        })
      : new AnthropicAdapter({ baseUrl, apiKey: config.apiKey, ...headers });
  const retry: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...definedOnly(config.retry ?? {}),
    maxAttempts: (config.maxRetries ?? DEFAULT_MAX_RETRIES) + 1,
  };
  return new RetryingProvider(adapter, {
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry,
    logger,
    ...(config.model ? { defaultModel: config.model } : {}),
    ...(config.maxPromptTokens ? { maxPromptTokens: config.maxPromptTokens } : {}),
    ...(config.random ? { random: config.random } : {}),
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}
