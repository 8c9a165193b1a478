import { LoomError } from '../errors.ts';
import { AllocationExhaustedError } from '../salesforce/rest-client.ts';

/**
 * The ONE retry layer: jsforce retries are off (SalesforceClient), LLM adapters retry only inside one provider call,
 * and jobs retry here (embedded) or through BullMQ attempts (scaled) with the same numbers.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First backoff; doubles each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 120_000 };

export type ErrorDisposition = 'allocation' | 'retry' | 'permanent';

/**
 * How to treat a failure. A typed LoomError decides for itself; anything untyped (a library's socket error) is
 * retried, because every side effect of a job is idempotent and a bounded number of retries is cheap.
 */
export function classifyError(error: unknown): ErrorDisposition {
  if (error instanceof AllocationExhaustedError) return 'allocation';
  if (error instanceof LoomError) return error.retryable ? 'retry' : 'permanent';
  return 'retry';
}

/** Backoff before attempt `attempt + 1` (attempt is 1-based): base × 2^(attempt-1), capped. */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

export function errorSummary(error: unknown): { message: string; category: string } {
  if (error instanceof LoomError) return { message: error.message, category: error.category };
  if (error instanceof Error) return { message: error.message, category: error.name || 'Error' };
  return { message: String(error), category: 'Unknown' };
}
