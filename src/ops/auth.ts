import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AuthResult {
  ok: boolean;
  /** Why the request was refused; safe to return to the caller (names no secret). */
  reason?: string;
}

/** Compares two secrets in constant time; hashing first hides the expected length too. */
export function safeEqual(actual: string, expected: string): boolean {
  const a = createHash('sha256').update(actual, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && actual.length === expected.length;
}

/**
 * The `Loom_Worker` Named Credential's External Credential sends `Authorization: Bearer <token>`. Without a configured
 * token the endpoint is closed: nothing is accepted.
 */
export function verifyBearer(header: string | undefined, expected: string | undefined): AuthResult {
  if (!expected)
    return { ok: false, reason: 'The turn endpoint is disabled: LOOM_HTTP_TOKEN is not set on the worker.' };
  if (!header) return { ok: false, reason: 'Missing Authorization header (expected "Bearer <token>").' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { ok: false, reason: 'Authorization header is not a Bearer token.' };
  return safeEqual(match[1], expected) ? { ok: true } : { ok: false, reason: 'Invalid bearer token.' };
}

export const SIGNATURE_HEADER = 'x-loom-signature';
export const TIMESTAMP_HEADER = 'x-loom-timestamp';
/** Signed requests older or newer than this are refused, so a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** `sha256=<hex HMAC of "<timestamp>.<raw body>">`, the signature a caller sends with `X-Loom-Timestamp` (epoch seconds). */
export function signBody(key: string, timestampSeconds: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex')}`;
}

/**
 * Checks the body signature. The body names the user the turn runs as, so only a signed body binds that user to the
 * caller that holds the key (Apex, through Loom Settings); without a key the endpoint refuses every request unless
 * unsigned requests are explicitly allowed (local development only).
 */
export function verifySignature(
  headers: { signature: string | undefined; timestamp: string | undefined },
  rawBody: string,
  key: string | undefined,
  nowMs: number = Date.now(),
  allowUnsigned = false,
): AuthResult {
  if (!key) {
    return allowUnsigned
      ? { ok: true }
      : {
          ok: false,
          reason:
            'The turn endpoint requires signed requests: set LOOM_HTTP_SIGNING_KEY on the worker and the same value in Loom Settings > Worker Signing Key.',
        };
  }
  if (!headers.signature || !headers.timestamp)
    return { ok: false, reason: 'Missing X-Loom-Signature or X-Loom-Timestamp header.' };
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { ok: false, reason: 'X-Loom-Timestamp must be epoch seconds.' };
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowMs - timestamp * 1000) > SIGNATURE_TOLERANCE_MS)
    return { ok: false, reason: 'X-Loom-Timestamp is outside the allowed 5-minute window.' };
  return safeEqual(headers.signature, signBody(key, timestamp, rawBody))
    ? { ok: true }
    : { ok: false, reason: 'Invalid request signature.' };
}
