/**
 * Soak (npm run test:chaos): many turns through two scaled-mode workers with no faults, sampling each worker's heap and
 * open handles. Memory and handle counts must level off: the last quarter of the run may not grow past the first
 * quarter by more than a small allowance. LOOM_CHAOS_SOAK_TURNS sets the length (default 2000; the 20,000 fits
 * a nightly run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../support/chaos/cluster.ts';
import { recordChaosResult } from '../support/chaos/results.ts';
import { runScenario } from '../support/chaos/scenario.ts';

const SEED = Number(process.env.LOOM_CHAOS_SEED ?? 7);
const TURNS = Number(process.env.LOOM_CHAOS_SOAK_TURNS ?? 2_000);
let cluster: ChaosCluster;

beforeAll(async () => {
  cluster = new ChaosCluster({ seed: SEED, workers: 2, kill: { model: 0, afterTool: 0, flushBefore: 0, flushAfter: 0 } });
  await cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe(`chaos: soak (seed ${SEED})`, () => {
  it(`${TURNS} turns with steady memory and no growth in open handles`, async () => {
    const report = await runScenario(cluster, { turns: TURNS, batch: 100, faults: ['none'], killEveryMs: 0, batchTimeoutMs: 120_000 });
    recordChaosResult({ name: 'soak', seed: SEED, faultsInjected: 0, kills: 0, turns: report.turns, lost: report.lost.length, duplicated: report.duplicated.length, leaks: 0 });
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    for (const [index, samples] of cluster.stats) {
      expect(samples.length, `worker ${index} samples`).toBeGreaterThan(8);
      const quarter = Math.max(2, Math.floor(samples.length / 4));
      const first = samples.slice(quarter, 2 * quarter); // skip warm-up
      const last = samples.slice(-quarter);
      expect(median(last.map((s) => s.handles)), `worker ${index} handles`).toBeLessThanOrEqual(Math.max(...first.map((s) => s.handles)) + 4);
      expect(median(last.map((s) => s.heapUsed)), `worker ${index} heap`).toBeLessThan(median(first.map((s) => s.heapUsed)) * 1.5 + 32 * 1024 * 1024);
    }
  });
});
