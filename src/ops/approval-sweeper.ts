import type { Logger } from '../logger.ts';
import type { JobHandler } from '../runtime/jobs.ts';
import { startPeriodicTask } from './periodic-task.ts';

export interface ApprovalSweeperOptions {
  /** The runtime's decision handler (it runs `sweep` jobs). */
  handler: JobHandler;
  intervalMs: number;
  /** Only the process that holds the subscription sweeps, so N workers do not each query every interval. */
  shouldRun: () => boolean;
  logger: Logger;
}

export interface ApprovalSweeper {
  /** One sweep now (skipped while another is running); resolves when it ends. */
  runOnce(reason: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Expires overdue pending approvals on an interval. The sweep is idempotent (each action is claimed once), so a missed
 * or doubled tick is harmless; a failing sweep is logged and retried at the next tick.
 */
export function startApprovalSweeper(options: ApprovalSweeperOptions): ApprovalSweeper {
  const task = startPeriodicTask({
    intervalMs: options.intervalMs,
    shouldRun: options.shouldRun,
    run: async (reason, signal) => {
      const outcome = await options.handler.handle(
        { kind: 'sweep', reason, receivedAt: new Date().toISOString() },
        signal,
      );
      if (outcome.detail && !outcome.detail.startsWith('expired 0 '))
        options.logger.info({ reason, apiCalls: outcome.apiCalls }, outcome.detail);
    },
    onError: (err, reason) =>
      options.logger.error({ err, reason }, 'approval sweep failed; retrying at the next interval'),
  });
  return { runOnce: async (reason) => void (await task.runOnce(reason)), stop: task.stop };
}
