import { Redis } from 'ioredis';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** One named readiness probe: Redis, the Salesforce session, the event subscription, the injection model. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<CheckResult>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** Runs every probe in parallel, each bounded by `timeoutMs`; a probe that throws or hangs is not ready. */
export async function runReadiness(checks: readonly ReadinessCheck[], timeoutMs = 3_000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (probe): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
      });
      try {
        return [probe.name, await Promise.race([probe.check(), timeout])];
      } catch (error) {
        return [probe.name, { ok: false, detail: (error as Error).message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, result]) => result.ok), checks: Object.fromEntries(results) };
}

/** PINGs Redis on a short-lived connection that never retries (a probe must not queue commands). */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<CheckResult> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // Without retries `connect()` only rejects with "Connection is closed."; the socket error says why (ECONNREFUSED, DNS).
  let socketError: Error | undefined;
  client.on('error', (error: Error) => (socketError ??= error));
  try {
    await client.connect();
    const pong = await client.ping();
    return pong === 'PONG' ? { ok: true } : { ok: false, detail: `unexpected PING answer ${pong}` };
  } catch (error) {
    return { ok: false, detail: socketError?.message || (error as Error).message || 'connection refused' };
  } finally {
    client.disconnect();
  }
}

/**
 * A probe whose answer is reused for `ttlMs`: readiness is polled every few seconds by orchestrators, and each real
 * check is one authenticated API call, so a burst of probes costs one call, and a failure shows within `ttlMs`.
 */
export function cachedCheck(
  ttlMs: number,
  check: () => Promise<CheckResult>,
  now: () => number = Date.now,
): () => Promise<CheckResult> {
  let last: { at: number; result: Promise<CheckResult> } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const result = check().catch((error: unknown): CheckResult => ({ ok: false, detail: (error as Error).message }));
      last = { at: now(), result };
    }
    return last.result;
  };
}

/**
 * Ready when the injection screen's learned weights loaded. When they do not, the screen fails closed (every text is
 * flagged `detector_error`, so every turn is refused): the worker runs but cannot serve, and readiness says why.
 */
export function injectionModelCheck(loaded: () => boolean): () => Promise<CheckResult> {
  return async () =>
    loaded()
      ? { ok: true, detail: 'learned weights loaded' }
      : {
          ok: false,
          detail:
            'the learned injection weights did not load: every text is flagged (retrain with npm run train:injection)',
        };
}

/** What the subscription probe asks: the worker's mode, leadership, and its CometD client's own connection state. */
export interface SubscriptionSource {
  readonly mode: 'embedded' | 'scaled';
  isLeader(): boolean;
  subscription(): { state: string; detail: string } | undefined;
}

/** Ready when this process's CometD client is connected and subscribed, or when it is a scaled-mode standby. */
export function subscriptionCheck(worker: SubscriptionSource, started: () => boolean): () => Promise<CheckResult> {
  return async () => {
    if (!started()) return { ok: false, detail: 'the worker has not started' };
    const state = worker.subscription();
    if (!state) {
      if (worker.mode === 'scaled' && !worker.isLeader())
        return { ok: true, detail: 'scaled: standby (another process holds the subscription)' };
      return { ok: false, detail: `${worker.mode}: no subscription` };
    }
    const role = worker.mode === 'scaled' ? 'scaled: leader, ' : 'embedded: ';
    return { ok: state.state === 'connected', detail: `${role}${state.state} (${state.detail})` };
  };
}
