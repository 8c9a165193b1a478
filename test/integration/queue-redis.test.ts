/**
 * The Redis-backed pieces against a real redis-server: leader election, the BullMQ queue's retry rules and the
 * Redis de-dup, checkpoint and dead-letter stores.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.ts';
import { RedisCheckpointStore } from '../../src/ingestion/checkpoints.ts';
import { RedisDeadLetterStore } from '../../src/ingestion/dead-letter.ts';
import { RedisDedupeStore } from '../../src/ingestion/dedupe.ts';
import { IngestionMetrics } from '../../src/ingestion/metrics.ts';
import { silentLogger } from '../../src/logger.ts';
import { BullmqQueue } from '../../src/queue/bullmq-queue.ts';
import { LeaderElection } from '../../src/queue/leader.ts';
import { Pacing } from '../../src/queue/pacing.ts';
import type { JobOutcome, LoomJob } from '../../src/runtime/jobs.ts';
import { AllocationExhaustedError } from '../../src/salesforce/rest-client.ts';
import { startRedis, uniquePrefix, type RedisHandle } from '../support/redis.ts';
import { until } from './ingestion-harness.ts';

let redis: RedisHandle;
let client: Redis;
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});

afterAll(async () => {
  await redis.cleanup();
});

function turn(turnId: string): LoomJob {
  n++;
  return {
    kind: 'turn',
    eventUuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    replayId: n,
    channel: '/event/AgentTurnRequest__e',
    receivedAt: new Date(0).toISOString(),
    event: {
      AgentExecutionId__c: 'a01EM0000000001YAA',
      TurnIdentifier__c: turnId,
      CreatedById: '005EM0000000002YAB',
      CreatedDate: new Date().toISOString(),
    },
  };
}

describe('LeaderElection', () => {
  it('elects exactly one of several candidates and hands over when the leader releases', async () => {
    const key = `${uniquePrefix('leader')}:leader`;
    const candidates = [0, 1, 2].map(
      () => new LeaderElection({ redis: redis.client(), key, ttlMs: 1_000, logger: silentLogger() }),
    );
    await Promise.all(candidates.map((candidate) => candidate.start()));
    expect(candidates.filter((candidate) => candidate.isLeader)).toHaveLength(1);
    const leader = candidates.find((candidate) => candidate.isLeader) as LeaderElection;
    expect(await client.get(key)).toBe(leader.id);
    await leader.stop();
    const rest = candidates.filter((candidate) => candidate !== leader);
    await until(() => rest.some((candidate) => candidate.isLeader), 'a new leader');
    expect(rest.filter((candidate) => candidate.isLeader)).toHaveLength(1);
    await Promise.all(rest.map((candidate) => candidate.stop()));
    expect(await client.get(key)).toBeNull();
  });

  it('steps down when another process owns the lock, and never deletes a lock it does not own', async () => {
    const key = `${uniquePrefix('leader')}:leader`;
    const election = new LeaderElection({ redis: redis.client(), key, ttlMs: 600, logger: silentLogger() });
    const lost: string[] = [];
    election.on('lost', (reason: string) => lost.push(reason));
    await election.start();
    expect(election.isLeader).toBe(true);
    await client.set(key, 'someone-else', 'PX', 10_000); // e.g. a takeover after a long GC pause
    await until(() => !election.isLeader, 'step down');
    expect(lost).toEqual(['lock taken by another process']);
    await election.stop();
    expect(await client.get(key)).toBe('someone-else');
  });

  it('lets a follower take over within about the lock lifetime when the leader dies without releasing', async () => {
    const key = `${uniquePrefix('leader')}:leader`;
    const deadConnection = redis.client();
    const dying = new LeaderElection({ redis: deadConnection, key, ttlMs: 500, logger: silentLogger() });
    await dying.start();
    const follower = new LeaderElection({ redis: redis.client(), key, ttlMs: 500, logger: silentLogger() });
    await follower.start();
    expect(follower.isLeader).toBe(false);
    deadConnection.disconnect(); // the process is gone: no renewals, no release
    await until(() => follower.isLeader, 'takeover', 5_000);
    await dying.stop();
    await follower.stop();
  });
});

describe('RedisDedupeStore', () => {
  it('claims once, resumes an uncommitted claim of the same event and refuses other events for the same turn', async () => {
    const store = new RedisDedupeStore(client, `${uniquePrefix('dedupe')}:dedupe`);
    expect(await store.claim('u1', ['event:u1', 'turn:x:1'])).toBe('new');
    expect(await store.claim('u1', ['event:u1', 'turn:x:1'])).toBe('resume');
    expect(await store.claim('u2', ['event:u2', 'turn:x:1'])).toBe('duplicate');
    await store.commit('u1', ['event:u1', 'turn:x:1']);
    expect(await store.claim('u1', ['event:u1', 'turn:x:1'])).toBe('duplicate');
    expect(await store.claim('u3', ['event:u3'])).toBe('new');
    await store.release('u3', ['event:u3']);
    expect(await store.claim('u3', ['event:u3'])).toBe('new');
  });
});

describe('Redis checkpoint and dead-letter stores', () => {
  it('round-trips checkpoints and keeps dead letters in order', async () => {
    const prefix = uniquePrefix('stores');
    const checkpoints = new RedisCheckpointStore(client, `${prefix}:checkpoints`);
    expect(await checkpoints.load('/event/A__e')).toBeUndefined();
    await checkpoints.save('/event/A__e', 4711);
    expect(await checkpoints.load('/event/A__e')).toBe(4711);
    const deadLetter = new RedisDeadLetterStore(client, `${prefix}:dead-letter`, 2);
    for (let i = 0; i < 3; i++) await deadLetter.add({ at: `t${i}`, reason: 'malformed:payload', detail: `d${i}` });
    expect((await deadLetter.list()).map((entry) => entry.detail)).toEqual(['d1', 'd2']);
  });
});

describe('BullmqQueue', () => {
  function bullQueue(handle: (job: LoomJob, attempt: number) => Promise<JobOutcome>) {
    const prefix = uniquePrefix('bull');
    const metrics = new IngestionMetrics();
    const pacing = new Pacing({ logger: silentLogger(), pauseMs: 1_000 });
    const deadLetter = new RedisDeadLetterStore(client, `${prefix}:dead-letter`);
    const attempts = new Map<string, number>();
    const queue = new BullmqQueue({
      connect: () => redis.client(),
      prefix,
      name: 'jobs-test',
      concurrency: 2,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
      pacing,
      deadLetter,
      metrics,
      logger: silentLogger(),
      org: 'test',
    });
    const handler = {
      async handle(job: LoomJob): Promise<JobOutcome> {
        const key = job.kind === 'sweep' ? '' : job.eventUuid;
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        return handle(job, attempt);
      },
    };
    return { queue, handler, metrics, deadLetter, attempts, pacing };
  }

  it('derives the job ID from the EventUuid, so a second enqueue is a duplicate', async () => {
    const { queue, handler, metrics } = bullQueue(async () => ({ status: 'completed' }));
    const job = turn('once');
    expect((await queue.enqueue(job)).status).toBe('enqueued');
    expect((await queue.enqueue(job)).status).toBe('duplicate');
    await queue.start(handler);
    await until(() => metrics.get('completed') === 1, 'completion');
    expect((await queue.enqueue(job)).status).toBe('duplicate'); // the completed job is kept for 72 h
    await queue.close();
  });

  it('retries transient errors with BullMQ attempts, stops permanent ones with UnrecoverableError, dead-letters both', async () => {
    const { queue, handler, metrics, deadLetter, attempts } = bullQueue(async (job, attempt) => {
      const id = job.kind === 'turn' ? job.event.TurnIdentifier__c : '';
      if (id === 'flaky' && attempt < 3) throw new TransientError('socket hang up');
      if (id === 'always') throw new TransientError('socket hang up', { category: 'Network' });
      if (id === 'bad') throw new PermanentError('no access', { category: 'PermissionDenied' });
      return { status: 'completed' };
    });
    await queue.start(handler);
    const jobs = [turn('flaky'), turn('always'), turn('bad')];
    for (const job of jobs) await queue.enqueue(job);
    await until(() => metrics.get('completed') === 1 && metrics.get('failed') === 2, 'outcomes');
    expect(jobs.map((job) => attempts.get(job.kind === 'sweep' ? '' : job.eventUuid))).toEqual([3, 3, 1]);
    expect((await deadLetter.list()).map((entry) => entry.reason).sort()).toEqual([
      'failed:Network',
      'failed:PermissionDenied',
    ]);
    await queue.close();
  });

  it('pauses on REQUEST_LIMIT_EXCEEDED through the queue-wide rate limit without spending an attempt', async () => {
    const { queue, handler, metrics, attempts, pacing } = bullQueue(async (_job, attempt) => {
      if (attempt === 1) throw new AllocationExhaustedError('TotalRequests Limit exceeded.');
      return { status: 'completed' };
    });
    await queue.start(handler);
    const job = turn('limited');
    await queue.enqueue(job);
    await until(() => metrics.get('completed') === 1, 'completion after the pause', 10_000);
    expect(metrics.get('allocationPauses')).toBe(1);
    expect(metrics.get('failed')).toBe(0);
    expect(attempts.get(job.kind === 'sweep' ? '' : job.eventUuid)).toBe(2);
    pacing.close();
    await queue.close();
  });
});
