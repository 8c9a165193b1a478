import type { JobHandler } from '../runtime/jobs.ts';
import type { LoomMetrics } from './metrics.ts';

/** Counts every job's outcome (or thrown error) by kind; the handler's behaviour is unchanged. */
export function instrumentHandler(handler: JobHandler, metrics: LoomMetrics): JobHandler {
  return {
    async handle(job, signal) {
      try {
        const outcome = await handler.handle(job, signal);
        metrics.observeJob(job.kind, outcome);
        return outcome;
      } catch (error) {
        metrics.observeJob(job.kind, 'error');
        throw error;
      }
    },
  };
}
