import { LoomError } from '../errors.ts';
import { loadPending } from './pending-record.ts';
import { applyDecision, type DecisionServices } from './resolve.ts';

/** How many overdue actions one sweep handles; the next sweep takes the rest. */
const BATCH = 50;

/**
 * Expires every pending action whose `ExpiresAt__c` has passed: each is moved to Expired exactly once (the same claim
 * as a human decision, so a racing approval and the sweep cannot both win), the model is told in the waiting turn,
 * which continues (or is only recorded when a newer turn exists), and the requester is notified.
 * Run it on an interval (or schedule `sweep` jobs); it is idempotent.
 */
export async function runSweep(services: DecisionServices, signal: AbortSignal): Promise<{ due: number; expired: number; failed: number }> {
  const cutoff = services.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const due = await loadPending(
    services.integration,
    `ExpiresAt__c < ${cutoff} AND (Status__c = 'Pending' OR (Status__c = 'Confirmed' AND HITLType__c = 'ConfirmationThenApproval')) ORDER BY ExpiresAt__c LIMIT ${BATCH}`,
  );
  let expired = 0;
  let failed = 0;
  for (const row of due) {
    if (signal.aborted) break;
    try {
      const outcome = await applyDecision(services, { pendingId: row.Id, decision: 'Expire', deciderId: null, eventId: `expire-${row.ActionKey__c}` }, signal);
      if (outcome.status !== 'duplicate' && outcome.status !== 'ignored') expired += 1;
    } catch (error) {
      // One broken action must not stop the sweep; a transient failure is retried by the next sweep.
      failed += 1;
      services.logger.error({ err: error, pendingId: row.Id, retryable: error instanceof LoomError && error.retryable }, 'could not expire a pending action');
    }
  }
  return { due: due.length, expired, failed };
}
