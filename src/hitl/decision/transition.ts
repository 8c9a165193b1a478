import type { ToolDefinition } from '../../runtime/ports.ts';
import { validateArguments } from '../../runtime/tools/toolbox.ts';
import { nextSequenceOf, parseArgs, signedAction } from '../continuation.ts';
import {
  claimTransition,
  DECISION_COMMENT_MAX,
  readClaim,
  type PendingRow,
  type PendingStatus,
} from '../pending-record.ts';
import { canonicalJson } from '../signature.ts';
import { stepFields } from './audit.ts';
import {
  TO,
  type Admitted,
  type Claimed,
  type DecisionRequest,
  type DecisionServices,
  type DecisionState,
  type Stopped,
  type Transition,
} from './types.ts';

/**
 * Where the action goes: a tampered record is cancelled, approver edits are accepted (signed) or refused, and a
 * decision for a turn the conversation moved past cancels instead of running. Final statuses carry the resolution.
 */
export async function planTransition(state: DecisionState, admitted: Admitted): Promise<Transition | Stopped> {
  const { request, row, now } = state;
  const { decision, comment } = admitted;
  const checked = await integrityAndEdits(state, admitted);
  if ('outcome' in checked) return checked;
  const { args, fields } = checked;
  let to = checked.to;
  if (decision === 'Run' && admitted.stored)
    fields.ResolutionComment__c = 'Asynchronous tool: started by the worker in its own job; no person was needed.';
  const { continueIn, stale } = await turnToContinue(state);
  if (stale && (to === 'Approved' || to === 'Confirmed')) {
    to = 'Cancelled';
    fields.ResolutionComment__c = `${decision} by ${state.who} arrived after the conversation moved on to a newer request; nothing was executed.`;
  }
  const final = to !== 'Confirmed' || row.HITLType__c === 'Confirmation';
  Object.assign(
    fields,
    { Status__c: to },
    final ? resolution(row, request, comment, now, to, fields.ResolutionComment__c) : {},
  );
  return { to, fields, args, continueIn, stale };
}

/** A record that fails its signature is cancelled; edited arguments count only with Approve and must pass the schema. */
async function integrityAndEdits(
  { services, row, log, who, note }: DecisionState,
  { decision, stored, moved, editedArgumentsJson }: Admitted,
): Promise<Pick<Transition, 'to' | 'fields' | 'args'> | Stopped> {
  const fields: Record<string, unknown> = {};
  if (!stored) {
    log.error({ reason: moved ?? 'signature' }, 'security: pending action does not match its signature; refused');
    fields.ResolutionComment__c = moved
      ? `Refused by the worker: ${moved} (tampering).`
      : 'Refused by the worker: the stored arguments do not match their signature (tampering).';
    return { to: 'Cancelled', fields, args: stored };
  }
  if (editedArgumentsJson && decision === 'Approve') {
    const edited = acceptEdits(services, row, editedArgumentsJson);
    if (typeof edited === 'string') {
      await note(`Approve by ${who} refused: ${edited}`, { isError: true, category: 'InvalidEdit' });
      return { outcome: { status: 'refused', detail: edited } };
    }
    fields.ReviewedArgumentsJSON__c = canonicalJson(edited);
    fields.ArgumentsSignature__c = services.signer.signReviewed(
      row.ArgumentsSignature__c ?? '',
      signedAction(row, edited),
    );
    return { to: TO[decision], fields, args: edited };
  }
  if (editedArgumentsJson) {
    await note(`${decision} by ${who} refused: edited arguments are only accepted with Approve.`, {
      isError: true,
      category: 'InvalidEdit',
    });
    return { outcome: { status: 'refused', detail: 'edits only with Approve' } };
  }
  return { to: TO[decision], fields, args: stored };
}

/** The turn to continue, and whether the conversation has moved on past it. */
async function turnToContinue({
  services,
  row,
  context,
}: DecisionState): Promise<Pick<Transition, 'continueIn' | 'stale'>> {
  const current = context.execution.CurrentTurnIdentifier__c ?? row.TurnIdentifier__c;
  // A two-step action confirmed in chat waits in the turn of that chat message; that turn is the one to continue.
  const continueIn =
    current !== row.TurnIdentifier__c &&
    row.Status__c === 'Confirmed' &&
    (await readClaim(services.integration, row, 'Pending'))?.eventId === `message:${current}`
      ? current
      : row.TurnIdentifier__c;
  return { continueIn, stale: current !== continueIn };
}

