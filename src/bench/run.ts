import { availableParallelism } from 'node:os';
import { silentLogger, type Logger } from '../logger.ts';
import { SIZES, type BenchProfile, type Benchmark } from './context.ts';
import { apiCallsBenchmark } from './api-calls.ts';
import { cliStartupBenchmark } from './cli-startup.ts';
import { governanceOverheadBenchmark } from './governance-overhead.ts';
import { injectionBenchmark } from './injection.ts';
import { piiMaskBenchmark } from './pii-mask.ts';
import { silentProgress, type ProgressSink } from './progress.ts';
import { BENCH_NAMES, validateReport, type BenchName, type BenchReport, type Details } from './report.ts';
import { memoryBenchmark } from './memory.ts';
import { soqlGuardBenchmark } from './soql-guard.ts';
import { throughputBenchmark } from './throughput.ts';

/** Every benchmark, in the order they run and print. */
export const BENCHMARKS: Benchmark[] = [
  cliStartupBenchmark,
  soqlGuardBenchmark,
  piiMaskBenchmark,
  injectionBenchmark,
  governanceOverheadBenchmark,
  apiCallsBenchmark,
  throughputBenchmark,
  memoryBenchmark,
] as Benchmark[];

export interface RunBenchOptions {
  profile?: BenchProfile;
  /** Run only these benchmarks (default: all). */
  only?: BenchName[];
  progress?: ProgressSink;
  logger?: Logger;
  /** Extra benchmarks (tests); replaces the built-in list when given. */
  benchmarks?: Benchmark[];
}

/**
 * Runs the benchmarks one after another in this process (end-to-end ones start their own emulator and worker
 * processes) and returns a validated report: every figure a measured, finite number.
 */
export async function runBench(options: RunBenchOptions = {}): Promise<BenchReport> {
  const profile = options.profile ?? 'full';
  const progress = options.progress ?? silentProgress;
  const logger = options.logger ?? silentLogger();
  const unknown = (options.only ?? []).filter((name) => !BENCH_NAMES.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCH_NAMES.join(', ')}`);
  const selected = (options.benchmarks ?? BENCHMARKS).filter(
    (bench) => !options.only || options.only.includes(bench.name),
  );
  const started = new Date();
  const report: Record<string, unknown> = {};
  const details: Record<string, Details> = {};
  for (const [position, bench] of selected.entries()) {
    progress.begin(bench.name, position + 1, selected.length);
    const begin = performance.now();
    const outcome = await bench.run({
      profile,
      sizes: SIZES[profile],
      logger: logger.child({ bench: bench.name }),
      progress: (detail) => progress.update(detail),
    });
    report[bench.name] = outcome.figures;
    const seconds = (performance.now() - begin) / 1000;
    details[bench.name] = { ...outcome.details, seconds: Math.round(seconds * 10) / 10 };
    progress.end(bench.name, seconds);
  }
  return validateReport({
    ...report,
    meta: {
      profile,
      started_at: started.toISOString(),
      duration_sec: Math.round((Date.now() - started.getTime()) / 100) / 10,
      node: process.version,
      cpus: availableParallelism(),
      details,
    },
  });
}
