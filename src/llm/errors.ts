import { LoomError, PermanentError, TransientError } from '../errors.ts';

export type LlmErrorCategory =
  | 'RateLimited'
  | 'ProviderUnavailable'
  | 'Timeout'
  | 'BadRequest'
  | 'AuthFailed'
  | 'MalformedResponse'
  | 'ContextTooLong';

export interface LlmErrorFields {
  provider: string;
  category: LlmErrorCategory;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

const TRANSIENT: ReadonlySet<LlmErrorCategory> = new Set(['RateLimited', 'ProviderUnavailable', 'Timeout']);
const BRAND = Symbol.for('loom.LlmError');

/** The base a model failure builds on: `TransientError` (retryable) or `PermanentError`. */
type FailureBase = new (message: string, options: { category?: string; cause?: unknown }) => LoomError;

/** The fields every model failure carries, written once over either base. */
function llmFailure(base: FailureBase) {
  return class extends base {
    readonly provider: string;
    override readonly category: LlmErrorCategory;
    readonly status?: number;
    readonly retryAfterMs?: number;
    readonly [BRAND] = true;

    constructor(message: string, fields: LlmErrorFields) {
      super(message, { category: fields.category, cause: fields.cause });
      this.provider = fields.provider;
      this.category = fields.category;
      if (fields.status !== undefined) this.status = fields.status;
      if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    }
  };
}

/** Retryable model failure (429, 5xx, 529, timeouts, connection resets). */
export class LlmTransientError extends llmFailure(TransientError) {}

/** Model failure that retrying cannot fix (400/401/403/404/422, malformed answers, context too long). */
export class LlmPermanentError extends llmFailure(PermanentError) {}

/**
 * Every model failure. A value is either an `LlmTransientError` (instanceof TransientError) or an
 * `LlmPermanentError` (instanceof PermanentError), decided by its category; `x instanceof LlmError` matches both.
 * Build one with `LlmError.create`.
 */
export abstract class LlmError extends LoomError {
  declare readonly provider: string;
  declare readonly category: LlmErrorCategory;
  declare readonly status?: number;
  declare readonly retryAfterMs?: number;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Builds the transient or permanent variant that fits the category. */
  static create(message: string, fields: LlmErrorFields): LlmError {
    const error = TRANSIENT.has(fields.category)
      ? new LlmTransientError(message, fields)
      : new LlmPermanentError(message, fields);
    return error as unknown as LlmError;
  }
}

/** Type guard equivalent to `instanceof LlmError`. */
export function isLlmError(value: unknown): value is LlmError {
  return value instanceof LlmError;
}

/** Maps an HTTP failure to its category: the single place that decides what the retry layer may retry. */
export function categoryForStatus(status: number, detail = ''): LlmErrorCategory {
  if (status === 429) return 'RateLimited';
  if (status === 401 || status === 403) return 'AuthFailed';
  if (status === 413 || (status >= 400 && status < 500 && isContextTooLong(detail))) return 'ContextTooLong';
  if (status === 408 || status === 409 || status >= 500) return 'ProviderUnavailable';
  return 'BadRequest';
}

// OpenAI: code "context_length_exceeded"; Anthropic: "prompt is too long: 210000 tokens > 200000 maximum".
function isContextTooLong(detail: string): boolean {
  return /context_length_exceeded|maximum context length|prompt is too long|too many tokens/i.test(detail);
}

/** Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds or HTTP date); undefined when absent or invalid. */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
