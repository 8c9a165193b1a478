import { findUnclaimedTurns, reconciledTurnJob, type FindResult } from '../ingestion/reconcile.ts';
import type { Logger } from '../logger.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { WorkerRuntime } from '../worker/runtime.ts';
import { startPeriodicTask } from './periodic-task.ts';

export interface TurnReconcilerOptions {
  /** The worker's integration user (one query per sweep). */
  integration: SalesforceClient;
  /** Intake of this process: the de-dup claim and queue every delivered event goes through. */
  worker: Pick<WorkerRuntime, 'submitReconciled'>;
  intervalMs: number;
  /** Turns younger than this are left alone: their event may still be on its way. */
  graceMs: number;
  /** Only the process that holds the subscription sweeps (like the approval sweeper). */
  shouldRun: () => boolean;
  logger: Logger;
  now?: () => Date;
}

export interface ReconcileResult {
  /** Executions the query returned. */
  scanned: number;
  /** Unclaimed turns found. */
  found: number;
  /** Turns enqueued by this sweep. */
  enqueued: number;
  /** Turns the de-dup store or the queue already had (their event arrived meanwhile, or an earlier sweep took them). */
  duplicate: number;
  /** Executions that look unclaimed but cannot be run faithfully (each logged). */
  skipped: number;
  /** Turns whose hand-over failed; the next sweep tries again. */
  failed: number;
}

export interface TurnReconciler {
  /** One sweep now (shares a running one); undefined when this process does not sweep or the sweep failed. */
  runOnce(reason: string): Promise<ReconcileResult | undefined>;
  stop(): Promise<void>;
}

/**
 * The safety net for turns whose `AgentTurnRequest__e` never reached the worker (a delivery gap, events that expired
 * while every worker was down): on an interval, find started turns no job claimed and enqueue each through intake, as
 * its event would have been. Fail safe: a failing sweep is logged and the next tick tries again; it never throws.
 */
export function startTurnReconciler(options: TurnReconcilerOptions): TurnReconciler {
  const now = options.now ?? (() => new Date());
  const logger = options.logger.child({ component: 'turn-reconciler' });

  async function sweep(reason: string, signal: AbortSignal): Promise<ReconcileResult> {
    const started = now();
    const found: FindResult = await findUnclaimedTurns(options.integration, { now: started, graceMs: options.graceMs });
    const result: ReconcileResult = {
      scanned: found.scanned,
      found: found.turns.length,
      enqueued: 0,
      duplicate: 0,
      skipped: found.skipped.length,
      failed: 0,
    };
    for (const skip of found.skipped)
      logger.warn(
        { executionId: skip.executionId, reason: skip.reason },
        'reconciliation: execution looks unclaimed but cannot be run; check it by hand',
      );
    for (const turn of found.turns) {
      if (signal.aborted || !options.shouldRun()) break; // leadership moved: the new leader sweeps
      const context = {
        executionId: turn.executionId,
        turnId: turn.turnId,
        messageId: turn.messageId,
        requestedBy: turn.requestedBy,
        requestedAt: turn.requestedAt,
      };
      try {
        const status = await options.worker.submitReconciled(reconciledTurnJob(turn, now()));
        if (status === 'not-leader') break;
        if (status === 'duplicate') {
          result.duplicate += 1;
          logger.debug(
            context,
            'reconciliation: turn already claimed (its event arrived, or an earlier sweep took it)',
          );
          continue;
        }
        result.enqueued += 1;
        logger.warn(
          { ...context, ageMs: started.getTime() - Date.parse(turn.requestedAt) },
          'reconciliation: turn started without its event, which never arrived; enqueued by the sweep',
        );
      } catch (err) {
        result.failed += 1;
        logger.error({ err, ...context }, 'reconciliation: could not enqueue the turn; the next sweep tries again');
      }
    }
    if (result.found > 0 || result.skipped > 0) logger.info({ reason, ...result }, 'reconciliation sweep finished');
    return result;
  }

  return startPeriodicTask({
    intervalMs: options.intervalMs,
    shouldRun: options.shouldRun,
    run: sweep,
    onError: (err, reason) =>
      logger.error({ err, reason }, 'reconciliation sweep failed; retrying at the next interval'),
  });
}
