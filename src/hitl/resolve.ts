import type { Logger } from '../logger.ts';
import type { JobOutcome } from '../runtime/jobs.ts';
import { loadTurnContext } from '../runtime/turn-context.ts';
import { nextSequenceOf } from './continuation.ts';
import { checkDecision } from './decision/admit.ts';
import { auditStep } from './decision/audit.ts';
import { continueTurn } from './decision/continue.ts';
import { claimDecision, planTransition } from './decision/transition.ts';
import type { DecisionRequest, DecisionServices, DecisionState } from './decision/types.ts';
import { loadPendingById, type PendingRow } from './pending-record.ts';
import { UserDirectory } from './routing.ts';

export type { DecisionKind, DecisionRequest, DecisionServices } from './decision/types.ts';

/**
 * Applies one decision to one pending action, exactly once, then continues (or closes) the turn that waited for it.
 * Order: load → still open → not expired → right stage → who decides → integrity → edits → stale turn → claim the
 * transition atomically → run or refuse the held call as the REQUESTING user → continue the loop → atomic write.
 * The steps live in `decision/`: admit.ts (the checks), transition.ts (plan and claim), continue.ts (the turn).
 */
export async function applyDecision(
  services: DecisionServices,
  request: DecisionRequest,
  signal: AbortSignal,
): Promise<JobOutcome> {
  const log = services.logger.child({
    pendingId: request.pendingId,
    decision: request.decision,
    eventId: request.eventId,
  });
  const row = await loadPendingById(services.integration, request.pendingId);
  if (!row) {
    log.warn('decision for a pending action that does not exist or is not visible to the worker; ignored');
    return { status: 'ignored', detail: 'no such pending action' };
  }
  const state = await loadDecision(services, request, row, log);
  const admitted = await checkDecision(state);
  if ('outcome' in admitted) return admitted.outcome;
  const transition = await planTransition(state, admitted);
  if ('outcome' in transition) return transition.outcome;
  const claimed = await claimDecision(state, admitted, transition);
  if ('outcome' in claimed) return claimed.outcome;
  if (transition.stale)
    return { status: 'stale', detail: `recorded as ${transition.to}; the turn is no longer current` };
  return continueTurn(state, admitted, transition, claimed, signal);
}

/** Who decided, and the held call's turn as stored (its next free sequence takes the decision's audit row). */
async function loadDecision(
  services: DecisionServices,
  request: DecisionRequest,
  row: PendingRow,
  log: Logger,
): Promise<DecisionState> {
  const users = new UserDirectory(services.integration);
  const decider = request.deciderId ? await users.get(request.deciderId) : null;
  const who = decider ? `${decider.name} (${decider.username})` : 'the worker';
  const now = services.now();
  const context = await loadTurnContext(services.integration, { executionId: row.AgentExecution__c, messageId: null });
  const sequence = nextSequenceOf(context.steps, row.TurnIdentifier__c);
  return {
    services,
    request,
    row,
    log,
    users,
    decider,
    who,
    now,
    context,
    sequence,
    note: (content, error = {}) => auditStep(services, row, sequence, `${request.eventId}`, content, error),
  };
}
