import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createProvider } from './create-provider.ts';
import { loadScriptFile } from './script-schema.ts';
import type { LlmProvider } from './types.ts';

/** Builds the process's provider from the LOOM_LLM_* environment (see docs/providers.md). */
export function createProviderFromConfig(config: Config, logger: Logger): LlmProvider {
  const log = logger.child({ component: 'llm' });
  if (config.LOOM_LLM_ADAPTER === 'scripted') {
    if (!config.LOOM_LLM_SCRIPT) throw new ConfigError('LOOM_LLM_SCRIPT: required when LOOM_LLM_ADAPTER=scripted');
    return createProvider({ adapter: 'scripted', script: loadScriptFile(config.LOOM_LLM_SCRIPT), logger: log });
  }
  return createProvider({
    adapter: config.LOOM_LLM_ADAPTER,
    timeoutMs: config.LOOM_LLM_TIMEOUT_MS,
    maxRetries: config.LOOM_LLM_MAX_RETRIES,
    logger: log,
    ...(config.LOOM_LLM_BASE_URL ? { baseUrl: config.LOOM_LLM_BASE_URL } : {}),
    ...(config.LOOM_LLM_API_KEY ? { apiKey: config.LOOM_LLM_API_KEY } : {}),
    ...(config.LOOM_LLM_MODEL ? { model: config.LOOM_LLM_MODEL } : {}),
  });
}
