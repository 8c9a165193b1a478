/** Median of a non-empty sample (mean of the middle two for even sizes). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** CPU time (user + system) this process has used, in milliseconds. */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Runs `unit` (which processes `size` items) repeatedly for at least `budgetMs` of CPU time and at least once, and
 * returns items per CPU second. CPU time, not wall time, so other processes on a busy machine do not lower the figure.
 * Async so that promise-returning work (the masker) is measured including its awaits.
 */
export async function ratePerSecond(size: number, budgetMs: number, unit: () => unknown): Promise<number> {
  let items = 0;
  const start = cpuMs();
  let elapsed: number;
  do {
    const result = unit();
    if (result instanceof Promise) await result;
    items += size;
    elapsed = cpuMs() - start;
  } while (elapsed < budgetMs);
  return (items / Math.max(elapsed, 0.001)) * 1000;
}

/** Items per CPU second for one run of `unit` over `size` items. */
export function cpuRate(size: number, unit: () => void): number {
  const start = cpuMs();
  unit();
  return (size / Math.max(cpuMs() - start, 0.001)) * 1000;
}

/** Deterministic PRNG (mulberry32), so corpora mixes are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
