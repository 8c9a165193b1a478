import { createPrivateKey, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { z } from 'zod';

/** A JWT bearer assertion that failed validation: becomes `{error, error_description}` with HTTP 400. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

const Header = z.object({ alg: z.string(), typ: z.string().optional() }).loose();
const Claims = z
  .object({
    iss: z.string().min(1),
    sub: z.string().min(1),
    aud: z.union([z.string(), z.array(z.string())]),
    exp: z.number(),
  })
  .loose();
export type JwtClaims = z.infer<typeof Claims>;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new OAuthError('invalid_grant', 'invalid assertion');
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new OAuthError('invalid_grant', 'invalid assertion');
  }
}

/** Splits and schema-checks an assertion WITHOUT verifying it: callers must still call `verifyRs256`. */
export function decodeAssertion(assertion: string): { claims: JwtClaims; signingInput: string; signature: Buffer } {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw new OAuthError('invalid_grant', 'invalid assertion');
  const [h = '', p = '', s = ''] = parts;
  const header = Header.safeParse(decodeSegment(h));
  if (!header.success || header.data.alg !== 'RS256') throw new OAuthError('invalid_grant', 'invalid assertion');
  const claims = Claims.safeParse(decodeSegment(p));
  if (!claims.success) throw new OAuthError('invalid_grant', 'invalid assertion');
  return { claims: claims.data, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** Real RS256 verification against the public key of a PEM X.509 certificate. */
export function verifyRs256(signingInput: string, signature: Buffer, certificatePem: string): boolean {
  try {
    const key = new X509Certificate(certificatePem).publicKey;
    return cryptoVerify('RSA-SHA256', Buffer.from(signingInput), key, signature);
  } catch {
    return false;
  }
}

/** `exp` may be seconds (spec) or milliseconds (@salesforce/core); only expired assertions are refused. */
export function isExpired(exp: number, nowMs: number): boolean {
  const expMs = exp > 1e11 ? exp : exp * 1000;
  return expMs < nowMs;
}

/** Signs a JWT bearer assertion with a PEM private key (dev tooling and tests; the server only verifies). */
export function signAssertion(
  claims: { iss: string; sub: string; aud: string; exp?: number } & Record<string, unknown>,
  privateKeyPem: string,
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 180, ...claims }));
  const signature = cryptoSign('RSA-SHA256', Buffer.from(`${header}.${body}`), createPrivateKey(privateKeyPem));
  return `${header}.${body}.${b64url(signature)}`;
}
