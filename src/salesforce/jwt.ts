import { createSign } from 'node:crypto';
import { z } from 'zod';
import { PermanentError, TransientError } from '../errors.ts';

/** The OAuth 2.0 JWT bearer assertion Salesforce expects: RS256, iss = consumer key, sub = username, aud = login URL. */
export function createJwtAssertion(input: {
  clientId: string;
  username: string;
  audience: string;
  privateKeyPem: string;
  nowMs?: number;
}): string {
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const header = { alg: 'RS256', typ: 'JWT' };
  // Salesforce wants exp within 3 minutes; it bounds only the assertion, not the session it buys.
  const claims = { iss: input.clientId, sub: input.username, aud: input.audience, exp: nowSeconds + 180 };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(input.privateKeyPem);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export const TokenResponse = z.object({
  access_token: z.string().min(1),
  instance_url: z.url(),
  id: z.string().regex(/\/[A-Za-z0-9]{15,18}\/[A-Za-z0-9]{15,18}$/, 'id URL must end with /{orgId}/{userId}'),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/** A token request Salesforce refused (`invalid_grant` …): permanent for this user until an admin fixes access. */
export class TokenGrantError extends PermanentError {
  constructor(
    readonly username: string,
    readonly error: string,
    readonly description: string,
  ) {
    super(`Salesforce refused a session for ${username}: ${error} (${description})`, { category: 'AuthFailed' });
  }
}

/** Exchanges a signed assertion for an access token at `{loginUrl}/services/oauth2/token`. */
export async function requestJwtToken(
  loginUrl: string,
  username: string,
  assertion: string,
  timeoutMs = 30_000,
): Promise<TokenResponse> {
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
  let response: Response;
  try {
    response = await fetch(new URL('/services/oauth2/token', loginUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new TransientError(`Token request for ${username} failed: ${(error as Error).message}`, {
      category: 'Network',
      cause: error,
    });
  }
  const text = await response.text();
  if (response.status >= 500) {
    throw new TransientError(`Token endpoint answered HTTP ${response.status}`, { category: 'ProviderUnavailable' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PermanentError(`Token endpoint answered HTTP ${response.status} with a non-JSON body`, {
      category: 'AuthFailed',
    });
  }
  if (!response.ok) {
    const parsed = TokenError.safeParse(json);
    if (parsed.success) throw new TokenGrantError(username, parsed.data.error, parsed.data.error_description ?? '');
    throw new PermanentError(`Token endpoint answered HTTP ${response.status}`, { category: 'AuthFailed' });
  }
  const parsed = TokenResponse.safeParse(json);
  if (!parsed.success)
    throw new PermanentError(`Malformed token response: ${z.prettifyError(parsed.error)}`, { category: 'AuthFailed' });
  return parsed.data;
}

/** `https://…/id/00D…/005…` → org and user IDs. */
export function parseIdentityUrl(idUrl: string): { orgId: string; userId: string } {
  const parts = new URL(idUrl).pathname.split('/').filter(Boolean);
  const userId = parts.at(-1);
  const orgId = parts.at(-2);
  if (!userId || !orgId) throw new PermanentError(`Unexpected identity URL ${idUrl}`, { category: 'AuthFailed' });
  return { orgId, userId };
}
