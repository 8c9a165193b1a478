import type { Logger } from '../logger.ts';
import { createJwtAssertion, parseIdentityUrl, requestJwtToken } from './jwt.ts';

export interface UserSession {
  username: string;
  userId: string;
  orgId: string;
  accessToken: string;
  instanceUrl: string;
  obtainedAt: number;
}

export interface SessionPoolOptions {
  loginUrl: string;
  clientId: string;
  privateKeyPem: string;
  /** JWT audience; defaults to the login URL (what Salesforce and the emulator accept). */
  audience?: string;
  /** Re-authenticate proactively after this age, before the org's session timeout can bite (default 50 minutes). */
  maxAgeMs?: number;
  logger: Logger;
  now?: () => number;
}

/**
 * One OAuth session per Salesforce user, obtained with the JWT bearer flow and cached until near expiry.
 * Concurrent callers for the same user share one token request (single flight).
 */
export class SessionPool {
  private readonly sessions = new Map<string, UserSession>();
  private readonly inflight = new Map<string, Promise<UserSession>>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Token requests made, by username: the tests and benchmarks read this. */
  readonly logins = new Map<string, number>();

  constructor(private readonly options: SessionPoolOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 50 * 60_000;
    this.now = options.now ?? Date.now;
  }

  async session(username: string, options: { forceRefresh?: boolean } = {}): Promise<UserSession> {
    const key = username.toLowerCase();
    const cached = this.sessions.get(key);
    if (cached && !options.forceRefresh && this.now() - cached.obtainedAt < this.maxAgeMs) return cached;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const login = this.login(username).finally(() => this.inflight.delete(key));
    this.inflight.set(key, login);
    return login;
  }

  /** Forget a session the org refused (401), unless a newer one already replaced it. */
  invalidate(username: string, accessToken: string): void {
    const key = username.toLowerCase();
    if (this.sessions.get(key)?.accessToken === accessToken) this.sessions.delete(key);
  }

  clear(): void {
    this.sessions.clear();
  }

  private async login(username: string): Promise<UserSession> {
    const { loginUrl, clientId, privateKeyPem } = this.options;
    const assertion = createJwtAssertion({
      clientId,
      username,
      audience: this.options.audience ?? loginUrl,
      privateKeyPem,
      nowMs: this.now(),
    });
    this.logins.set(username.toLowerCase(), (this.logins.get(username.toLowerCase()) ?? 0) + 1);
    const token = await requestJwtToken(loginUrl, username, assertion);
    const { orgId, userId } = parseIdentityUrl(token.id);
    const session: UserSession = {
      username,
      userId,
      orgId,
      accessToken: token.access_token,
      instanceUrl: token.instance_url,
      obtainedAt: this.now(),
    };
    this.sessions.set(username.toLowerCase(), session);
    this.options.logger.debug({ userId, org: orgId }, 'salesforce session obtained');
    return session;
  }
}
