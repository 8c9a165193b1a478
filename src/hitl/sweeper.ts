import { LoomError } from '../errors.ts';
import { BLANK_EXPIRY_HOURS, loadPending, type PendingRow } from './pending-record.ts';
import { applyDecision, type DecisionRequest, type DecisionServices } from './resolve.ts';

/** How many actions one sweep handles per kind; the next sweep takes the rest. */
const BATCH = 50;

/**
 * An asynchronous action still Pending this long after it was held lost its `Run` event (publish failed, or the event
 * aged out); the sweep starts it itself. Long enough that a queued `Run` normally wins; the claim makes a race harmless.
 */
export const ASYNC_GRACE_MS = 2 * 60_000;

export interface SweepResult {
  due: number;
  expired: number;
  /** Stranded asynchronous actions the sweep started. */
  started: number;
  failed: number;
}

/**
 * Expires every pending action whose `ExpiresAt__c` has passed: each is moved to Expired exactly once (the same claim
 * as a human decision, so a racing approval and the sweep cannot both win), the model is told in the waiting turn,
 * which continues (or is only recorded when a newer turn exists), and the requester is notified.
 * Then starts asynchronous actions whose `Run` never arrived, as the worker, through the same decision path.
 * Run it on an interval (or schedule `sweep` jobs); it is idempotent.
 */
export async function runSweep(services: DecisionServices, signal: AbortSignal): Promise<SweepResult> {
  const now = services.now();
  const cutoff = soqlDateTime(now);
  const due = await loadPending(
    services.integration,
    // A blank expiry means the default deadline after the request (BLANK_EXPIRY_HOURS), never no deadline at all.
    `(ExpiresAt__c < ${cutoff} OR (ExpiresAt__c = null AND (RequestedAt__c = null OR RequestedAt__c < ${soqlDateTime(new Date(now.getTime() - BLANK_EXPIRY_HOURS * 3_600_000))}))) AND (Status__c = 'Pending' OR (Status__c = 'Confirmed' AND HITLType__c = 'ConfirmationThenApproval')) ORDER BY ExpiresAt__c LIMIT ${BATCH}`,
  );
  const result: SweepResult = { due: due.length, expired: 0, started: 0, failed: 0 };
  await each(services, due, signal, result, 'expired', (row) => ({
    pendingId: row.Id,
    decision: 'Expire',
    deciderId: null,
    eventId: `expire-${row.ActionKey__c}`,
  }));

  const stranded = await loadPending(
    services.integration,
    `HITLType__c = 'Asynchronous' AND Status__c = 'Pending' AND RequestedAt__c < ${soqlDateTime(new Date(now.getTime() - ASYNC_GRACE_MS))} AND ExpiresAt__c >= ${cutoff} ORDER BY RequestedAt__c LIMIT ${BATCH}`,
  );
  if (stranded.length > 0) {
    const workerId = await services.integration.userId();
    await each(services, stranded, signal, result, 'started', (row) => ({
      pendingId: row.Id,
      decision: 'Run',
      deciderId: workerId,
      eventId: `async-sweep-${row.ActionKey__c}`,
    }));
  }
  return result;
}

async function each(
  services: DecisionServices,
  rows: PendingRow[],
  signal: AbortSignal,
  result: SweepResult,
  counter: 'expired' | 'started',
  request: (row: PendingRow) => DecisionRequest,
): Promise<void> {
  for (const row of rows) {
    if (signal.aborted) break;
    try {
      const outcome = await applyDecision(services, request(row), signal);
      if (outcome.status !== 'duplicate' && outcome.status !== 'ignored' && outcome.status !== 'refused')
        result[counter] += 1;
    } catch (error) {
      // One broken action must not stop the sweep; a transient failure is retried by the next sweep.
      result.failed += 1;
      services.logger.error(
        { err: error, pendingId: row.Id, retryable: error instanceof LoomError && error.retryable },
        `could not handle a pending action (${counter})`,
      );
    }
  }
}

function soqlDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
