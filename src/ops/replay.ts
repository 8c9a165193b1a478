import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { FileCheckpointStore, RedisCheckpointStore } from '../ingestion/checkpoints.ts';
import { INGEST_CHANNELS } from '../ingestion/events.ts';
import type { IngestionSnapshot } from '../ingestion/metrics.ts';

/**
 * Moves the stored subscription position of every Loom channel to `replayFrom` (a replay ID, or -2 for everything
 * retained). The next subscriber start resumes there; de-duplication keeps already-run events from running again.
 */
export async function rewindCheckpoints(
  config: Config,
  orgId: string,
  replayFrom: number,
): Promise<{ channel: string; previous: number | undefined }[]> {
  if (config.REDIS_URL) {
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const store = new RedisCheckpointStore(redis, `${config.LOOM_QUEUE_PREFIX}:${orgId}:checkpoints`);
      return await rewind(store);
    } finally {
      redis.disconnect();
    }
  }
  return rewind(new FileCheckpointStore(join(config.LOOM_STATE_DIR, orgId, 'checkpoints.json')));

  async function rewind(
    store: FileCheckpointStore | RedisCheckpointStore,
  ): Promise<{ channel: string; previous: number | undefined }[]> {
    const changes: { channel: string; previous: number | undefined }[] = [];
    for (const channel of INGEST_CHANNELS) {
      changes.push({ channel, previous: await store.load(channel) });
      await store.save(channel, replayFrom);
    }
    return changes;
  }
}

/** One progress line from an ingestion snapshot. */
export function progressLine(snapshot: IngestionSnapshot): string {
  const { counters } = snapshot;
  return (
    `received ${counters.received} · enqueued ${counters.enqueued} · duplicates ${counters.duplicates} · completed ${counters.completed} · ` +
    `failed ${counters.failed} · dead-lettered ${counters.deadLettered} · queue ${snapshot.queueDepth}`
  );
}

/**
 * Resolves once nothing new arrived for `quietMs` and the queue is empty; reports progress every `everyMs`.
 * `maxMs` bounds the whole wait.
 */
export async function untilQuiet(
  snapshot: () => Promise<IngestionSnapshot>,
  options: { quietMs: number; everyMs: number; maxMs: number; onProgress: (snapshot: IngestionSnapshot) => void },
): Promise<IngestionSnapshot> {
  const started = Date.now();
  let lastReceived = -1;
  let lastChange = Date.now();
  for (;;) {
    const current = await snapshot();
    options.onProgress(current);
    if (current.counters.received !== lastReceived) {
      lastReceived = current.counters.received;
      lastChange = Date.now();
    }
    const settled =
      current.queueDepth === 0 &&
      current.counters.enqueued <= current.counters.completed + current.counters.failed + current.counters.deadLettered;
    if ((settled && Date.now() - lastChange >= options.quietMs) || Date.now() - started >= options.maxMs)
      return current;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
}
