import type { Logger } from '../logger.ts';
import type { JobHandler } from '../runtime/jobs.ts';

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
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  const runOnce = (reason: string): Promise<void> => {
    if (running || abort.signal.aborted || !options.shouldRun()) return running ?? Promise.resolve();
    running = options.handler
      .handle({ kind: 'sweep', reason, receivedAt: new Date().toISOString() }, abort.signal)
      .then((outcome) => {
        if (outcome.detail && !outcome.detail.startsWith('expired 0 ')) options.logger.info({ reason, apiCalls: outcome.apiCalls }, outcome.detail);
      })
      .catch((err: unknown) => options.logger.error({ err, reason }, 'approval sweep failed; retrying at the next interval'))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runOnce('interval'), options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
