/**
 * Faults, short version (runs in npm test): the emulator in its own process, a real redis-server with AOF, two
 * scaled-mode worker processes that are SIGKILLed by a scheduler and kill themselves at chosen points (model call,
 * between tool and audit write, around the flush), a Redis crash and restart, and one emulator fault per batch.
 * Afterwards every turn has exactly one answer, no step is duplicated and no Task (the side effect) was created twice.
 * The long version is test/chaos/faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../support/chaos/cluster.ts';
import { runScenario } from '../support/chaos/scenario.ts';

const SEED = Number(process.env.LOOM_CHAOS_SEED ?? 4242);
let cluster: ChaosCluster;

beforeAll(async () => {
  cluster = new ChaosCluster({ seed: SEED, workers: 2, kill: process.env.LOOM_CHAOS_NOKILL ? { model: 0, afterTool: 0, flushBefore: 0, flushAfter: 0 } : { model: 0.02, afterTool: 0.03, flushBefore: 0.02, flushAfter: 0.03 } });
  await cluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe(`faults (seed ${SEED})`, () => {
  it('SIGKILLs, a Redis restart and emulator faults lose nothing and repeat nothing', async () => {
    const report = await runScenario(cluster, {
      turns: 24,
      batch: 6,
      faults: ['5xx-burst', 'revoke-tokens', 'drop', 'request-limit', 'cometd-evict', 'latency'],
      killEveryMs: process.env.LOOM_CHAOS_NOKILL ? 0 : 300,
      killsPerBatch: 1,
      redisRestartBefore: [2],
      batchTimeoutMs: 20_000,
    });
    expect(report.kills, `seed ${SEED}`).toBeGreaterThan(0);
    expect(report.lost, `seed ${SEED}; dead letters: ${report.lostReasons.join(' | ')}`).toEqual([]);
    expect(report.duplicated, `seed ${SEED}`).toEqual([]);
    expect(report.sideEffectsRepeated, `seed ${SEED}`).toEqual([]);
    expect(report.stepKeysUnique).toBe(true);
    expect(report.answered).toBe(24);
  }, 120_000);
});
