/** What the chaos cluster and its child processes exchange, and the seeded PRNG every random choice comes from. */

export interface WorkerArgs {
  index: number;
  seed: number;
  url: string;
  /** The emulator's Pub/Sub API endpoint (used when LOOM_TEST_EVENT_API=pubsub). */
  pubsubUrl: string;
  consumerKey: string;
  privateKeyPem: string;
  redisUrl: string;
  prefix: string;
  killFile: string;
  /** Every log line (debug level) and every model request the worker makes are appended here, for the leak scan. */
  logFile: string;
  modelFile: string;
  /** Probability of a self-kill at each point (0 = never). */
  kill: { model: number; afterTool: number; flushBefore: number; flushAfter: number };
}

export interface EmulatorReady {
  type: 'ready';
  url: string;
  pubsubUrl: string;
  consumerKey: string;
  privateKeyPem: string;
  lendingAgentId: string;
  chaosAgentId: string;
}

export interface WorkerStats {
  type: 'stats';
  rss: number;
  heapUsed: number;
  handles: number;
  counters: Record<string, number>;
}

/** mulberry32: a tiny seeded PRNG, so a chaos run replays its choices for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
