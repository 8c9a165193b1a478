import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { LoomJob, type JobHandler, type JobOutcome } from '../runtime/jobs.ts';
import { JobRunner, queueJobId } from './job-runner.ts';
import { classifyError, DEFAULT_RETRY_POLICY, errorSummary, type RetryPolicy } from './retry-policy.ts';
import type { EnqueueResult, JobQueue, JobQueueOptions } from './types.ts';

/** A completed job's ID keeps de-duplicating while the job is kept: as long as Salesforce retains the event. */
const KEEP_COMPLETED_SECONDS = 72 * 60 * 60;
const KEEP_FAILED_SECONDS = 7 * 24 * 60 * 60;

export interface BullmqQueueOptions extends JobQueueOptions {
  /** Factory for ioredis connections (`maxRetriesPerRequest: null`); the queue owns and closes what it creates. */
  connect: () => Redis;
  prefix: string;
  /** Queue name, one per org. */
  name: string;
  /** Org-wide job start rate across every worker process (BullMQ's limiter is global). */
  limiter?: { max: number; duration: number };
  /** Org-wide cap on jobs running at once across every worker process. */
  globalConcurrency?: number;
  /** Stalled-job detection: a crashed worker's job is taken over after about lockDuration + stalledInterval. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Times a job may be taken over from a dead worker (default: the retry policy's attempts, less the first). */
  maxStalledCount?: number;
}

class ShutdownAbort extends Error {}

/**
 * Scaled mode: a BullMQ queue per org on Redis, consumed by any number of processes. The job ID is derived from the
 * EventUuid, so a redelivered event is a no-op `add`; completed jobs are kept 72 h for that reason. Retryable errors
 * use BullMQ attempts with exponential backoff (the only retry layer); permanent ones throw UnrecoverableError.
 */
export class BullmqQueue implements JobQueue {
  readonly mode = 'scaled' as const;
  private readonly queueConnection: Redis;
  private workerConnection: Redis | undefined;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private runner: JobRunner | undefined;
  private shuttingDown = false;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: BullmqQueueOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.queueConnection = options.connect();
    this.queue = new Queue(options.name, {
      connection: this.queueConnection,
      prefix: options.prefix,
      defaultJobOptions: {
        attempts: this.retry.attempts,
        backoff: { type: 'exponential', delay: this.retry.baseDelayMs },
        removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
        removeOnFail: { age: KEEP_FAILED_SECONDS },
      },
    });
  }

  async start(handler: JobHandler): Promise<void> {
    const { options } = this;
    this.runner = new JobRunner({
      handler,
      deadLetter: options.deadLetter,
      metrics: options.metrics,
      logger: options.logger,
      org: options.org,
      ...(options.errorSteps ? { errorSteps: options.errorSteps } : {}),
    });
    if (options.globalConcurrency !== undefined) await this.queue.setGlobalConcurrency(options.globalConcurrency);
    this.workerConnection = options.connect();
    this.worker = new Worker(options.name, (job, token, signal) => this.process(job, token, signal), {
      connection: this.workerConnection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A dead worker is a failed attempt of every job it held, through no fault of theirs: stalls get the same budget as
      // failures. A fixed small budget lost healthy turns whose workers happened to be killed three times.
      maxStalledCount: options.maxStalledCount ?? Math.max(1, this.retry.attempts - 1),
      ...(options.limiter ? { limiter: options.limiter } : {}),
    });
    this.worker.on('error', (err) => options.logger.error({ err, org: options.org }, 'queue worker error'));
    this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    await this.worker.waitUntilReady();
  }

  async enqueue(job: LoomJob): Promise<EnqueueResult> {
    const jobId = queueJobId(job);
    // BullMQ ignores an add with an existing ID; asking first tells intake it was a duplicate.
    const existing = await this.queue.getJob(jobId);
    if (existing) return { status: 'duplicate', jobId, settled: Promise.resolve() };
    await this.queue.add(job.kind, job, { jobId });
    // Redis holds it now: the checkpoint may move past it at once.
    return { status: 'enqueued', jobId, settled: Promise.resolve() };
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const depth = Object.values(counts).reduce((sum, count) => sum + count, 0);
    this.options.metrics.observeDepth(depth);
    return depth;
  }

  private async process(bullJob: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const runner = this.runner as JobRunner;
    const jobId = bullJob.id ?? 'unknown';
    const parsed = LoomJob.safeParse(bullJob.data);
    if (!parsed.success) {
      await this.options.deadLetter.add({
        at: new Date().toISOString(),
        reason: 'malformed:job-data',
        detail: z.prettifyError(parsed.error),
        jobId,
        raw: bullJob.data,
      });
      this.options.metrics.inc('deadLettered');
      throw new UnrecoverableError('job data does not match LoomJob');
    }
    const job = parsed.data;
    const attempt = bullJob.attemptsMade + 1;
    const jobSignal = signal ?? new AbortController().signal;
    try {
      await this.options.pacing.admit(jobSignal);
      return await runner.run(job, jobId, attempt, jobSignal);
    } catch (error) {
      if (this.shuttingDown && jobSignal.aborted) {
        // Hand the job back without spending an attempt: any other worker picks it up at once.
        await bullJob.moveToDelayed(Date.now(), token);
        this.options.metrics.inc('handedBack');
        runner.logger(job, jobId).info('job handed back on shutdown');
        throw new DelayedError();
      }
      const disposition = classifyError(error);
      if (disposition === 'allocation') {
        this.options.metrics.inc('allocationPauses');
        this.options.pacing.pause('REQUEST_LIMIT_EXCEEDED');
        // Queue-wide (every process): the job returns to waiting without spending an attempt.
        await this.worker?.rateLimit(this.options.pacing.pauseMs);
        throw Worker.RateLimitError();
      }
      if (disposition === 'permanent') {
        await runner.failed(job, jobId, attempt, error);
        throw new UnrecoverableError(errorSummary(error).message);
      }
      if (attempt >= this.retry.attempts) await runner.failed(job, jobId, attempt, error);
      else {
        this.options.metrics.inc('retried');
        runner.logger(job, jobId).warn({ err: error, attempt }, 'job failed; BullMQ retries it with backoff');
      }
      throw error;
    }
  }

  /** Jobs failed by BullMQ itself (stalled too often) never reach our catch block: dead-letter them here. */
  private async onFailed(job: Job | undefined, err: Error): Promise<void> {
    if (!job || !/stalled more than allowable limit/i.test(err.message)) return;
    const parsed = LoomJob.safeParse(job.data);
    if (parsed.success) await this.runner?.failed(parsed.data, job.id ?? 'unknown', job.attemptsMade, err);
  }

  async close(options: { graceMs?: number } = {}): Promise<void> {
    this.shuttingDown = true;
    const worker = this.worker;
    if (worker) {
      const closing = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), options.graceMs ?? 30_000)),
      );
      const result = await Promise.race([closing.then(() => 'closed' as const), grace]);
      clearTimeout(timer);
      if (result === 'timeout') {
        worker.cancelAllJobs(new ShutdownAbort('worker shutting down').message);
        await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        await worker.close(true);
      }
    }
    await this.queue.close();
    await Promise.allSettled([this.queueConnection.quit(), this.workerConnection?.quit()]);
  }
}
