import { parseArgs, verifiedArgs } from '../continuation.ts';
import { refusalFor } from '../decider.ts';
import { expiresAtOf, isOpen, type PendingRow } from '../pending-record.ts';
import { sameId } from '../routing.ts';
import type { Admitted, DecisionKind, DecisionRequest, DecisionState, Stopped } from './types.ts';

/**
 * The checks before anything moves, in order: submitted through AgentHITLService → still open → not expired (a late
 * decision counts as an expiry) → the right stage → the record's integrity → the decider may make this decision.
 * Every refusal and duplicate leaves an audit row.
 */
export async function checkDecision(state: DecisionState): Promise<Admitted | Stopped> {
  const { request, row, log, who, note } = state;
  // A person's decision counts only as submitted through AgentHITLService: the record carries the same request ID and
  // decision, and with it the comment and edited arguments (which never travel in the event).
  const submitted = request.decision === 'Run' || request.decision === 'Expire' ? null : submissionOf(row, request);
  if (typeof submitted === 'string') {
    log.warn(
      { deciderId: request.deciderId, reason: submitted },
      'security: decision not submitted through AgentHITLService; refused',
    );
    await note(`Security: ${request.decision} by ${who} refused: ${submitted}`, {
      isError: true,
      category: 'SecurityViolation',
    });
    return { outcome: { status: 'refused', detail: submitted } };
  }
  if (!isOpen(row)) {
    log.info({ status: row.Status__c }, 'late or duplicate decision ignored');
    await note(`${request.decision} by ${who} ignored: the action is already ${row.Status__c}.`);
    return { outcome: { status: 'duplicate', detail: `already ${row.Status__c}` } };
  }
  const { decision, late } = onTime(state);
  if (!(await rightStage(state, decision)))
    return { outcome: { status: 'refused', detail: 'decision does not apply to this stage' } };
  // The signature binds requester, agent and capability; the execution must still name the same requester and agent.
  const verified = verifiedArgs(state.services.signer, row);
  const moved = verified ? identityMoved(row, state.context.execution) : null;
  const stored = moved ? null : verified;
  const comment = submitted?.comment ?? null;
  const editedArgumentsJson = submitted?.editedArgumentsJson ?? null;
  if (decision !== 'Expire') {
    const denied = await deciderRefusal(state, decision, stored, editedArgumentsJson);
    if (denied) return { outcome: { status: 'refused', detail: denied } };
  }
  return { decision, late, comment, editedArgumentsJson, stored, moved };
}

/**
 * The comment and edited arguments of a person's decision, read from the pending action where AgentHITLService wrote
 * them; a string says why the event does not match a submission on the record (published outside the package's Apex,
 * or overtaken by a later submission whose own event follows).
 */
function submissionOf(
  row: PendingRow,
  request: DecisionRequest,
): { comment: string | null; editedArgumentsJson: string | null } | string {
  if (!request.decisionRequestId || row.DecisionRequestId__c !== request.decisionRequestId) {
    return 'the decision was not submitted through AgentHITLService (or a later submission replaced it on the pending action).';
  }
  if (row.RequestedDecision__c !== request.decision)
    return `the pending action records ${row.RequestedDecision__c ?? 'no decision'}, not ${request.decision}.`;
  return { comment: row.DecisionComment__c, editedArgumentsJson: row.ProposedArgumentsJSON__c };
}

/** A decision after the deadline does not count: the worker expires the action, and the audit names the late decider. */
function onTime({ request, row, who, now }: DecisionState): Pick<Admitted, 'decision' | 'late'> {
  if (request.decision === 'Expire' || expiresAtOf(row) > now.getTime())
    return { decision: request.decision, late: null };
  return {
    decision: 'Expire',
    late: {
      note: ` ${request.decision} by ${who} arrived after the deadline.`,
      data: { lateDecision: request.decision, lateDeciderId: request.deciderId },
    },
  };
}

/** A person confirms or declines only while the action waits for confirmation, and approves or rejects only after. */
async function rightStage({ row, who, note }: DecisionState, decision: DecisionKind): Promise<boolean> {
  const waitsForConfirmation =
    row.Status__c === 'Pending' &&
    (row.HITLType__c === 'Confirmation' || row.HITLType__c === 'ConfirmationThenApproval');
  // Run and asynchronous actions follow the worker's rules (checked with the decider below), not a person's stage.
  const workerRules = decision === 'Run' || row.HITLType__c === 'Asynchronous';
  if (
    decision === 'Expire' ||
    workerRules ||
    (decision === 'Confirm' || decision === 'Decline') === waitsForConfirmation
  )
    return true;
  await note(
    `${decision} by ${who} refused: the action waits for ${waitsForConfirmation ? 'confirmation by the requesting user' : 'an approver'}.`,
    { isError: true, category: 'InvalidDecision' },
  );
  return false;
}

/**
 * Why the execution no longer matches the signed action (its requester or agent was changed after the hold), or null.
 * Users can edit those lookups on their own executions; the signed values on the pending action are the truth.
 */
function identityMoved(
  row: PendingRow,
  execution: {
    RequestingUser__c?: string | null | undefined;
    OwnerId: string;
    AIAgentDefinition__c?: string | null | undefined;
  },
): string | null {
  const requester = execution.RequestingUser__c ?? execution.OwnerId;
  if (!sameId(requester, row.RequestingUser__c))
    return 'the execution names another requesting user than the one the action was held for';
  const agent = row.AgentCapability__r?.AIAgentDefinition__c ?? '';
  if (!execution.AIAgentDefinition__c || !sameId(execution.AIAgentDefinition__c, agent))
    return 'the execution names another agent than the one whose capability was held';
  return null;
}

/** Why the decider may not make this decision (recorded as a security refusal), or null when they may. */
async function deciderRefusal(
  state: DecisionState,
  decision: Exclude<DecisionKind, 'Expire'>,
  stored: Record<string, unknown> | null,
  editedArgumentsJson: string | null,
): Promise<string | null> {
  const { services, request, row, log, who, decider, users, note } = state;
  const workerId = await services.integration.userId();
  const denied = await refusalFor({
    row,
    decision,
    decider,
    workerId,
    args: stored ?? parseArgs(row.ToolArgumentsJSON__c) ?? {},
    editedArgs: editedArgumentsJson ? parseArgs(editedArgumentsJson) : null,
    users,
    clientFor: services.clientFor,
    permissions: services.permissions,
    defaultApprover: services.defaultApprover,
  });
  if (!denied) return null;
  log.warn(
    { deciderId: request.deciderId, reason: denied },
    'security: decision by a user who may not make it; refused',
  );
  await note(`Security: ${decision} by ${who} refused: ${denied}`, { isError: true, category: 'SecurityViolation' });
  return denied;
}
