import type { BenchSizes } from './context.ts';
import type { Benchmark } from './context.ts';
import { Cluster, type ClusterOptions, type TurnTiming } from './e2e/cluster.ts';
import { median, percentile, round } from './stats.ts';

/** Publishers in flight per worker process: enough to keep each worker's queue busy. */
const IN_FLIGHT_PER_WORKER = 24;
const WORKER_CONCURRENCY = 16;
/**
 * The scale-out check with the worker as the bottleneck: a model that takes 50 ms and 4 job slots per worker cap one
 * worker at about 80 turns/s whatever the machine, so a second worker process should double it. (With a zero-latency
 * model on two cores, the emulator and the publisher share the CPU with the workers, and that is what bounds it.)
 */
const SLOT_BOUND = { modelLatencyMs: 50, concurrency: 4 };

type Progress = (detail: string) => void;

interface Rounds {
  turnsPerSec: number;
  cpuMsPerTurn: number;
}

/** Median turns/s and worker CPU per turn over time-boxed rounds of 0-tool turns, after a warm-up batch. */
async function measure(cluster: Cluster, sizes: BenchSizes, label: string, progress: Progress): Promise<Rounds> {
  const inFlight = IN_FLIGHT_PER_WORKER * cluster.workers.length;
  progress(`${label}: warm-up`);
  await cluster.batch('tools0', Math.max(inFlight, Math.floor(sizes.throughputTurns / 4)), inFlight);
  const rates: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < sizes.throughputRounds; r++) {
    const before = await cluster.stats();
    const { timings, elapsedMs } = await cluster.batch('tools0', sizes.throughputTurns, inFlight, (done) =>
      progress(`${label}: round ${r + 1}/${sizes.throughputRounds}, ${done}/${sizes.throughputTurns} turns`),
    );
    const after = await cluster.stats();
    const failed = timings.filter((turn) => turn.status !== 'completed').length;
    if (failed > 0) throw new Error(`${label}: ${failed} turn(s) did not complete`);
    const cpuMs = after.reduce((sum, stats, i) => sum + stats.cpuMs - (before[i]?.cpuMs ?? 0), 0);
    rates.push((timings.length / elapsedMs) * 1000);
    cpu.push(cpuMs / timings.length);
  }
  return { turnsPerSec: median(rates), cpuMsPerTurn: median(cpu) };
}

/** Event → first model request, one turn at a time (no queueing): from before the publish to the provider call. */
async function latencies(cluster: Cluster, turns: number, progress: Progress): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < turns; i++) {
    if (i % 10 === 0) progress(`latency: ${i}/${turns}`);
    const turn: TurnTiming = await cluster.turn('tools0');
    if (turn.firstModelAt === null) throw new Error('a turn finished without a model request');
    samples.push(turn.firstModelAt - turn.publishedAt);
  }
  return samples;
}

/** Starts a cluster, uses it, and closes it whatever happens. */
async function withCluster<T>(options: ClusterOptions, use: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = await Cluster.start(options);
  try {
    return await use(cluster);
  } finally {
    await cluster.close();
  }
}

/** One embedded worker: throughput rounds, then event → model latency samples. */
function embeddedRun(
  options: ClusterOptions,
  label: string,
  sizes: BenchSizes,
  progress: Progress,
): Promise<{ rounds: Rounds; latency: number[] }> {
  return withCluster(options, async (cluster) => {
    await cluster.addWorker();
    const rounds = await measure(cluster, sizes, label, progress);
    const latency = await latencies(cluster, Math.max(10, sizes.apiTurns * 5), progress);
    return { rounds, latency };
  });
}

/** Scaled mode: throughput rounds with one worker, then with a second one added. */
function scaledRun(
  options: ClusterOptions,
  label: string,
  sizes: BenchSizes,
  progress: Progress,
): Promise<{ one: Rounds; two: Rounds }> {
  return withCluster(options, async (cluster) => {
    await cluster.addWorker();
    const one = await measure(cluster, sizes, `${label}, 1 worker`, progress);
    await cluster.addWorker();
    const two = await measure(cluster, sizes, `${label}, 2 workers`, progress);
    return { one, two };
  });
}

export const throughputBenchmark: Benchmark<'throughput'> = {
  name: 'throughput',
  title:
    'End-to-end turns per second (publish → worker → zero-latency model → audit written), embedded (CometD and Pub/Sub API) and on Redis with 1 and 2 workers',
  async run({ sizes, progress, logger }) {
    progress('embedded: starting emulator and worker processes');
    const embedded = await embeddedRun(
      { mode: 'embedded', concurrency: WORKER_CONCURRENCY, logger },
      'embedded',
      sizes,
      progress,
    );
    // The same embedded rounds and latency samples with the worker on the Pub/Sub API (gRPC) instead of CometD.
    progress('embedded over Pub/Sub: starting emulator and worker processes');
    const pubsub = await embeddedRun(
      { mode: 'embedded', concurrency: WORKER_CONCURRENCY, eventApi: 'pubsub', logger },
      'embedded over Pub/Sub',
      sizes,
      progress,
    );
    progress('scaled: starting emulator, redis-server and worker processes');
    const { one, two } = await scaledRun(
      { mode: 'scaled', concurrency: WORKER_CONCURRENCY, logger },
      'scaled',
      sizes,
      progress,
    );
    progress('scaled, slot-bound: starting emulator, redis-server and worker processes');
    const bound = await scaledRun(
      { mode: 'scaled', concurrency: SLOT_BOUND.concurrency, modelLatencyMs: SLOT_BOUND.modelLatencyMs, logger },
      'scaled slot-bound',
      sizes,
      progress,
    );
    const latency = embedded.latency;
    return {
      figures: {
        embedded_turns_per_sec: round(embedded.rounds.turnsPerSec),
        scaled_1_turns_per_sec: round(one.turnsPerSec),
        scaled_2_turns_per_sec: round(two.turnsPerSec),
        worker_cpu_ms_per_turn: round(embedded.rounds.cpuMsPerTurn, 2),
        event_to_llm_p50_ms: round(percentile(latency, 50), 2),
        event_to_llm_p99_ms: round(percentile(latency, 99), 2),
        pubsub_embedded_turns_per_sec: round(pubsub.rounds.turnsPerSec),
        pubsub_event_to_llm_p50_ms: round(percentile(pubsub.latency, 50), 2),
        pubsub_event_to_llm_p99_ms: round(percentile(pubsub.latency, 99), 2),
      },
      details: {
        turns_per_round: sizes.throughputTurns,
        rounds: sizes.throughputRounds,
        scaled_1_worker_cpu_ms_per_turn: round(one.cpuMsPerTurn, 2),
        scaled_2_worker_cpu_ms_per_turn: round(two.cpuMsPerTurn, 2),
        scaling_2_vs_1: round(two.turnsPerSec / one.turnsPerSec, 2),
        slot_bound_model_latency_ms: SLOT_BOUND.modelLatencyMs,
        slot_bound_worker_concurrency: SLOT_BOUND.concurrency,
        slot_bound_1_turns_per_sec: round(bound.one.turnsPerSec),
        slot_bound_2_turns_per_sec: round(bound.two.turnsPerSec),
        slot_bound_scaling_2_vs_1: round(bound.two.turnsPerSec / bound.one.turnsPerSec, 2),
        latency_samples: latency.length,
        pubsub_worker_cpu_ms_per_turn: round(pubsub.rounds.cpuMsPerTurn, 2),
        worker_concurrency: WORKER_CONCURRENCY,
      },
    };
  },
};
