import type { Logger } from '../logger.ts';
import type { BenchFigures, BenchName, Details } from './report.ts';

/** `full` is `npm run bench`; `quick` is `--quick`; `smoke` is the unit test's tiny sizes. */
export type BenchProfile = 'full' | 'quick' | 'smoke';

/** Loop sizes per profile. Throughput loops are time-boxed; these are the boxes and the floors. */
export interface BenchSizes {
  /** Repeats of each measured round; figures are the median over rounds. */
  rounds: number;
  /** Time box of one CPU micro-benchmark round (SOQL, PII, overhead). */
  roundMs: number;
  /** Passes over the SOQL corpus in the realistic mixed stream (the first sees every query once). */
  soqlMixPasses: number;
  /** Governance-overhead turns per round. */
  overheadTurns: number;
  /** Turns per API-call scenario (after the warm-up turn). */
  apiTurns: number;
  /** Turns per end-to-end throughput round, and the number of rounds. */
  throughputTurns: number;
  throughputRounds: number;
  /** Memory: turns before the first reading and in total; conversations held awaiting approval. */
  memoryFirstTurns: number;
  memoryTotalTurns: number;
  /** Time box for the turns after the first reading; the report says how many ran. */
  memoryBudgetMs: number;
  memoryPending: number;
  /** Lengths (KB) of the dense texts the screen and the masker are timed on, to see how their cost grows. */
  longTextKb: [number, number];
}

export const SIZES: Record<BenchProfile, BenchSizes> = {
  full: {
    rounds: 5,
    roundMs: 300,
    soqlMixPasses: 5,
    overheadTurns: 1_000,
    apiTurns: 10,
    throughputTurns: 200,
    throughputRounds: 3,
    memoryFirstTurns: 1_000,
    memoryTotalTurns: 10_000,
    memoryBudgetMs: 150_000,
    memoryPending: 1_000,
    longTextKb: [256, 1024],
  },
  quick: {
    rounds: 3,
    roundMs: 150,
    soqlMixPasses: 5,
    overheadTurns: 500,
    apiTurns: 4,
    throughputTurns: 150,
    throughputRounds: 1,
    memoryFirstTurns: 200,
    memoryTotalTurns: 1_000,
    memoryBudgetMs: 20_000,
    memoryPending: 200,
    longTextKb: [128, 512],
  },
  smoke: {
    rounds: 1,
    roundMs: 5,
    soqlMixPasses: 2,
    overheadTurns: 10,
    apiTurns: 1,
    throughputTurns: 4,
    throughputRounds: 1,
    memoryFirstTurns: 4,
    memoryTotalTurns: 8,
    memoryBudgetMs: 10_000,
    memoryPending: 4,
    longTextKb: [16, 64],
  },
};

export interface BenchContext {
  profile: BenchProfile;
  sizes: BenchSizes;
  logger: Logger;
  /** Reports what the benchmark is doing now (drives the progress indicator). */
  progress(detail: string): void;
}

export interface BenchOutcome<K extends BenchName> {
  figures: BenchFigures[K];
  details: Details;
}

export interface Benchmark<K extends BenchName = BenchName> {
  name: K;
  /** One line: what is measured, shown in `loom bench --help` and the table. */
  title: string;
  run(context: BenchContext): Promise<BenchOutcome<K>>;
}
