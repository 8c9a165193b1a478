import type { Config } from '../../config.ts';
import { loadScriptFile } from '../../llm/script-schema.ts';
import { pingRedis } from '../readiness.ts';
import { fail, pass, skip, type DoctorCheck } from './types.ts';

export async function checkRedis(config: Config, timeoutMs: number): Promise<DoctorCheck> {
  const name = 'Redis reachable';
  if (!config.REDIS_URL)
    return skip(name, 'REDIS_URL is not set: embedded mode (one worker process, state in LOOM_STATE_DIR)');
  const result = await pingRedis(config.REDIS_URL, timeoutMs);
  const where = new URL(config.REDIS_URL).host;
  if (result.ok) return pass(name, `PING answered by ${where}`);
  return fail(
    name,
    `${where}: ${result.detail ?? 'no answer'}`,
    'Start Redis or fix REDIS_URL (redis://[user:password@]host:6379[/db]); unset REDIS_URL to run one embedded worker instead.',
  );
}

const DEFAULT_BASE = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com/v1' } as const;

/** Reaches the model endpoint with the configured key without spending tokens (lists models). */
export async function checkLlm(config: Config, timeoutMs: number): Promise<DoctorCheck> {
  const name = 'LLM endpoint reachable';
  if (config.LOOM_LLM_ADAPTER === 'scripted') {
    if (!config.LOOM_LLM_SCRIPT)
      return fail(
        name,
        'LOOM_LLM_ADAPTER=scripted without LOOM_LLM_SCRIPT',
        'Set LOOM_LLM_SCRIPT to a script file (see docs/providers.md).',
      );
    try {
      const script = loadScriptFile(config.LOOM_LLM_SCRIPT);
      return pass(name, `scripted model "${script.name}" (${script.rules.length} rules), no network`);
    } catch (error) {
      return fail(
        name,
        (error as Error).message,
        'Fix the script file named by LOOM_LLM_SCRIPT (see docs/providers.md).',
      );
    }
  }
  // The worker does not start without a model (src/config-check.ts), so neither does doctor pass one.
  if (!config.LOOM_LLM_API_KEY) {
    return fail(
      name,
      'no model configured (LOOM_LLM_API_KEY unset): the worker will not start',
      'Set LOOM_LLM_BASE_URL, LOOM_LLM_API_KEY and LOOM_LLM_MODEL for an OpenAI-compatible endpoint, or LOOM_LLM_ADAPTER=scripted with LOOM_LLM_SCRIPT (see docs/providers.md).',
    );
  }
  const base = (config.LOOM_LLM_BASE_URL ?? DEFAULT_BASE[config.LOOM_LLM_ADAPTER]).replace(/\/$/, '');
  const headers: Record<string, string> =
    config.LOOM_LLM_ADAPTER === 'anthropic'
      ? { 'x-api-key': config.LOOM_LLM_API_KEY ?? '', 'anthropic-version': '2023-06-01' }
      : config.LOOM_LLM_API_KEY
        ? { Authorization: `Bearer ${config.LOOM_LLM_API_KEY}` }
        : {};
  try {
    const response = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      return fail(
        name,
        `${base} refused the API key (HTTP ${response.status})`,
        'Set LOOM_LLM_API_KEY to a valid key for this endpoint.',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      const fix =
        response.status === 404
          ? 'LOOM_LLM_BASE_URL is probably wrong: it must end at the API root (often /v1), the path before /chat/completions.'
          : 'The model endpoint is failing; check its status or LOOM_LLM_BASE_URL.';
      return fail(name, `${base}/models answered HTTP ${response.status}`, fix);
    }
    // Both OpenAI's and Anthropic's list-models answer {"data": [...]}; anything else is not the provider's API.
    const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined;
    if (!Array.isArray(body?.data))
      return fail(
        name,
        `${base}/models answered HTTP ${response.status} but not with a model list`,
        'Point LOOM_LLM_BASE_URL at the provider API root (e.g. https://api.openai.com/v1), not a web page or proxy root.',
      );
    return pass(
      name,
      `${base} lists ${body.data.length} model(s)${config.LOOM_LLM_MODEL ? ` (model ${config.LOOM_LLM_MODEL})` : ''}`,
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return fail(
      name,
      `${base}: ${cause ?? (error as Error).message}`,
      'Check LOOM_LLM_BASE_URL (scheme, host, port and the /v1 path) and that the worker can reach it.',
    );
  }
}
