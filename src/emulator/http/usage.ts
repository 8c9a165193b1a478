import { RollingAllocation } from '../streaming/allocation.ts';

/** Salesforce's Developer Edition daily allocation, used when the seed sets none. */
export const DEFAULT_DAILY_API_LIMIT = 15000;
/** Salesforce counts API requests over a rolling 24 hours. */
const WINDOW_MS = 24 * 3600 * 1000;
const MAX_LOG_ENTRIES = 20000;

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  /** null for unauthenticated requests (token endpoint, versions list, refused tokens). */
  userId: string | null;
  tokenId: string | null;
  /** The turn the client says the request works for (`X-Loom-Turn`), or null. */
  turn: string | null;
  status: number;
  /** Whether the request consumed one unit of the daily API allocation. */
  counted: boolean;
}

export interface UsageSnapshot {
  limit: number;
  used: number;
  remaining: number;
  byUser: Record<string, number>;
  byToken: Record<string, number>;
}

/**
 * The org's daily API allocation (every authenticated REST request, composite = 1, rolling 24 h on the emulator
 * clock) plus cumulative per-user and per-token counters and the request log.
 */
export class ApiUsage {
  private readonly allocation: RollingAllocation;
  private readonly byUser = new Map<string, number>();
  private readonly byToken = new Map<string, number>();
  private readonly log: RequestLogEntry[] = [];
  private seq = 0;

  constructor(limit: number = DEFAULT_DAILY_API_LIMIT, now: () => number = Date.now) {
    this.allocation = new RollingAllocation(limit, WINDOW_MS, now);
  }

  private get used(): number {
    return this.allocation.used();
  }

  private get limit(): number {
    return this.allocation.limit;
  }

  /** Takes one unit for this user and token; false when the allocation is spent (nothing is taken). */
  tryConsume(userId: string, tokenId: string): boolean {
    if (!this.allocation.tryConsume()) return false;
    this.byUser.set(userId, (this.byUser.get(userId) ?? 0) + 1);
    this.byToken.set(tokenId, (this.byToken.get(tokenId) ?? 0) + 1);
    return true;
  }

  /** `Sforce-Limit-Info` value. */
  header(): string {
    return `api-usage=${this.used}/${this.limit}`;
  }

  get max(): number {
    return this.limit;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  setLimit(limit: number): void {
    this.allocation.setLimit(limit);
  }

  /** Spends what is left, so the next authenticated request gets REQUEST_LIMIT_EXCEEDED. */
  exhaust(): void {
    this.allocation.exhaust();
  }

  snapshot(): UsageSnapshot {
    return {
      limit: this.limit,
      used: this.used,
      remaining: this.remaining,
      byUser: Object.fromEntries(this.byUser),
      byToken: Object.fromEntries(this.byToken),
    };
  }

  record(entry: Omit<RequestLogEntry, 'seq' | 'time'>, now: number): void {
    this.log.push({ seq: ++this.seq, time: new Date(now).toISOString(), ...entry });
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Back to zero usage and an empty log; `limit` restores the seed allocation. */
  reset(limit: number): void {
    this.allocation.setLimit(limit);
    this.allocation.reset();
    this.byUser.clear();
    this.byToken.clear();
    this.clearLog();
  }
}
