import { LlmError, categoryForStatus, parseRetryAfter } from './errors.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes both Stainless-generated SDKs (openai, @anthropic-ai/sdk) export. */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

interface ApiErrorShape {
  status?: number;
  headers?: Headers;
  message: string;
}

/**
 * Turns an SDK failure into an `LlmError` with the right category. `detail` adds provider-specific text
 * (error code/type) so context-length errors are recognised. Unknown errors are returned unchanged.
 */
export function mapSdkError(
  provider: string,
  error: unknown,
  sdk: SdkErrorClasses,
  detail: (e: unknown) => string,
): unknown {
  if (error instanceof LlmError) return error;
  if (error instanceof sdk.APIUserAbortError) {
    return LlmError.create(`${provider} request aborted`, { provider, category: 'Timeout', cause: error });
  }
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return LlmError.create(`${provider} request timed out`, { provider, category: 'Timeout', cause: error });
  }
  if (error instanceof sdk.APIConnectionError) {
    return LlmError.create(`${provider} unreachable: ${connectionReason(error)}`, {
      provider,
      category: 'ProviderUnavailable',
      cause: error,
    });
  }
  if (error instanceof sdk.APIError) {
    const api = error as unknown as ApiErrorShape;
    if (typeof api.status !== 'number') {
      return LlmError.create(`${provider} request failed: ${api.message}`, {
        provider,
        category: 'ProviderUnavailable',
        cause: error,
      });
    }
    const retryAfterMs = parseRetryAfter(api.headers);
    return LlmError.create(`${provider} returned HTTP ${api.status}: ${api.message}`, {
      provider,
      category: categoryForStatus(api.status, `${detail(error)} ${api.message}`),
      status: api.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause: error,
    });
  }
  return error;
}

/** Runs one SDK request; a failure is thrown as the `LlmError` `mapSdkError` makes of it. */
export async function callSdk<T>(
  provider: string,
  sdk: SdkErrorClasses,
  detail: (e: unknown) => string,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw mapSdkError(provider, error, sdk, detail);
  }
}

/** An answer that does not parse as the provider's wire `shape`: permanent, retrying would get the same. */
export function malformedAnswer(provider: string, shape: string, detail: string): LlmError {
  return LlmError.create(`${provider} answer does not match the ${shape} shape: ${detail}`, {
    provider,
    category: 'MalformedResponse',
  });
}

function connectionReason(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return error.message;
}
