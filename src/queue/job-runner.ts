import { randomUUID } from 'node:crypto';
import type { DeadLetterEntry, DeadLetterStore } from '../ingestion/dead-letter.ts';
import type { ErrorStepWriter } from '../ingestion/error-step.ts';
import { jobContext } from '../ingestion/events.ts';
import type { IngestionMetrics } from '../ingestion/metrics.ts';
import { withLogContext, type Logger } from '../logger.ts';
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
  /** Writes a given-up turn's terminal state and failure answer (absent: the dead letter is the only record). */
  errorSteps?: ErrorStepWriter;
}

/**
 * The code both queues run for one attempt of one job: the handler, then the bookkeeping of how it ended
 * (refusals are security events in the dead letter; spent retries and permanent errors too).
 */
export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  logger(job: LoomJob, jobId: string): Logger {
    // The worker runtime's logger already binds `org` once the org is known; binding it again would print it twice.
    const org = 'org' in this.options.logger.bindings() ? {} : { org: this.options.org };
    return this.options.logger.child({ ...org, ...logContext(job, jobId) });
  }

  /** Runs `fn` with this job's keys on every log line written inside it (see `withLogContext`). */
  private inContext<T>(job: LoomJob, jobId: string, fn: () => Promise<T>): Promise<T> {
    return withLogContext({ org: this.options.org, ...logContext(job, jobId) }, fn);
  }

  /** One attempt. Throws what the handler threw; the queue decides about retries. */
  async run(job: LoomJob, jobId: string, attempt: number, signal: AbortSignal): Promise<JobOutcome> {
    const log = this.logger(job, jobId);
    log.debug({ attempt }, 'job started');
    const outcome = await this.inContext(job, jobId, () => this.options.handler.handle(job, signal));
    this.options.metrics.inc('completed');
    if (outcome.status === 'refused') {
      this.options.metrics.inc('securityRefused');
      log.warn({ detail: outcome.detail }, 'security: job refused by its handler');
      await this.record(job, jobId, 'security:refused', outcome.detail ?? 'refused by the handler');
    }
    log.info({ attempt, status: outcome.status, apiCalls: outcome.apiCalls }, 'job finished');
    return outcome;
  }

  /** A job that will not be retried again: counted, logged, its turn closed with a failure answer, and dead-lettered. */
  async failed(job: LoomJob, jobId: string, attempts: number, error: unknown): Promise<void> {
    const summary = errorSummary(error);
    this.options.metrics.inc('failed');
    const log = this.logger(job, jobId);
    log.error({ err: error, attempts, category: summary.category }, 'job failed for good');
    const detail = `${summary.message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`;
    let errorStep: DeadLetterEntry['errorStep'] = 'not-applicable';
    if (job.kind === 'turn' && this.options.errorSteps) {
      // Without this the requester would wait forever: a turn that is given up still ends, visibly and audited.
      try {
        errorStep = await this.options.errorSteps.turnFailed({
          executionId: job.event.AgentExecutionId__c,
          turnId: job.event.TurnIdentifier__c,
          eventUuid: job.eventUuid,
          reason: `${summary.category}: ${detail}`,
        });
      } catch (err) {
        errorStep = 'failed';
        log.error({ err }, 'could not write the terminal state of a given-up turn');
      }
    }
    await this.record(job, jobId, `failed:${summary.category}`, detail, errorStep);
  }

  private async record(
    job: LoomJob,
    jobId: string,
    reason: string,
    detail: string,
    errorStep?: DeadLetterEntry['errorStep'],
  ): Promise<void> {
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
        ...(errorStep ? { errorStep } : {}),
      });
      this.options.metrics.inc('deadLettered');
    } catch (err) {
      // The log line is then the only record; say so loudly.
      this.logger(job, jobId).error({ err, reason, detail }, 'dead letter write failed');
    }
  }
}
