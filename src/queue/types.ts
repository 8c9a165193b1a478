import type { DeadLetterStore } from '../ingestion/dead-letter.ts';
import type { ErrorStepWriter } from '../ingestion/error-step.ts';
import type { IngestionMetrics } from '../ingestion/metrics.ts';
import type { Logger } from '../logger.ts';
import type { JobHandler, JobOutcome, LoomJob } from '../runtime/jobs.ts';
import type { Pacing } from './pacing.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** What enqueueing one job gave. `settled` resolves once the job is safe to checkpoint past (see each queue). */
export interface EnqueueResult {
  /** `duplicate`: the queue already held (or finished) a job with this ID; nothing new will run. */
  status: 'enqueued' | 'duplicate';
  jobId: string;
  /**
   * Resolves when the event behind the job may be checkpointed: at once for a durable queue (BullMQ), when the job has
   * reached a terminal state for the in-process queue. Never rejects; stays pending for a job handed back on shutdown.
   */
  settled: Promise<void>;
}

/** How a job ended, reported once per job so intake and operators can see it (dead letter, metrics). */
export interface JobReport {
  job: LoomJob;
  jobId: string;
  attempts: number;
  outcome?: JobOutcome;
  /** Set when the job failed for good (permanent error or retries spent). */
  error?: { message: string; category: string };
}

/** The queue both modes implement; the runtime chooses one by configuration only. */
export interface JobQueue {
  readonly mode: 'embedded' | 'scaled';
  /** Starts consuming with the given handler (call once). */
  start(handler: JobHandler): Promise<void>;
  enqueue(job: LoomJob): Promise<EnqueueResult>;
  /** Jobs waiting or running. */
  depth(): Promise<number>;
  /** Stops consuming: waits up to `graceMs` for running jobs, then aborts them and hands them back (not completed). */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** What both queues are built from: how many jobs run at once, how they retry and pace, where failures go. */
export interface JobQueueOptions {
  concurrency: number;
  retry?: RetryPolicy;
  pacing: Pacing;
  deadLetter: DeadLetterStore;
  /** Closes a given-up turn with a failure answer (see JobRunner). */
  errorSteps?: ErrorStepWriter;
  metrics: IngestionMetrics;
  logger: Logger;
  org: string;
}
