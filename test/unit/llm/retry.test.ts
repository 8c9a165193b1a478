import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { LlmError, categoryForStatus, parseRetryAfter } from '../../../src/llm/errors.ts';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, withRetry } from '../../../src/llm/retry.ts';

const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 50 };
const options = { provider: 'test', policy, timeoutMs: 1_000, logger: silentLogger() };
const transient = () => LlmError.create('busy', { provider: 'test', category: 'ProviderUnavailable', status: 503 });

describe('withRetry', () => {
  it('retries transient failures and reports the attempt count', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw transient();
      return 'ok';
    }, options);
    expect(result).toEqual({ value: 'ok', attempts: 3 });
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw transient();
    }, options).catch((caught: unknown) => caught);
    expect(calls).toBe(4);
    expect(error).toMatchObject({ category: 'ProviderUnavailable' });
  });

  it('never retries permanent or unknown errors', async () => {
    for (const failure of [
      LlmError.create('bad', { provider: 'test', category: 'BadRequest', status: 400 }),
      new TypeError('bug'),
    ]) {
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls += 1;
          throw failure;
        }, options),
      ).rejects.toBe(failure);
      expect(calls).toBe(1);
    }
  });

  it('surfaces a retry-after longer than the limit instead of waiting', async () => {
    let calls = 0;
    const error = await withRetry(async () => {
      calls += 1;
      throw LlmError.create('slow down', { provider: 'test', category: 'RateLimited', status: 429, retryAfterMs: 51 });
    }, options).catch((caught: unknown) => caught);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ retryAfterMs: 51 });
  });

  it('hands each attempt a signal that the timeout aborts, and maps that to Timeout', async () => {
    const seen: AbortSignal[] = [];
    const error = await withRetry(
      (signal) =>
        new Promise((_resolve, reject) => {
          seen.push(signal);
          signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
        }),
      { ...options, timeoutMs: 5, policy: { ...policy, maxAttempts: 2 } },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ category: 'Timeout', retryable: true });
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('does not start when the caller already cancelled', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls += 1;
        return 1;
      },
      { ...options, signal: AbortSignal.abort() },
    ).catch((caught: unknown) => caught);
    expect(calls).toBe(0);
    expect((error as Error).message).toContain('cancelled by the caller');
  });
});

describe('backoffDelayMs', () => {
  it('uses full jitter under an exponential ceiling capped at maxDelayMs', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelayMs(1, p, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, p, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, p, () => 0.999)).toBe(999);
    expect(backoffDelayMs(4, p, () => 0)).toBe(0);
  });
});

describe('error classification', () => {
  it('maps statuses to categories', () => {
    expect(categoryForStatus(429)).toBe('RateLimited');
    expect(categoryForStatus(529)).toBe('ProviderUnavailable');
    expect(categoryForStatus(502)).toBe('ProviderUnavailable');
    expect(categoryForStatus(401)).toBe('AuthFailed');
    expect(categoryForStatus(403)).toBe('AuthFailed');
    expect(categoryForStatus(404)).toBe('BadRequest');
    expect(categoryForStatus(422)).toBe('BadRequest');
    expect(categoryForStatus(413)).toBe('ContextTooLong');
    expect(categoryForStatus(400, 'context_length_exceeded')).toBe('ContextTooLong');
    // Only a client error can mean "too long"; a 5xx stays retryable whatever its text says.
    expect(categoryForStatus(503, 'too many tokens in flight')).toBe('ProviderUnavailable');
  });

  it('builds transient or permanent errors by category, all instanceof LlmError', () => {
    expect(LlmError.create('x', { provider: 'p', category: 'Timeout' }).retryable).toBe(true);
    expect(LlmError.create('x', { provider: 'p', category: 'AuthFailed' }).retryable).toBe(false);
    expect(new Error('plain')).not.toBeInstanceOf(LlmError);
    expect(LlmError.create('x', { provider: 'p', category: 'BadRequest' }).name).toBe('LlmPermanentError');
  });

  it('parses retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});
