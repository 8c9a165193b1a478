import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.ts';
import { FileDeadLetterStore } from '../../../src/ingestion/dead-letter.ts';
import { IngestionMetrics } from '../../../src/ingestion/metrics.ts';
import { silentLogger } from '../../../src/logger.ts';
import { EmbeddedQueue } from '../../../src/queue/embedded-queue.ts';
import { Pacing } from '../../../src/queue/pacing.ts';
import type { JobHandler, JobOutcome, LoomJob } from '../../../src/runtime/jobs.ts';
import { AllocationExhaustedError } from '../../../src/salesforce/rest-client.ts';

let dir: string;
let n = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-embedded-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function turn(turnId = `t${++n}`): LoomJob {
  return {
    kind: 'turn',
    eventUuid: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
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

function queue(options: { concurrency?: number; attempts?: number } = {}) {
  const metrics = new IngestionMetrics();
  const pacing = new Pacing({ logger: silentLogger(), pauseMs: 30 });
  const deadLetter = new FileDeadLetterStore(join(dir, 'dead-letter.jsonl'));
  const q = new EmbeddedQueue({
    concurrency: options.concurrency ?? 2,
    retry: { attempts: options.attempts ?? 3, baseDelayMs: 5, maxDelayMs: 20 },
    pacing,
    deadLetter,
    metrics,
    logger: silentLogger(),
    org: '00DEM0000000001',
  });
  return { q, metrics, pacing, deadLetter };
}

const handlerOf = (fn: (job: LoomJob, signal: AbortSignal) => Promise<JobOutcome>): JobHandler => ({ handle: fn });

describe('EmbeddedQueue', () => {
  it('runs at most `concurrency` jobs at once and settles each job when it finishes', async () => {
    const { q } = queue({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    await q.start(
      handlerOf(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        return { status: 'completed' };
      }),
    );
    const results = await Promise.all([turn(), turn(), turn(), turn(), turn()].map((job) => q.enqueue(job)));
    await Promise.all(results.map((result) => result.settled));
    expect(peak).toBe(2);
    expect(await q.depth()).toBe(0);
    await q.close();
  });

  it('reports a second enqueue of an unfinished job as a duplicate', async () => {
    const { q } = queue();
    let release!: () => void;
    await q.start(handlerOf(() => new Promise((resolve) => (release = () => resolve({ status: 'completed' })))));
    const job = turn();
    const first = await q.enqueue(job);
    expect((await q.enqueue(job)).status).toBe('duplicate');
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    await first.settled;
    await q.close();
  });

  it('retries transient errors with backoff and dead-letters permanent ones at once', async () => {
    const { q, metrics, deadLetter } = queue({ attempts: 3 });
    const attempts = new Map<string, number>();
    await q.start(
      handlerOf(async (job) => {
        const id = job.kind === 'turn' ? job.event.TurnIdentifier__c : '';
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        if (id === 'flaky' && (attempts.get(id) ?? 0) < 3) throw new TransientError('503');
        if (id === 'always') throw new TransientError('503');
        if (id === 'bad') throw new PermanentError('refused', { category: 'PermissionDenied' });
        return { status: 'completed' };
      }),
    );
    const results = await Promise.all(['flaky', 'always', 'bad'].map((id) => q.enqueue(turn(id))));
    await Promise.all(results.map((result) => result.settled));
    expect(Object.fromEntries(attempts)).toEqual({ flaky: 3, always: 3, bad: 1 });
    expect((await deadLetter.list()).map((entry) => entry.reason).sort()).toEqual([
      'failed:Internal',
      'failed:PermissionDenied',
    ]);
    expect(metrics.get('retried')).toBe(4);
    await q.close();
  });

  it('pauses on REQUEST_LIMIT_EXCEEDED and re-runs the job without spending an attempt', async () => {
    const { q, metrics, pacing } = queue({ attempts: 1 });
    let calls = 0;
    await q.start(
      handlerOf(async () => {
        calls++;
        if (calls === 1) throw new AllocationExhaustedError('TotalRequests Limit exceeded.');
        return { status: 'completed' };
      }),
    );
    const result = await q.enqueue(turn());
    await result.settled;
    expect(calls).toBe(2);
    expect(metrics.get('allocationPauses')).toBe(1);
    expect(metrics.get('failed')).toBe(0);
    pacing.close();
    await q.close();
  });

  it('hands running jobs back on close: aborted, never settled, not dead-lettered', async () => {
    const { q, metrics, deadLetter } = queue();
    await q.start(
      handlerOf(
        (_job, signal) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new TransientError('aborted'))),
          ),
      ),
    );
    const result = await q.enqueue(turn());
    let settled = false;
    void result.settled.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await q.close({ graceMs: 10 });
    expect(metrics.get('handedBack')).toBe(1);
    expect(settled).toBe(false);
    expect(await deadLetter.list()).toEqual([]);
  });
});
