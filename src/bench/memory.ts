import type { Benchmark } from './context.ts';
import { Cluster } from './e2e/cluster.ts';
import type { Scenario } from './e2e/script.ts';
import { median, round } from './stats.ts';

const IN_FLIGHT = 24;
const BATCH = 250;
/** Readings per measurement point: RSS after a full GC still moves by tens of MB as V8 hands pages back. */
const READINGS = 3;

interface Reading {
  rssMb: number;
  heapMb: number;
}

/** The worker's RSS and heap after a full GC, median of a few readings. */
async function read(cluster: Cluster): Promise<Reading> {
  const rss: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < READINGS; i++) {
    const [stats] = await cluster.stats(true);
    if (!stats) throw new Error('no worker stats');
    rss.push(stats.rssMb);
    heap.push(stats.heapMb);
  }
  return { rssMb: median(rss), heapMb: median(heap) };
}

/**
 * Runs `scenario` turns until the worker has done `total` (counting from `done`), or the time box is spent (checked
 * between batches); returns how many turns ran in all.
 */
async function runUntil(
  cluster: Cluster,
  scenario: Scenario,
  range: { done: number; total: number; budgetMs: number },
  progress: (detail: string) => void,
): Promise<number> {
  const start = performance.now();
  let turns = range.done;
  while (turns < range.total && performance.now() - start < range.budgetMs) {
    const count = Math.min(BATCH, range.total - turns);
    const { timings } = await cluster.batch(scenario, count, IN_FLIGHT, (n) =>
      progress(`${scenario}: ${turns + n}/${range.total} turns`),
    );
    const expected = scenario === 'hold' ? 'awaiting-action' : 'completed';
    const wrong = timings.filter((turn) => turn.status !== expected).length;
    if (wrong > 0) throw new Error(`${wrong} ${scenario} turn(s) did not end ${expected}`);
    turns += count;
  }
  return turns;
}

export const memoryBenchmark: Benchmark<'memory'> = {
  name: 'memory',
  title:
    'Worker memory: RSS after 10,000 turns, growth from 1,000 to 10,000, and per 1,000 conversations awaiting approval',
  async run({ sizes, progress, logger }) {
    progress('starting emulator and worker processes');
    const cluster = await Cluster.start({ mode: 'embedded', concurrency: 16, logger });
    try {
      await cluster.addWorker();
      const unbounded = Number.POSITIVE_INFINITY;
      const firstTurns = await runUntil(
        cluster,
        'tools0',
        { done: 0, total: sizes.memoryFirstTurns, budgetMs: unbounded },
        progress,
      );
      const first = await read(cluster);
      const lastTurns = await runUntil(
        cluster,
        'tools0',
        { done: firstTurns, total: sizes.memoryTotalTurns, budgetMs: sizes.memoryBudgetMs },
        progress,
      );
      const last = await read(cluster);
      // Conversations held by the real HITL gate: each turn ends with a signed PendingHITLAction__c in Salesforce.
      const pendingBefore = (await cluster.records('PendingHITLAction__c')).length;
      const pendingTurns = await runUntil(
        cluster,
        'hold',
        { done: 0, total: sizes.memoryPending, budgetMs: unbounded },
        progress,
      );
      const pendingRecords = (await cluster.records('PendingHITLAction__c')).length - pendingBefore;
      if (pendingRecords !== pendingTurns)
        throw new Error(`${pendingTurns} held turns wrote ${pendingRecords} PendingHITLAction__c records`);
      const pending = await read(cluster);
      const perThousand = (mb: number): number => round((mb * 1000) / pendingTurns, 2);
      return {
        figures: {
          rss_mb_after_10k: round(last.rssMb),
          growth_pct_1k_to_10k: round((100 * (last.rssMb - first.rssMb)) / first.rssMb, 2),
          rss_mb_per_1k_pending: perThousand(pending.rssMb - last.rssMb),
        },
        details: {
          first_reading_turns: firstTurns,
          last_reading_turns: lastTurns,
          pending_conversations: pendingTurns,
          rss_mb_at_first_reading: round(first.rssMb),
          heap_mb_at_first_reading: round(first.heapMb),
          heap_mb_at_last_reading: round(last.heapMb),
          heap_growth_pct_1k_to_10k: round((100 * (last.heapMb - first.heapMb)) / first.heapMb, 2),
          heap_mb_per_1k_pending: perThousand(pending.heapMb - last.heapMb),
          heap_mb_at_end: round(pending.heapMb),
        },
      };
    } finally {
      await cluster.close();
    }
  },
};
