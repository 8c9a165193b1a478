/**
 * Faults, long version (npm run test:chaos): 500 turns across three scaled-mode worker processes with scheduled and
 * self-inflicted SIGKILLs, two Redis crashes, every emulator fault in rotation and an expired replay position while all
 * workers are down. Totals go to the closing summary table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../support/chaos/cluster.ts';
import { recordChaosResult } from '../support/chaos/results.ts';
import { ALL_FAULTS, runScenario } from '../support/chaos/scenario.ts';

const SEED = Number(process.env.LOOM_CHAOS_SEED ?? 20_240_601);
const TURNS = Number(process.env.LOOM_CHAOS_TURNS ?? 500);
/** Diagnosis only: faults without any SIGKILL. */
const NO_KILLS = Boolean(process.env.LOOM_CHAOS_NOKILL);
let cluster: ChaosCluster;

beforeAll(async () => {
  const kill = NO_KILLS
    ? { model: 0, afterTool: 0, flushBefore: 0, flushAfter: 0 }
    : { model: 0.01, afterTool: 0.02, flushBefore: 0.01, flushAfter: 0.02 };
  cluster = new ChaosCluster({ seed: SEED, workers: 3, kill });
  await cluster.start();
});
afterAll(async () => {
  await cluster?.close();
});

describe(`chaos: faults (seed ${SEED})`, () => {
  it(`${TURNS} turns under SIGKILLs, Redis crashes, emulator faults and an expired replay position`, async () => {
    const report = await runScenario(cluster, {
      turns: TURNS,
      batch: 25,
      faults: ALL_FAULTS,
      killEveryMs: NO_KILLS ? 0 : 1_000,
      killsPerBatch: 1,
      redisRestartBefore: [4, 13],
      redisRestartDuring: [7, 16],
      replayExpiryBefore: 9,
      batchTimeoutMs: 90_000,
    });
    const leaks = await cluster.leakScan();
    const stalls = await cluster.stallHistogram();
    recordChaosResult({
      name: 'faults',
      seed: SEED,
      faultsInjected: report.faultsInjected,
      kills: report.kills,
      turns: report.turns,
      lost: report.lost.length,
      duplicated: report.duplicated.length + report.sideEffectsRepeated.length + (report.stepKeysUnique ? 0 : 1),
      leaks: leaks.length,
      wrongAnswers: report.wrongAnswers.length,
      identityBreaches: report.identityViolations.length,
      uncertain: report.uncertain.length,
      notes: `jobs by times taken over from a dead worker ${JSON.stringify(stalls)}; Redis restarts ${report.redisRestarts} (turns in flight at the mid-batch crashes ${report.inFlightAtRedisCrash}); worker restarts ${report.restarts}`,
    });
    expect(report.inFlightAtRedisCrash, `seed ${SEED}: Redis must die while turns are in flight`).toBeGreaterThan(0);
    expect(report.lost, `seed ${SEED}; dead letters: ${report.lostReasons.join(' | ')}`).toEqual([]);
    expect(report.duplicated, `seed ${SEED}`).toEqual([]);
    expect(report.sideEffectsRepeated, `seed ${SEED}`).toEqual([]);
    expect(report.wrongAnswers, `seed ${SEED}`).toEqual([]);
    expect(report.identityViolations, `seed ${SEED}`).toEqual([]);
    expect(report.stepKeysUnique).toBe(true);
    expect(leaks).toEqual([]);
  });
});
