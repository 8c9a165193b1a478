/**
 * BullMQ queue against a real redis-server: a job whose worker dies is taken over (a "stall"). Regression: the stall
 * budget was a fixed 2, so a healthy turn whose workers were killed three times failed with "job stalled more than
 * allowable limit" and was dead-lettered without any answer (the chaos suite's lost turns). Now stalls share the
 * retry policy's budget, and a turn that is given up for any reason is closed with a failure answer.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisDeadLetterStore } from '../../../src/ingestion/dead-letter.ts';
import type { ErrorStepWriter } from '../../../src/ingestion/error-step.ts';
import { IngestionMetrics } from '../../../src/ingestion/metrics.ts';
import { silentLogger } from '../../../src/logger.ts';
import { BullmqQueue } from '../../../src/queue/bullmq-queue.ts';
import { Pacing } from '../../../src/queue/pacing.ts';
import { jobIdFor, type JobOutcome, type LoomJob } from '../../../src/runtime/jobs.ts';
import { startRedis, uniquePrefix, type RedisHandle } from '../../support/redis.ts';

let redis: RedisHandle;
const open: BullmqQueue[] = [];
/** Ends the hanging runs of "dead" workers (BullMQ no longer tracks them, so closing the queue cannot). */
let funeral = new AbortController();

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  funeral.abort();
  funeral = new AbortController();
  await Promise.all(open.splice(0).map((queue) => queue.close({ graceMs: 100 })));
});
afterAll(async () => {
  await redis.cleanup();
});

const turn = (turnId: string): LoomJob => ({
  kind: 'turn',
  eventUuid: `00000000-0000-4000-8000-${turnId.padStart(12, '0')}`,
  replayId: 1,
  channel: '/event/AgentTurnRequest__e',
  receivedAt: new Date(0).toISOString(),
  event: {
    AgentExecutionId__c: 'a01EM0000000001YAA',
    TurnIdentifier__c: turnId,
    CreatedById: '005EM0000000002YAB',
    CreatedDate: new Date().toISOString(),
  },
});

/** Records the turns it was asked to close (the Salesforce side is tested against the emulator). */
function recordingErrorSteps(): ErrorStepWriter & { closed: string[] } {
  const closed: string[] = [];
  return {
    closed,
    async malformedEvent() {},
    async turnFailed({ turnId, reason }) {
      closed.push(`${turnId}: ${reason}`);
      return 'written';
    },
  };
}

const until = async (condition: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/**
 * A queue whose handler "dies" on its first `deaths` runs of each job: it hangs, and the test deletes the job's lock,
 * which is what a SIGKILLed worker leaves behind (its lock is never renewed). Later runs complete.
 */
async function dyingQueue(deaths: number, options: { maxStalledCount?: number } = {}) {
  const prefix = uniquePrefix('stall');
  const name = 'jobs-org';
  const client = redis.client();
  const deadLetter = new RedisDeadLetterStore(client, `${prefix}:dead-letter`);
  const errorSteps = recordingErrorSteps();
  const runs: string[] = [];
  const queue = new BullmqQueue({
    connect: () => new Redis(redis.url, { maxRetriesPerRequest: null }),
    prefix,
    name,
    concurrency: 8,
    retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    pacing: new Pacing({ logger: silentLogger() }),
    deadLetter,
    errorSteps,
    metrics: new IngestionMetrics(),
    logger: silentLogger(),
    org: 'org',
    lockDurationMs: 300,
    stalledIntervalMs: 100,
    ...options,
  });
  open.push(queue);
  await queue.start({
    async handle(job, signal): Promise<JobOutcome> {
      const id = job.kind === 'turn' ? job.event.TurnIdentifier__c : 'sweep';
      runs.push(id);
      if (runs.filter((run) => run === id).length > deaths) return { status: 'completed' };
      // The worker "dies": its lock disappears and nothing here runs again for this attempt.
      await client.del(`${prefix}:${name}:${jobIdFor(job)}:lock`);
      await new Promise((resolve) => {
        signal.addEventListener('abort', resolve, { once: true });
        funeral.signal.addEventListener('abort', resolve, { once: true });
      });
      throw new Error('aborted');
    },
  });
  const state = async (job: LoomJob) => {
    const { Queue } = await import('bullmq');
    const inspect = new Queue(name, { connection: redis.client(), prefix });
    const found = (await inspect.getJobs(['completed', 'failed'])).find((candidate) => candidate.id === jobIdFor(job));
    const result = found ? await found.getState() : 'pending';
    await inspect.close();
    return result;
  };
  return { queue, runs, errorSteps, deadLetter, state };
}

describe('BullmqQueue: jobs whose worker died', () => {
  it('completes a turn whose worker died three times (it used to be failed by the fixed stall budget)', async () => {
    const { queue, runs, errorSteps, deadLetter, state } = await dyingQueue(3);
    const job = turn('1');
    await queue.enqueue(job);
    await until(async () => (await state(job)) !== 'pending', 'the job to finish');
    expect(await state(job)).toBe('completed');
    expect(runs).toEqual(['1', '1', '1', '1']);
    expect(errorSteps.closed).toEqual([]);
    expect(await deadLetter.list()).toEqual([]);
  });

  it('closes a turn it gives up on with a failure answer, and says so in the dead letter', async () => {
    const { queue, errorSteps, deadLetter, state } = await dyingQueue(10, { maxStalledCount: 1 });
    const job = turn('2');
    await queue.enqueue(job);
    await until(
      async () =>
        (await state(job)) === 'failed' && errorSteps.closed.length > 0 && (await deadLetter.list()).length > 0,
      'the job to be given up',
    );
    expect(errorSteps.closed).toEqual([expect.stringMatching(/^2: .*stalled more than allowable limit/)]);
    expect(await deadLetter.list()).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/^failed:/),
        executionId: 'a01EM0000000001YAA',
        errorStep: 'written',
      }),
    ]);
  });
});
