import { randomUUID } from 'node:crypto';
import type { DeadLetterStore } from '../ingestion/dead-letter.ts';
import { jobContext } from '../ingestion/events.ts';
import type { IngestionMetrics } from '../ingestion/metrics.ts';
import type { Logger } from '../logger.ts';
import { jobIdFor, type JobHandler, type JobOutcome, type LoomJob } from '../runtime/jobs.ts';
import { errorSummary } from './retry-policy.ts';

/** Stable queue ID of a job: from its EventUuid; internal sweeps get a fresh one. */
export function queueJobId(job: LoomJob): string {
  return job.kind === 'sweep' ? `sweep-${randomUUID()}` : jobIdFor(job);
}

export function logContext(job: LoomJob, jobId: string): Record<string, string> {
  return job.kind === 'sweep' ? { jobId, sweep: job.reason } : jobContext(job, jobId);
}

export interface JobRunnerOptions {
  handler: JobHandler;
  deadLetter: DeadLetterStore;
  metrics: IngestionMetrics;
  logger: Logger;
  org: string;
}

/**
 * The code both queues run for one attempt of one job: the handler, then the bookkeeping of how it ended
 * (refusals are security events in the dead letter; spent retries and permanent errors too).
 */
export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  logger(job: LoomJob, jobId: string): Logger {
    return this.options.logger.child({ org: this.options.org, ...logContext(job, jobId) });
  }

  /** One attempt. Throws what the handler threw; the queue decides about retries. */
  async run(job: LoomJob, jobId: string, attempt: number, signal: AbortSignal): Promise<JobOutcome> {
    const log = this.logger(job, jobId);
    log.debug({ attempt }, 'job started');
    const outcome = await this.options.handler.handle(job, signal);
    this.options.metrics.inc('completed');
    if (outcome.status === 'refused') {
      this.options.metrics.inc('securityRefused');
      log.warn({ detail: outcome.detail }, 'security: job refused by its handler');
      await this.record(job, jobId, 'security:refused', outcome.detail ?? 'refused by the handler');
    }
    log.info({ attempt, status: outcome.status, apiCalls: outcome.apiCalls }, 'job finished');
    return outcome;
  }

  /** A job that will not be retried again: counted, logged and dead-lettered with the error. */
  async failed(job: LoomJob, jobId: string, attempts: number, error: unknown): Promise<void> {
    const summary = errorSummary(error);
    this.options.metrics.inc('failed');
    this.logger(job, jobId).error({ err: error, attempts, category: summary.category }, 'job failed for good');
    await this.record(job, jobId, `failed:${summary.category}`, `${summary.message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`);
  }

  private async record(job: LoomJob, jobId: string, reason: string, detail: string): Promise<void> {
    try {
      await this.options.deadLetter.add({
        at: new Date().toISOString(),
        reason,
        detail,
        jobId,
        ...(job.kind === 'sweep'
          ? {}
          : {
              channel: job.channel,
              replayId: job.replayId,
              eventUuid: job.eventUuid,
              ...(job.kind === 'turn' ? { executionId: job.event.AgentExecutionId__c } : {}),
            }),
        raw: job,
      });
      this.options.metrics.inc('deadLettered');
    } catch (err) {
      // The log line is then the only record; say so loudly.
      this.logger(job, jobId).error({ err, reason, detail }, 'dead letter write failed');
    }
  }
}
