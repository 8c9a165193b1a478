import type { Benchmark } from './context.ts';
import { Cluster } from './e2e/cluster.ts';
import type { Scenario } from './e2e/script.ts';
import { round } from './stats.ts';

const IN_FLIGHT = 24;

/** Runs turns until the worker has done `total` in all; returns its RSS (MB) after a full GC. */
async function runUntil(cluster: Cluster, scenario: Scenario, done: number, total: number, progress: (detail: string) => void): Promise<number> {
  if (total > done) {
    const { timings } = await cluster.batch(scenario, total - done, IN_FLIGHT, (n) => progress(`${scenario}: ${done + n}/${total} turns`));
    const expected = scenario === 'hold' ? 'awaiting-action' : 'completed';
    const wrong = timings.filter((turn) => turn.status !== expected).length;
    if (wrong > 0) throw new Error(`${wrong} ${scenario} turn(s) did not end ${expected}`);
  }
  const [stats] = await cluster.stats(true);
  if (!stats) throw new Error('no worker stats');
  return stats.rssMb;
}

export const memoryBenchmark: Benchmark<'memory'> = {
  name: 'memory',
  title: 'Worker memory: RSS after 10,000 turns, growth from 1,000 to 10,000, and per 1,000 conversations awaiting approval',
  async run({ sizes, progress, logger }) {
    progress('starting emulator and worker processes');
    const cluster = await Cluster.start({ mode: 'embedded', concurrency: 16, logger });
    try {
      await cluster.addWorker();
      const first = await runUntil(cluster, 'tools0', 0, sizes.memoryFirstTurns, progress);
      const last = await runUntil(cluster, 'tools0', sizes.memoryFirstTurns, sizes.memoryTotalTurns, progress);
      const beforePending = last;
      const afterPending = await runUntil(cluster, 'hold', 0, sizes.memoryPending, progress);
      const [stats] = await cluster.stats(true);
      return {
        figures: {
          rss_mb_after_10k: round(last),
          growth_pct_1k_to_10k: round((100 * (last - first)) / first, 2),
          rss_mb_per_1k_pending: round(((afterPending - beforePending) * 1000) / sizes.memoryPending, 2),
        },
        details: {
          first_reading_turns: sizes.memoryFirstTurns,
          total_turns: sizes.memoryTotalTurns,
          pending_conversations: sizes.memoryPending,
          rss_mb_after_first: round(first),
          heap_mb_at_end: round(stats?.heapMb ?? 0),
        },
      };
    } finally {
      await cluster.close();
    }
  },
};
