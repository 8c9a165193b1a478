import type { Benchmark } from './context.ts';
import { Cluster } from './e2e/cluster.ts';
import type { Scenario } from './e2e/script.ts';
import { round } from './stats.ts';

const IN_FLIGHT = 24;

const BATCH = 250;

/**
 * Runs `scenario` turns until the worker has done `total` more than `done`, or the time box is spent (checked between
 * batches); returns the turns run and the worker's RSS (MB) after a full GC.
 */
async function runUntil(
  cluster: Cluster,
  scenario: Scenario,
  range: { done: number; total: number; budgetMs: number },
  progress: (detail: string) => void,
): Promise<{ turns: number; rssMb: number }> {
  const start = performance.now();
  let turns = range.done;
  while (turns < range.total && performance.now() - start < range.budgetMs) {
    const count = Math.min(BATCH, range.total - turns);
    const { timings } = await cluster.batch(scenario, count, IN_FLIGHT, (n) => progress(`${scenario}: ${turns + n}/${range.total} turns`));
    const expected = scenario === 'hold' ? 'awaiting-action' : 'completed';
    const wrong = timings.filter((turn) => turn.status !== expected).length;
    if (wrong > 0) throw new Error(`${wrong} ${scenario} turn(s) did not end ${expected}`);
    turns += count;
  }
  const [stats] = await cluster.stats(true);
  if (!stats) throw new Error('no worker stats');
  return { turns, rssMb: stats.rssMb };
}

export const memoryBenchmark: Benchmark<'memory'> = {
  name: 'memory',
  title: 'Worker memory: RSS after 10,000 turns, growth from 1,000 to 10,000, and per 1,000 conversations awaiting approval',
  async run({ sizes, progress, logger }) {
    progress('starting emulator and worker processes');
    const cluster = await Cluster.start({ mode: 'embedded', concurrency: 16, logger });
    try {
      await cluster.addWorker();
      const unbounded = Number.POSITIVE_INFINITY;
      const first = await runUntil(cluster, 'tools0', { done: 0, total: sizes.memoryFirstTurns, budgetMs: unbounded }, progress);
      const last = await runUntil(cluster, 'tools0', { done: first.turns, total: sizes.memoryTotalTurns, budgetMs: sizes.memoryBudgetMs }, progress);
      const pending = await runUntil(cluster, 'hold', { done: 0, total: sizes.memoryPending, budgetMs: unbounded }, progress);
      const [stats] = await cluster.stats(true);
      return {
        figures: {
          rss_mb_after_10k: round(last.rssMb),
          growth_pct_1k_to_10k: round((100 * (last.rssMb - first.rssMb)) / first.rssMb, 2),
          rss_mb_per_1k_pending: round(((pending.rssMb - last.rssMb) * 1000) / pending.turns, 2),
        },
        details: {
          first_reading_turns: first.turns,
          last_reading_turns: last.turns,
          pending_conversations: pending.turns,
          rss_mb_at_first_reading: round(first.rssMb),
          heap_mb_at_end: round(stats?.heapMb ?? 0),
        },
      };
    } finally {
      await cluster.close();
    }
  },
};
