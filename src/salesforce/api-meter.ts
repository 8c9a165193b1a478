import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts Salesforce API calls for the work running in the current async scope (a turn, a flush). */
export interface ApiScope {
  calls: number;
  byUser: Map<string, number>;
}

export interface AllocationStatus {
  used: number;
  max: number;
}

/**
 * Process-wide API accounting: every REST request the worker makes goes through `record`.
 * `scope()` runs a function with its own counter so a turn knows exactly what it cost.
 */
export class ApiMeter {
  private readonly storage = new AsyncLocalStorage<ApiScope>();
  private readonly turns = new AsyncLocalStorage<string>();
  total = 0;
  /** Last `Sforce-Limit-Info` reading (api-usage=N/M), for pacing intake near the daily allocation. */
  allocation: AllocationStatus | undefined;

  record(userId: string): void {
    this.total += 1;
    const scope = this.storage.getStore();
    if (!scope) return;
    scope.calls += 1;
    scope.byUser.set(userId, (scope.byUser.get(userId) ?? 0) + 1);
  }

  observeLimitInfo(info: { used: number; limit: number } | undefined): void {
    if (info && info.limit > 0) this.allocation = { used: info.used, max: info.limit };
  }

  /** Fraction of the daily allocation already used, or 0 when unknown. */
  allocationUsed(): number {
    return this.allocation ? this.allocation.used / this.allocation.max : 0;
  }

  /** Runs `fn` as work of one turn: every request it makes carries the turn ID (the `X-Loom-Turn` header). */
  withTurn<T>(turnId: string, fn: () => Promise<T>): Promise<T> {
    return this.turns.run(turnId, fn);
  }

  /** The turn the current async scope works for, if any. */
  currentTurn(): string | undefined {
    return this.turns.getStore();
  }

  async scope<T>(fn: (scope: ApiScope) => Promise<T>): Promise<{ result: T; scope: ApiScope }> {
    const scope: ApiScope = { calls: 0, byUser: new Map() };
    const result = await this.storage.run(scope, () => fn(scope));
    return { result, scope };
  }
}
