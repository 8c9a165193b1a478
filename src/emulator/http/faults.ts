/** Injected failures for chaos tests. Deterministic: counters, or a seeded pseudo-random rate. */
export interface FaultSettings {
  latencyMs: number;
  /** `soqlContains`: only queries whose SOQL text contains it (case-insensitive), to fail one lookup among many. */
  failNext: { count: number; status: number; pathPrefix: string; soqlContains?: string };
  failureRate: { rate: number; seed: number; status: number; pathPrefix: string };
  dropNext: { count: number; pathPrefix: string };
}

export type FaultDecision = { kind: 'none' } | { kind: 'fail'; status: number } | { kind: 'drop' };

const NONE: FaultSettings = {
  latencyMs: 0,
  failNext: { count: 0, status: 503, pathPrefix: '/' },
  failureRate: { rate: 0, seed: 1, status: 503, pathPrefix: '/' },
  dropNext: { count: 0, pathPrefix: '/' },
};

/** mulberry32: tiny seeded PRNG so a failure rate replays identically for the same seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private settings: FaultSettings = structuredClone(NONE);
  private random = prng(1);

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  setLatency(ms: number): void {
    this.settings.latencyMs = ms;
  }

  /** The next `count` matching requests answer `status` (default 503). */
  failNext(count: number, options: { status?: number; pathPrefix?: string; soqlContains?: string } = {}): void {
    this.settings.failNext = { count, status: options.status ?? 503, pathPrefix: options.pathPrefix ?? '/' };
    if (options.soqlContains !== undefined) this.settings.failNext.soqlContains = options.soqlContains.toLowerCase();
  }

  /** Each matching request fails with probability `rate`, drawn from a PRNG seeded with `seed`. */
  setFailureRate(rate: number, options: { seed?: number; status?: number; pathPrefix?: string } = {}): void {
    const seed = options.seed ?? 1;
    this.settings.failureRate = { rate, seed, status: options.status ?? 503, pathPrefix: options.pathPrefix ?? '/' };
    this.random = prng(seed);
  }

  /** The sockets of the next `count` matching requests are destroyed without a response. */
  dropNext(count: number, options: { pathPrefix?: string } = {}): void {
    this.settings.dropNext = { count, pathPrefix: options.pathPrefix ?? '/' };
  }

  clear(): void {
    this.settings = structuredClone(NONE);
    this.random = prng(1);
  }

  snapshot(): FaultSettings {
    return structuredClone(this.settings);
  }

  /** Consumes one fault for this request path (and SOQL text, for queries), if any applies. */
  decide(path: string, soql?: string): FaultDecision {
    const { dropNext, failNext, failureRate } = this.settings;
    if (dropNext.count > 0 && path.startsWith(dropNext.pathPrefix)) {
      dropNext.count--;
      return { kind: 'drop' };
    }
    const soqlMatches =
      failNext.soqlContains === undefined || (soql ?? '').toLowerCase().includes(failNext.soqlContains);
    if (failNext.count > 0 && path.startsWith(failNext.pathPrefix) && soqlMatches) {
      failNext.count--;
      return { kind: 'fail', status: failNext.status };
    }
    if (failureRate.rate > 0 && path.startsWith(failureRate.pathPrefix) && this.random() < failureRate.rate) {
      return { kind: 'fail', status: failureRate.status };
    }
    return { kind: 'none' };
  }
}
