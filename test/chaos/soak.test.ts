/**
 * Soak (npm run test:chaos): many turns through two scaled-mode workers with no faults, sampling each worker's heap,
 * RSS and open handles. Memory and handle counts must level off: the last quarter of the run may not grow past the
 * first quarter (after warm-up) by more than a small allowance (heap as a full GC leaves it). LOOM_CHAOS_SOAK_TURNS sets
 * the length: the default 10,000 takes about 2.5 minutes on two cores; the 20,000 is a nightly setting
 * (docs/security.md has the measured figures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../support/chaos/cluster.ts';
import { recordChaosResult } from '../support/chaos/results.ts';
import { runScenario } from '../support/chaos/scenario.ts';

const SEED = Number(process.env.LOOM_CHAOS_SEED ?? 7);
const TURNS = Number(process.env.LOOM_CHAOS_SOAK_TURNS ?? 10_000);
let cluster: ChaosCluster;

beforeAll(async () => {
  cluster = new ChaosCluster({
    seed: SEED,
    workers: 2,
    kill: { model: 0, afterTool: 0, flushBefore: 0, flushAfter: 0 },
  });
  await cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe(`chaos: soak (seed ${SEED})`, () => {
  it(`${TURNS} turns with steady memory and no growth in open handles`, async () => {
    const started = Date.now();
    const report = await runScenario(cluster, {
      turns: TURNS,
      batch: 100,
      faults: ['none'],
      killEveryMs: 0,
      batchTimeoutMs: 120_000,
    });
    const leaks = await cluster.leakScan();
    // Per worker: heap and open handles early (after warm-up) and in the last quarter, as medians.
    const figures = [...cluster.stats].map(([index, samples]) => {
      const quarter = Math.max(2, Math.floor(samples.length / 4));
      const first = samples.slice(quarter, 2 * quarter);
      const last = samples.slice(-quarter);
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
      return {
        index,
        samples: samples.length,
        first,
        last,
        text: `worker ${index}: heap ${mb(median(first.map((s) => s.heapUsed)))} -> ${mb(median(last.map((s) => s.heapUsed)))}, rss ${mb(median(first.map((s) => s.rss)))} -> ${mb(median(last.map((s) => s.rss)))}, handles ${median(first.map((s) => s.handles))} -> ${median(last.map((s) => s.handles))}`,
      };
    });
    recordChaosResult({
      name: 'soak',
      seed: SEED,
      faultsInjected: 0,
      kills: 0,
      turns: report.turns,
      lost: report.lost.length,
      duplicated: report.duplicated.length + report.sideEffectsRepeated.length + (report.stepKeysUnique ? 0 : 1),
      leaks: leaks.length,
      wrongAnswers: report.wrongAnswers.length,
      identityBreaches: report.identityViolations.length,
      uncertain: report.uncertain.length,
      notes: `${Math.round((Date.now() - started) / 1000)} s; ${figures.map((f) => f.text).join('; ')}`,
    });
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.sideEffectsRepeated).toEqual([]);
    expect(report.wrongAnswers).toEqual([]);
    expect(report.identityViolations).toEqual([]);
    expect(report.uncertain).toEqual([]);
    expect(leaks).toEqual([]);
    expect(cluster.restarts, 'no worker died during the soak').toBe(0);
    for (const { index, samples, first, last } of figures) {
      expect(samples, `worker ${index} samples`).toBeGreaterThan(8);
      expect(median(last.map((s) => s.handles)), `worker ${index} handles`).toBeLessThanOrEqual(
        Math.max(...first.map((s) => s.handles)) + 4,
      );
      expect(median(last.map((s) => s.heapUsed)), `worker ${index} heap`).toBeLessThan(
        median(first.map((s) => s.heapUsed)) * 1.5 + 32 * 1024 * 1024,
      );
    }
  });
});
