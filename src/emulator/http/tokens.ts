import { createHash, randomBytes } from 'node:crypto';
import type { OrgApi, UserAccess } from '../org/model.ts';
import type { Clock } from './clock.ts';

/** Salesforce's default session timeout policy (2 hours). */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 7200;

export interface TokenRecord {
  /** A stable, non-secret handle for logs and admin calls. */
  tokenId: string;
  userId: string;
  clientId: string;
  scope: string;
  issuedAt: number;
  lastUsedAt: number;
  revoked: boolean;
}

export interface ResolvedToken {
  userId: string;
  access: UserAccess;
  tokenId: string;
}

/** Non-secret identifier of a token (sha-256 prefix), safe to log. */
export function tokenIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/**
 * Access tokens minted by the token endpoint. A token dies when revoked, expired by an admin, idle longer than the
 * session timeout, or when its user is deactivated. Only REST and CometD activity (`touch`) keeps it alive.
 */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly revokeListeners: Array<() => void> = [];
  private timeoutSeconds: number;

  constructor(
    private readonly org: OrgApi,
    private readonly clock: Clock,
    sessionTimeoutSeconds?: number,
  ) {
    this.timeoutSeconds = sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS;
  }

  /** Mints `<15-char org id>!<[A-Za-z0-9._]+>`. */
  issue(userId: string, clientId: string, scope = 'api'): { token: string; record: TokenRecord } {
    const secret = randomBytes(48).toString('base64').replace(/\+/g, '.').replace(/\//g, '_').replace(/=+$/, '');
    const token = `${this.org.orgId.slice(0, 15)}!AQ8A${secret}`;
    const now = this.clock.now();
    const record: TokenRecord = {
      tokenId: tokenIdOf(token),
      userId,
      clientId,
      scope,
      issuedAt: now,
      lastUsedAt: now,
      revoked: false,
    };
    this.tokens.set(token, record);
    return { token, record };
  }

  /** The live token's user and access, or undefined. Does not extend the session. */
  resolve(token: string): ResolvedToken | undefined {
    const record = this.live(token);
    if (!record) return undefined;
    return { userId: record.userId, access: this.org.access(record.userId), tokenId: record.tokenId };
  }

  /** Marks activity (REST or CometD) so the idle timeout restarts. */
  touch(token: string): void {
    const record = this.live(token);
    if (record) record.lastUsedAt = this.clock.now();
  }

  /** The record of a live token (introspection). */
  info(token: string): TokenRecord | undefined {
    return this.live(token);
  }

  revoke(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record || record.revoked) return false;
    record.revoked = true;
    this.notifyRevoked();
    return true;
  }

  /** Called after any revocation (CometD answers the held connects of dead tokens). */
  onRevoke(listener: () => void): void {
    this.revokeListeners.push(listener);
  }

  /** Revokes every token, or only a user's; returns how many were live. */
  revokeAll(filter: { userId?: string } = {}): number {
    let count = 0;
    for (const [token, record] of this.tokens) {
      if (filter.userId && record.userId !== filter.userId) continue;
      if (this.live(token)) count++;
      record.revoked = true;
    }
    this.notifyRevoked();
    return count;
  }

  /** Expires one token given either the token itself or its tokenId. */
  expire(tokenOrId: string): boolean {
    for (const [token, record] of this.tokens) {
      if (token === tokenOrId || record.tokenId === tokenOrId) return this.revoke(token);
    }
    return false;
  }

  setSessionTimeout(seconds: number): void {
    this.timeoutSeconds = seconds;
  }

  get sessionTimeoutSeconds(): number {
    return this.timeoutSeconds;
  }

  list(): TokenRecord[] {
    return [...this.tokens.values()].map((record) => ({ ...record }));
  }

  clear(): void {
    this.tokens.clear();
  }

  private notifyRevoked(): void {
    for (const listener of this.revokeListeners) listener();
  }

  private live(token: string): TokenRecord | undefined {
    const record = this.tokens.get(token);
    if (!record || record.revoked) return undefined;
    if (this.clock.now() - record.lastUsedAt > this.timeoutSeconds * 1000) {
      record.revoked = true;
      return undefined;
    }
    const user = this.org.userById(record.userId);
    if (!user || !user.isActive) return undefined;
    return record;
  }
}
