import type { DescribeIndex } from '../governance/describe.ts';
import { baselineInputs, baselineRegexCheck, checkSoql, resetSoqlGuardCaches } from '../governance/soql-guard/index.ts';
import type { Benchmark } from './context.ts';
import { loadDescribeIndex, loadSoqlCorpus, type SoqlEntry } from './corpora.ts';
import { cpuRate, median, ratePerSecond, round, seededRandom } from './stats.ts';

type Persona = SoqlEntry['persona'];
type Check = (entry: SoqlEntry) => boolean;

/**
 * The realistic mixed stream: every distinct query once, plus (passes − 1) × N repeats drawn with Zipf(1) weights
 * (text-to-SOQL asks a few questions often), shuffled with a fixed seed. With 5 passes, 20% of checks are first sights.
 */
export function mixedStream(corpus: SoqlEntry[], passes: number): SoqlEntry[] {
  const random = seededRandom(0x50c1);
  const ranked = [...corpus].sort(() => random() - 0.5);
  const weights = ranked.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const draw = (): SoqlEntry => {
    let target = random() * total;
    for (let i = 0; i < ranked.length; i++) {
      target -= weights[i] as number;
      if (target <= 0) return ranked[i] as SoqlEntry;
    }
    return ranked[ranked.length - 1] as SoqlEntry;
  };
  const stream = [...corpus];
  for (let i = 0; i < (passes - 1) * corpus.length; i++) stream.push(draw());
  for (let i = stream.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [stream[i], stream[j]] = [stream[j] as SoqlEntry, stream[i] as SoqlEntry];
  }
  return stream;
}

/** Leaks (a block label the check allows) and false blocks (an allow label it refuses). */
function score(corpus: SoqlEntry[], allows: Check): { leaks: number; falseBlocks: number } {
  let leaks = 0;
  let falseBlocks = 0;
  for (const entry of corpus) {
    const allowed = allows(entry);
    if (allowed && entry.expected === 'block') leaks++;
    if (!allowed && entry.expected === 'allow') falseBlocks++;
  }
  return { leaks, falseBlocks };
}

export const soqlGuardBenchmark: Benchmark<'soql_guard'> = {
  name: 'soql_guard',
  title: 'SOQL guard: checks per second and leaks on the labelled corpus, against the reference post regex check',
  async run({ sizes, progress }) {
    const corpus = loadSoqlCorpus();
    const fresh = (): Record<Persona, DescribeIndex> => ({
      officer: loadDescribeIndex('officer'),
      underwriter: loadDescribeIndex('underwriter'),
    });
    // The baseline denies by subtraction from the full schema; the underwriter sees every field the officer is denied.
    const full = loadDescribeIndex('underwriter');
    const baseline = {
      officer: baselineInputs(loadDescribeIndex('officer'), full),
      underwriter: baselineInputs(full, full),
    };
    const baselineCheck: Check = (entry) =>
      baselineRegexCheck(entry.query, baseline[entry.persona].allowed, baseline[entry.persona].full).allowed;

    progress('quality pass');
    resetSoqlGuardCaches();
    const indexes = fresh();
    const guard = score(corpus, (entry) => checkSoql(entry.query, indexes[entry.persona]).allowed);
    const reference = score(corpus, baselineCheck);

    const stream = mixedStream(corpus, sizes.soqlMixPasses);
    const cold: number[] = [];
    const warm: number[] = [];
    const mixed: number[] = [];
    const base: number[] = [];
    for (let r = -1; r < sizes.rounds; r++) {
      progress(`round ${r + 2}/${sizes.rounds + 1}`);
      // Cold: empty caches, every corpus query once (the parser, the walk and the re-check all run).
      resetSoqlGuardCaches();
      let current = fresh();
      const coldRate = cpuRate(corpus.length, () => {
        for (const entry of corpus) checkSoql(entry.query, current[entry.persona]);
      });
      // Warm: the same queries again, answered from the verdict cache.
      const warmRate = await ratePerSecond(corpus.length, sizes.roundMs, () => {
        for (const entry of corpus) checkSoql(entry.query, current[entry.persona]);
      });
      // Mixed: empty caches, then the Zipf stream (first sights plus repeats).
      resetSoqlGuardCaches();
      current = fresh();
      const mixedRate = cpuRate(stream.length, () => {
        for (const entry of stream) checkSoql(entry.query, current[entry.persona]);
      });
      const baseRate = await ratePerSecond(stream.length, sizes.roundMs, () => {
        for (const entry of stream) baselineCheck(entry);
      });
      if (r < 0) continue; // JIT warm-up round
      cold.push(coldRate);
      warm.push(warmRate);
      mixed.push(mixedRate);
      base.push(baseRate);
    }
    return {
      figures: {
        checks_per_sec: Math.round(median(mixed)),
        baseline_checks_per_sec: Math.round(median(base)),
        leaks: guard.leaks,
        false_blocks: guard.falseBlocks,
        baseline_leaks: reference.leaks,
        baseline_false_blocks: reference.falseBlocks,
      },
      details: {
        cold_checks_per_sec: Math.round(median(cold)),
        warm_checks_per_sec: Math.round(median(warm)),
        distinct_queries: corpus.length,
        mixed_stream_checks: stream.length,
        first_sight_pct: round((100 * corpus.length) / stream.length),
        block_labels: corpus.filter((entry) => entry.expected === 'block').length,
        allow_labels: corpus.filter((entry) => entry.expected === 'allow').length,
      },
    };
  },
};
