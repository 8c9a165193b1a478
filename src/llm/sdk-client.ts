/** What both provider adapters need to reach their API; the rest of each SDK's options keep their defaults. */
export interface SdkConnection {
  baseUrl: string;
  apiKey: string;
  headers?: Record<string, string>;
}

/** The SDK's own ceiling on one request: a backstop behind the retry layer's per-attempt timeout. */
const SDK_TIMEOUT_MS = 15 * 60_000;

/**
 * Client options shared by the OpenAI and Anthropic SDKs. `maxRetries: 0` because retry.ts is the only retry layer;
 * an explicit timeout also skips the Anthropic SDK's non-streaming long-request guard.
 */
export function sdkClientOptions(connection: SdkConnection) {
  return {
    apiKey: connection.apiKey,
    baseURL: connection.baseUrl,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    ...(connection.headers ? { defaultHeaders: connection.headers } : {}),
  };
}
