import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { FileCheckpointStore, RedisCheckpointStore, type CheckpointStore } from '../ingestion/checkpoints.ts';
import { FileDeadLetterStore, RedisDeadLetterStore, type DeadLetterStore } from '../ingestion/dead-letter.ts';
import { FileDedupeStore, RedisDedupeStore, type DedupeStore } from '../ingestion/dedupe.ts';
import { BullmqQueue } from '../queue/bullmq-queue.ts';
import { EmbeddedQueue } from '../queue/embedded-queue.ts';
import type { JobQueue, JobQueueOptions } from '../queue/types.ts';

/** Where one org's intake and jobs keep their state: files in embedded mode, Redis (and BullMQ) in scaled mode. */
export interface Stores {
  checkpoints: CheckpointStore;
  dedupe: DedupeStore;
  deadLetter: DeadLetterStore;
  queue: JobQueue;
}

/** What every queue gets, whatever the mode: pacing, metrics, logging, the org, the retry policy, the error steps. */
export type QueueCommon = Omit<JobQueueOptions, 'concurrency' | 'deadLetter'>;

/** A new connection to `REDIS_URL` (BullMQ wants its own per worker and blocking client). */
export function connectRedis(config: Config): Redis {
  return new Redis(config.REDIS_URL as string, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Embedded mode: files under `LOOM_STATE_DIR/<org>` and the in-process queue. */
export function embeddedStores(config: Config, orgId: string, common: QueueCommon): Stores {
  const dir = join(config.LOOM_STATE_DIR, orgId);
  const deadLetter = new FileDeadLetterStore(join(dir, 'dead-letter.jsonl'));
  return {
    checkpoints: new FileCheckpointStore(join(dir, 'checkpoints.json')),
    dedupe: new FileDedupeStore(join(dir, 'dedupe.jsonl')),
    deadLetter,
    queue: new EmbeddedQueue({ ...common, concurrency: config.LOOM_CONCURRENCY, deadLetter }),
  };
}

/** Scaled mode: keys under `LOOM_QUEUE_PREFIX:<org>` on `redis`, and one BullMQ queue per org. */
export function scaledStores(
  config: Config,
  orgId: string,
  common: QueueCommon,
  redis: Redis,
  locks: { lockDurationMs: number; stalledIntervalMs: number },
): Stores {
  const base = `${config.LOOM_QUEUE_PREFIX}:${orgId}`;
  const deadLetter = new RedisDeadLetterStore(redis, `${base}:dead-letter`);
  return {
    checkpoints: new RedisCheckpointStore(redis, `${base}:checkpoints`),
    dedupe: new RedisDedupeStore(redis, `${base}:dedupe`),
    deadLetter,
    queue: new BullmqQueue({
      ...common,
      connect: () => connectRedis(config),
      prefix: config.LOOM_QUEUE_PREFIX,
      name: `jobs-${orgId}`,
      concurrency: config.LOOM_CONCURRENCY,
      deadLetter,
      lockDurationMs: locks.lockDurationMs,
      stalledIntervalMs: locks.stalledIntervalMs,
      ...(config.LOOM_ORG_CONCURRENCY ? { globalConcurrency: config.LOOM_ORG_CONCURRENCY } : {}),
      ...(config.LOOM_ORG_JOBS_PER_MINUTE
        ? { limiter: { max: config.LOOM_ORG_JOBS_PER_MINUTE, duration: 60_000 } }
        : {}),
    }),
  };
}