/**
 * Claims the transition atomically with its audit row. Another decision's claim makes this one a duplicate; this same
 * decision's claim (a redelivery after the claim landed but before the turn was written) lets it finish the job.
 */
export async function claimDecision(
  state: DecisionState,
  admitted: Admitted,
  transition: Transition,
): Promise<Claimed | Stopped> {
  const { services, request, row, log, who, now, context, sequence, note } = state;
  const { decision, late, stored, moved } = admitted;
  const { to, fields, continueIn } = transition;
  const from = row.Status__c;
  const actor = late ? 'the worker' : who;
  const deciderId = late ? null : request.deciderId;
  const content = `${decision} by ${actor} at ${now.toISOString()}: ${from} → ${to}${stored ? '' : ` (${moved ?? 'signature mismatch'}: tampered record refused)`}.${late?.note ?? ''}`;
  const claim = await claimTransition(services.integration, {
    row,
    from,
    fields,
    // Stamped with the instant in its text and in ResolvedAt__c: one decision, one time.
    step: {
      ...stepFields(
        services,
        row,
        sequence,
        content,
        { eventId: request.eventId, decision, deciderId, from, to, ...late?.data },
        stored ? {} : { isError: true, category: 'SecurityViolation' },
      ),
      Timestamp__c: now.toISOString(),
    },
  });
  const firstSequence = continueIn === row.TurnIdentifier__c ? sequence + 1 : nextSequenceOf(context.steps, continueIn);
  if (claim !== 'taken') return { firstSequence, recovering: false };
  const existing = await readClaim(services.integration, row, from);
  const continued =
    existing &&
    context.steps.some(
      (step) => step.TurnIdentifier__c === row.TurnIdentifier__c && step.Sequence__c > existing.sequence,
    );
  if (!existing || existing.eventId !== request.eventId || continued) {
    log.info('another decision already moved this action; ignored');
    await note(`${decision} by ${who} ignored: another decision was applied first.`);
    return { outcome: { status: 'duplicate', detail: 'another decision was applied first' } };
  }
  // The same decision, redelivered after the claim landed but before the turn was written: finish the job.
  return {
    firstSequence: continueIn === row.TurnIdentifier__c ? existing.sequence + 1 : firstSequence,
    recovering: true,
  };
}

/**
 * The resolution fields. An expiry is resolved by nobody (however it was noticed); a worker's own comment (stale,
 * tampered) comes first and the person's comment is kept after it, never dropped.
 */
function resolution(
  row: PendingRow,
  request: DecisionRequest,
  comment: string | null,
  now: Date,
  to: PendingStatus,
  workerComment: unknown,
): Record<string, unknown> {
  const requested = row.RequestedAt__c ? Date.parse(row.RequestedAt__c) : now.getTime();
  const comments = [
    typeof workerComment === 'string' ? workerComment : '',
    comment ? `${workerComment ? 'Comment: ' : ''}${comment}` : '',
  ].filter(Boolean);
  return {
    ResolvedAt__c: now.toISOString(),
    DecisionHours__c: Number(((now.getTime() - requested) / 3_600_000).toFixed(2)),
    ...(request.deciderId && to !== 'Expired' ? { ResolvedBy__c: request.deciderId } : {}),
    ...(comments.length > 0 ? { ResolutionComment__c: comments.join(' ').slice(0, DECISION_COMMENT_MAX) } : {}),
  };
}

/** Approver edits: allowed only where the capability says so; must be a JSON object that passes the tool schema. */
function acceptEdits(services: DecisionServices, row: PendingRow, text: string): Record<string, unknown> | string {
  if (!row.AgentCapability__r?.AllowApproverEdits__c)
    return 'this capability does not allow approvers to edit arguments.';
  const edited = parseArgs(text);
  if (!edited) return 'edited arguments must be a JSON object.';
  let parameters: Record<string, unknown>;
  try {
    parameters = JSON.parse(row.AgentCapability__r.Parameters__c || '{"type":"object"}') as Record<string, unknown>;
  } catch {
    return "the tool's parameter schema is invalid.";
  }
  const tool = {
    name: row.ToolName__c,
    capabilityId: `${row.AgentCapability__c ?? row.Id}-review`,
    parameters,
  } as ToolDefinition;
  const errors = validateArguments(tool, edited);
  services.logger.debug({ pendingId: row.Id, errors }, 'approver edits validated');
  return errors.length > 0 ? `edited arguments do not match the tool's schema: ${errors.join('; ')}` : edited;
}
