import type { Logger } from '../logger.ts';
import { LlmError } from './errors.ts';

/** The one retry layer for model calls. SDK clients run with `maxRetries: 0`. */
export interface RetryPolicy {
  /** Total attempts including the first (maxRetries + 1). */
  maxAttempts: number;
  /** First backoff ceiling; doubles per attempt (full jitter picks 0..ceiling). */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** A `retry-after` longer than this is not waited for: the error surfaces with `retryAfterMs` for the queue. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
});

export interface RetryOptions {
  provider: string;
  policy: RetryPolicy;
  /** Per-attempt timeout. */
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

/** Full-jitter exponential backoff for the wait after failed attempt number `attempt` (1-based). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `operation` with a fresh per-attempt AbortSignal (caller signal + timeout). Retries only transient
 * `LlmError`s; permanent ones, unknown errors and caller cancellation surface at once.
 */
export async function withRetry<T>(
  operation: (signal: AbortSignal, attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; attempts: number }> {
  const { policy, provider, logger } = options;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    throwIfCancelled(options.signal, provider);
    let error: unknown;
    try {
      return { value: await runAttempt(operation, attempt, options), attempts: attempt };
    } catch (caught) {
      error = caught;
    }
    throwIfCancelled(options.signal, provider);
    if (!(error instanceof LlmError) || !error.retryable || attempt >= policy.maxAttempts) throw error;
    if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) throw error;
    const delayMs = Math.max(backoffDelayMs(attempt, policy, random), error.retryAfterMs ?? 0);
    logger.warn(
      { provider, attempt, category: error.category, status: error.status, delayMs },
      'llm call failed; retrying',
    );
    await sleep(delayMs, options.signal, provider);
  }
}

async function runAttempt<T>(
  operation: (signal: AbortSignal, attempt: number) => Promise<T>,
  attempt: number,
  options: RetryOptions,
): Promise<T> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('attempt timed out')), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    return await operation(signal, attempt);
  } catch (error) {
    // The SDK reports our abort as a user abort; only we know it was the timeout.
    if (timeout.signal.aborted && !options.signal?.aborted) {
      throw LlmError.create(`${options.provider} did not answer within ${options.timeoutMs} ms`, {
        provider: options.provider,
        category: 'Timeout',
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function throwIfCancelled(signal: AbortSignal | undefined, provider: string): void {
  if (signal?.aborted) {
    throw LlmError.create(`${provider} call cancelled by the caller`, {
      provider,
      category: 'Timeout',
      cause: signal.reason,
    });
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, provider: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(LlmError.create(`${provider} call cancelled by the caller`, { provider, category: 'Timeout' }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
