import { DecisionJob, type JobHandler, type JobOutcome, type LoomJob } from '../runtime/jobs.ts';
import type { ApiMeter } from '../salesforce/api-meter.ts';
import { applyDecision, type DecisionServices } from './resolve.ts';
import { runSweep } from './sweeper.ts';

/**
 * Handles `decision` jobs (one `AgentHITLDecision__e` each; the decider is the event's CreatedById; `Run` from the
 * worker starts an asynchronous tool) and `sweep` jobs (expire overdue actions, start stranded asynchronous ones). Both continue the waiting turn through the same turn machinery as new turns.
 */
export function createDecisionHandler(services: DecisionServices & { meter: ApiMeter }): JobHandler {
  return {
    async handle(job: LoomJob, signal: AbortSignal): Promise<JobOutcome> {
      if (job.kind === 'sweep') {
        const { result, scope } = await services.meter.scope(() => runSweep(services, signal));
        const expired = `expired ${result.expired} of ${result.due} overdue action(s)`;
        // The operator log skips details that start with "expired 0 ": put stranded asynchronous starts first.
        const detail =
          result.started > 0 ? `started ${result.started} stranded asynchronous action(s); ${expired}` : expired;
        return { status: 'completed', detail, apiCalls: scope.calls };
      }
      if (job.kind !== 'decision') return { status: 'ignored', detail: `not a decision job: ${job.kind}` };
      const { event, eventUuid } = DecisionJob.parse(job);
      const { result, scope } = await services.meter.scope(() =>
        applyDecision(
          services,
          {
            pendingId: event.PendingActionId__c,
            decision: event.Decision__c,
            deciderId: event.CreatedById,
            decisionRequestId: event.DecisionRequestId__c ?? null,
            eventId: eventUuid,
          },
          signal,
        ),
      );
      services.logger.info(
        {
          pendingId: event.PendingActionId__c,
          decision: event.Decision__c,
          status: result.status,
          apiCalls: scope.calls,
        },
        'decision handled',
      );
      return { ...result, apiCalls: scope.calls };
    },
  };
}
