/**
 * One chaos run: turns published in batches as several users; while each batch runs, one fault from the rotation is
 * injected, workers are SIGKILLed on a seeded schedule (and kill themselves at chosen points), Redis may be crashed and
 * restarted, and the replay position may expire while the workers are down. Returns the accounting and what was done.
 */
import { ChaosCluster, type Accounting, type PublishedTurn } from './cluster.ts';

export type Fault =
  'none' | '5xx-burst' | 'failure-rate' | 'latency' | 'drop' | 'revoke-tokens' | 'request-limit' | 'cometd-evict';

export const ALL_FAULTS: Fault[] = [
  '5xx-burst',
  'latency',
  'drop',
  'revoke-tokens',
  'request-limit',
  'cometd-evict',
  'failure-rate',
  'none',
];

export interface ScenarioOptions {
  turns: number;
  batch: number;
  faults: Fault[];
  /** Scheduler SIGKILL interval while batches run (0 = none). */
  killEveryMs: number;
  /** Scheduler kills per batch at most. */
  killsPerBatch?: number;
  /** Batch indexes before which Redis is crashed (SIGKILL) and restarted (AOF keeps the queue). */
  redisRestartBefore?: number[];
  /** Batch indexes during which Redis is crashed and restarted while that batch's jobs are queued and running. */
  redisRestartDuring?: number[];
  /** Batch index before which workers are stopped, the event bus purged and workers restarted (expired replay ID). */
  replayExpiryBefore?: number;
  batchTimeoutMs: number;
}

export interface ScenarioReport extends Accounting {
  seed: number;
  faultsInjected: number;
  kills: number;
  restarts: number;
  redisRestarts: number;
  /** Turns of the batch not yet answered when Redis was crashed mid-batch (proves the crash hit live work). */
  inFlightAtRedisCrash: number;
}

const USERS = ['officer@lending.test', 'officer2@lending.test', 'underwriter@lending.test'];

async function inject(cluster: ChaosCluster, fault: Fault): Promise<() => Promise<void>> {
  const clear = async () => {
    await cluster.admin('DELETE', '/faults');
    await cluster.restoreAllocation();
  };
  switch (fault) {
    case '5xx-burst':
      await cluster.fault('/faults', { failNext: { count: 15, status: 503, pathPrefix: '/services/data' } });
      break;
    case 'failure-rate':
      await cluster.fault('/faults', {
        failureRate: { rate: 0.1, seed: cluster.options.seed, status: 500, pathPrefix: '/services/data' },
      });
      break;
    case 'latency':
      await cluster.fault('/faults', { latencyMs: 150 });
      break;
    case 'drop':
      await cluster.fault('/faults', { dropNext: { count: 6, pathPrefix: '/services/data' } });
      break;
    case 'revoke-tokens':
      await cluster.fault('/tokens/revoke', {});
      break;
    case 'request-limit':
      await cluster.fault('/api-limit/exhaust', {});
      // The org's allocation comes back after a while, as a rolling 24-hour window would.
      break;
    case 'cometd-evict':
      await cluster.fault('/cometd/evict', {});
      break;
    case 'none':
      break;
  }
  return clear;
}

export async function runScenario(cluster: ChaosCluster, options: ScenarioOptions): Promise<ScenarioReport> {
  let redisRestarts = 0;
  let inFlightAtRedisCrash = 0;
  const batches = Math.ceil(options.turns / options.batch);
  for (let batch = 0; batch < batches; batch++) {
    if (options.redisRestartBefore?.includes(batch)) {
      await cluster.redis.stop({ crash: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cluster.redis.restart();
      redisRestarts += 1;
      cluster.faultsInjected += 1;
    }
    let expired = false;
    if (options.replayExpiryBefore === batch) {
      await cluster.stopWorkers();
      await cluster.fault('/events/purge', {});
      expired = true;
    }
    const turns: PublishedTurn[] = [];
    const size = Math.min(options.batch, options.turns - batch * options.batch);
    for (let i = 0; i < size; i++)
      turns.push(await cluster.publish(USERS[(batch + i) % USERS.length] as string, batch * options.batch + i));
    if (expired) {
      // Events published while every worker was down, after the stored replay ID left the retention window.
      await Promise.all(Array.from({ length: cluster.options.workers }, (_, index) => cluster.startWorker(index)));
    }
    if (options.redisRestartDuring?.includes(batch)) {
      // Mid-batch: jobs are waiting, active and half-written when Redis dies; AOF must bring every one of them back.
      // Crash as soon as the first answer of the batch lands: the rest are queued or running at that moment.
      const deadline = Date.now() + 10_000;
      let left = turns.length;
      while (left === turns.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        left = (await cluster.unanswered(turns)).length;
      }
      inFlightAtRedisCrash += left;
      await cluster.redis.stop({ crash: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cluster.redis.restart();
      redisRestarts += 1;
      cluster.faultsInjected += 1;
    }
    const clear = await inject(cluster, options.faults[batch % options.faults.length] ?? 'none');
    const stopKills =
      options.killEveryMs > 0 ? cluster.scheduleKills(options.killEveryMs, options.killsPerBatch) : () => undefined;
    // Faults last a moment; the workers must ride them out and catch up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await clear();
    const started = Date.now();
    await cluster.waitForAnswers(turns, options.batchTimeoutMs);
    stopKills();
    if (process.env.LOOM_CHAOS_DEBUG)
      process.stderr.write(
        `batch ${batch} ${options.faults[batch % options.faults.length]}: ${Date.now() - started} ms, kills ${cluster.schedulerKills}+${cluster.selfKills()}\n`,
      );
  }
  await cluster.waitForAnswers(cluster.published, options.batchTimeoutMs);
  const accounting = await cluster.account();
  if (process.env.LOOM_CHAOS_DEBUG) {
    process.stderr.write(`stalls per job ${JSON.stringify(await cluster.stallHistogram())}\n`);
    process.stderr.write(
      `uncertain ${accounting.uncertain.length}, wrong answers ${accounting.wrongAnswers.length}\n${[...accounting.uncertain, ...accounting.wrongAnswers].slice(0, 20).join('\n')}\n`,
    );
  }
  return {
    ...accounting,
    seed: cluster.options.seed,
    faultsInjected: cluster.faultsInjected,
    kills: cluster.schedulerKills + cluster.selfKills(),
    restarts: cluster.restarts,
    redisRestarts,
    inFlightAtRedisCrash,
  };
}
