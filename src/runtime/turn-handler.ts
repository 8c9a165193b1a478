import { AgentRegistry } from './agent-registry.ts';
import { TurnJob, type JobHandler, type JobOutcome, type LoomJob } from './jobs.ts';
import { MemorySideEffectLedger } from './side-effect-ledger.ts';
import { DescribeCache } from './tools/describe-cache.ts';
import { AccessGuard } from './turn-context.ts';
import { loadTurn } from './turn/load.ts';
import { runNewTurn } from './turn/new-turn.ts';
import { runChecked } from './turn/run-checked.ts';
import type { ResumedOutcome, TurnHandlerDeps, TurnResumer, TurnServices } from './turn/types.ts';

export type {
  HeldTurnIdentity,
  Prelude,
  ResumedOutcome,
  TurnHandlerDeps,
  TurnResumer,
  TurnSetup,
  TurnWritten,
} from './turn/types.ts';

/**
 * Creates the handler for `turn` jobs: one governed agent turn, run as the requesting user, fully audited. The steps
 * live in `turn/`: load (load.ts) → refuse what may not run (new-turn.ts, authorize.ts) → prepare (prepare.ts) → the
 * prelude and the loop (run-checked.ts) → record and write in one composite call (write.ts, refuse.ts).
 */
export function createTurnHandler(deps: TurnHandlerDeps): JobHandler & TurnResumer {
  const services: TurnServices = {
    ...deps,
    registry: deps.registry ?? new AgentRegistry(deps.integration),
    describes: deps.describes ?? new DescribeCache(),
    guard: new AccessGuard(deps.integration, undefined, undefined, deps.permissions),
    ledger: deps.ledger ?? new MemorySideEffectLedger(),
  };

  return {
    async handle(job: LoomJob, signal: AbortSignal): Promise<JobOutcome> {
      if (job.kind !== 'turn') return { status: 'ignored', detail: `not a turn job: ${job.kind}` };
      const { event } = TurnJob.parse(job);
      const log = deps.logger.child({
        executionId: event.AgentExecutionId__c,
        turnId: event.TurnIdentifier__c,
        eventUuid: job.eventUuid,
      });
      const { result, scope } = await deps.meter.scope(async () =>
        deps.meter.withTurn(event.TurnIdentifier__c, () => runNewTurn(services, job, log, signal)),
      );
      log.info({ status: result.status, apiCalls: scope.calls }, 'turn finished');
      return { ...result, apiCalls: scope.calls };
    },
    async resume(request, signal): Promise<ResumedOutcome> {
      const log = deps.logger.child({ executionId: request.executionId, turnId: request.turnId, resumed: true });
      const { context, recorder } = await loadTurn(
        services,
        { executionId: request.executionId, messageId: null },
        request.turnId,
        request.firstSequence,
      );
      const outcome = await deps.meter.withTurn(request.turnId, () =>
        runChecked(services, {
          context,
          turnId: request.turnId,
          recorder,
          log,
          signal,
          prelude: request.prelude,
          identity: request.identity,
        }),
      );
      return { ...outcome, nextSequence: recorder.nextSequence };
    },
  };
}
