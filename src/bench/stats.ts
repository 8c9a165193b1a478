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

/**
 * How a per-text cost grows with the text's length: CPU ms for one run over `unit` repeated to `small` and to `large`
 * characters, and the growth factor (time ratio over length ratio; 1 is linear). A detector that rescans the whole
 * text for every hit shows up here as a factor near the length ratio, long before a test could see it.
 */
export async function growth(
  unit: string,
  small: number,
  large: number,
  run: (text: string) => unknown,
): Promise<{ small_ms: number; large_ms: number; factor: number }> {
  const time = async (length: number): Promise<number> => {
    const text = unit.repeat(Math.ceil(length / unit.length));
    const samples: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = cpuMs();
      const result = run(text);
      if (result instanceof Promise) await result;
      samples.push(cpuMs() - start);
    }
    return median(samples);
  };
  await time(small); // warm-up
  const smallMs = await time(small);
  const largeMs = await time(large);
  return {
    small_ms: round(smallMs, 1),
    large_ms: round(largeMs, 1),
    factor: round(largeMs / Math.max(smallMs, 0.001) / (large / small), 2),
  };
}

/** `growth` as the three detail rows a benchmark reports: the long text's size, its time and the growth factor. */
export async function longTextDetails(
  unit: string,
  [small, large]: [number, number],
  run: (text: string) => unknown,
): Promise<{ long_text_kb: number; long_text_ms: number; long_text_growth: number }> {
  const long = await growth(unit, small * 1024, large * 1024, run);
  return { long_text_kb: large, long_text_ms: long.large_ms, long_text_growth: long.factor };
}
