import type { JobHandler, LoomJob } from '../runtime/jobs.ts';
import { JobRunner, queueJobId } from './job-runner.ts';
import { backoffMs, classifyError, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.ts';
import type { EnqueueResult, JobQueue, JobQueueOptions } from './types.ts';

export type EmbeddedQueueOptions = JobQueueOptions;

interface Entry {
  job: LoomJob;
  jobId: string;
  attempt: number;
  settled: Promise<void>;
  settle: () => void;
  controller?: AbortController;
  retryTimer?: NodeJS.Timeout;
}

class ShutdownAbort extends Error {}

/**
 * In-process queue for one-process deployments. At least once: a job's `settled` resolves only when the job has
 * finished (completed, refused, or failed for good), so intake never checkpoints past an unfinished job; a crash
 * replays it and the de-dup file of FINISHED events keeps a finished one from running again.
 */
export class EmbeddedQueue implements JobQueue {
  readonly mode = 'embedded' as const;
  private readonly waiting: Entry[] = [];
  private readonly running = new Map<string, Entry>();
  private readonly delayed = new Map<string, Entry>();
  /** Every job not yet settled, by ID: a second enqueue of the same ID is a duplicate. */
  private readonly known = new Map<string, Entry>();
  private runner: JobRunner | undefined;
  private closing = false;
  private admitting = false;
  private readonly retry: RetryPolicy;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: EmbeddedQueueOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  async start(handler: JobHandler): Promise<void> {
    const { deadLetter, metrics, logger, org, errorSteps } = this.options;
    this.runner = new JobRunner({ handler, deadLetter, metrics, logger, org, ...(errorSteps ? { errorSteps } : {}) });
    this.pump();
  }

  async enqueue(job: LoomJob): Promise<EnqueueResult> {
    const jobId = queueJobId(job);
    const existing = this.known.get(jobId);
    if (existing) return { status: 'duplicate', jobId, settled: existing.settled };
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const entry: Entry = { job, jobId, attempt: 1, settled, settle };
    this.known.set(jobId, entry);
    this.waiting.push(entry);
    this.options.metrics.observeDepth(this.size());
    this.pump();
    return { status: 'enqueued', jobId, settled };
  }

  async depth(): Promise<number> {
    return this.size();
  }

  private size(): number {
    return this.waiting.length + this.running.size + this.delayed.size;
  }

  /** Starts waiting jobs up to the concurrency, each after the pacing allows it. */
  private pump(): void {
    if (!this.runner || this.closing || this.admitting) return;
    if (this.running.size >= this.options.concurrency || this.waiting.length === 0) return;
    this.admitting = true;
    this.options.pacing
      .admit()
      .then(() => {
        this.admitting = false;
        if (this.closing) return;
        const entry = this.waiting.shift();
        if (entry) void this.execute(entry);
        this.pump();
      })
      .catch(() => (this.admitting = false));
  }

  private async execute(entry: Entry): Promise<void> {
    const runner = this.runner as JobRunner;
    const controller = new AbortController();
    entry.controller = controller;
    this.running.set(entry.jobId, entry);
    try {
      await runner.run(entry.job, entry.jobId, entry.attempt, controller.signal);
      this.finish(entry);
    } catch (error) {
      await this.failed(entry, error, controller.signal);
    } finally {
      this.running.delete(entry.jobId);
      this.options.metrics.observeDepth(this.size());
      if (this.running.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      this.pump();
    }
  }

  private async failed(entry: Entry, error: unknown, signal: AbortSignal): Promise<void> {
    const log = (this.runner as JobRunner).logger(entry.job, entry.jobId);
    if (signal.aborted && signal.reason instanceof ShutdownAbort) {
      // Handed back: not settled, so the checkpoint stays before it and the next start replays it.
      this.options.metrics.inc('handedBack');
      log.info('job handed back on shutdown');
      return;
    }
    const disposition = classifyError(error);
    if (disposition === 'allocation') {
      this.options.metrics.inc('allocationPauses');
      this.options.pacing.pause('REQUEST_LIMIT_EXCEEDED');
      this.waiting.unshift(entry); // same attempt: running out of allocation is not the job's fault
      return;
    }
    if (disposition === 'retry' && entry.attempt < this.retry.attempts) {
      const delay = backoffMs(this.retry, entry.attempt);
      this.options.metrics.inc('retried');
      log.warn({ err: error, attempt: entry.attempt, retryInMs: delay }, 'job failed; retrying');
      entry.attempt += 1;
      this.delayed.set(entry.jobId, entry);
      entry.retryTimer = setTimeout(() => {
        this.delayed.delete(entry.jobId);
        this.waiting.push(entry);
        this.pump();
      }, delay);
      return;
    }
    await (this.runner as JobRunner).failed(entry.job, entry.jobId, entry.attempt, error);
    this.finish(entry);
  }

  private finish(entry: Entry): void {
    this.known.delete(entry.jobId);
    entry.settle();
  }

  /** Stops starting jobs, lets running ones finish for `graceMs`, then aborts them; nothing unfinished is settled. */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing = true;
    for (const entry of this.delayed.values()) if (entry.retryTimer) clearTimeout(entry.retryTimer);
    const waitIdle = (): Promise<void> =>
      this.running.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), options.graceMs ?? 30_000)),
    );
    const result = await Promise.race([waitIdle().then(() => 'idle' as const), grace]);
    clearTimeout(timer);
    if (result === 'timeout') {
      for (const entry of this.running.values()) entry.controller?.abort(new ShutdownAbort('worker shutting down'));
      // A handler that ignores its signal must not hold the process forever; its job is replayed anyway.
      await Promise.race([waitIdle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    }
    const unfinished = this.waiting.length + this.delayed.size;
    if (unfinished > 0) this.options.logger.info({ unfinished }, 'unstarted jobs left for replay from the checkpoint');
  }
}
