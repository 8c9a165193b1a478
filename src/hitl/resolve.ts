import { createHash } from 'node:crypto';
import { PermanentError } from '../errors.ts';
import type { JobOutcome } from '../runtime/jobs.ts';
import { loadTurnContext } from '../runtime/turn-context.ts';
import type { TurnResumer } from '../runtime/turn-handler.ts';
import type { ToolDefinition } from '../runtime/ports.ts';
import { validateArguments } from '../runtime/tools/toolbox.ts';
import type { CustomPermissions } from '../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import {
  deliverHeld,
  nextSequenceOf,
  parseArgs,
  signedAction,
  verifiedArgs,
  waiting,
  type HeldOutcome,
} from './continuation.ts';
import { refusalFor } from './decider.ts';
import type { HitlServices } from './gate.ts';
import {
  claimTransition,
  DECISION_COMMENT_MAX,
  expiresAtOf,
  isOpen,
  loadPendingById,
  readClaim,
  type PendingRow,
  type PendingStatus,
} from './pending-record.ts';
import { describeRouting, routingFor, sameId, UserDirectory } from './routing.ts';
import { canonicalJson } from './signature.ts';

export interface DecisionServices extends HitlServices {
  clientFor: (username: string) => SalesforceClient;
  resumer: TurnResumer;
  /** Custom permission answers (Loom_DecidePendingActions), asked as the decider; shared with the turn handler. */
  permissions: CustomPermissions;
}

export type DecisionKind = 'Confirm' | 'Approve' | 'Reject' | 'Decline' | 'Run' | 'Expire';

export interface DecisionRequest {
  pendingId: string;
  decision: DecisionKind;
  /** Who decided (`CreatedById` of the event: a person, or the worker for `Run`); null when the worker expires the action. */
  deciderId: string | null;
  /**
   * The decision `AgentHITLService` wrote on the pending action (its event carries the same ID): the comment and any
   * edited arguments are read from the record under this ID, never from the event. Null for the worker's own decisions.
   */
  decisionRequestId?: string | null | undefined;
  /** Identifies the decision (event UUID, sweep key): a redelivered event is recognised as the same decision. */
  eventId: string;
}

// `Run` ends Approved: the worker let an action that needs no person proceed (ResolvedBy__c is the worker).
const TO: Record<DecisionKind, PendingStatus> = {
  Confirm: 'Confirmed',
  Approve: 'Approved',
  Reject: 'Rejected',
  Decline: 'Declined',
  Run: 'Approved',
  Expire: 'Expired',
};

/**
 * Applies one decision to one pending action, exactly once, then continues (or closes) the turn that waited for it.
 * Order: load → still open → not expired → right stage → who decides → integrity → edits → stale turn → claim the
 * transition atomically → run or refuse the held call as the REQUESTING user → continue the loop → atomic write.
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
  const users = new UserDirectory(services.integration);
  const decider = request.deciderId ? await users.get(request.deciderId) : null;
  const who = decider ? `${decider.name} (${decider.username})` : 'the worker';
  const now = services.now();
  const context = await loadTurnContext(services.integration, { executionId: row.AgentExecution__c, messageId: null });
  const sequence = nextSequenceOf(context.steps, row.TurnIdentifier__c);
  const note = (content: string, extra: Record<string, unknown> = {}) =>
    auditStep(services, row, sequence, `${request.eventId}`, content, extra);

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
    return { status: 'refused', detail: submitted };
  }
  const comment = submitted?.comment ?? null;
  const editedArgumentsJson = submitted?.editedArgumentsJson ?? null;

  if (!isOpen(row)) {
    log.info({ status: row.Status__c }, 'late or duplicate decision ignored');
    await note(`${request.decision} by ${who} ignored: the action is already ${row.Status__c}.`);
    return { status: 'duplicate', detail: `already ${row.Status__c}` };
  }
  let decision = request.decision;
  // A decision after the deadline does not count: the worker expires the action, and the audit names the late decider.
  let late: { note: string; data: Record<string, unknown> } | null = null;
  if (decision !== 'Expire' && expiresAtOf(row) <= now.getTime()) {
    late = {
      note: ` ${request.decision} by ${who} arrived after the deadline.`,
      data: { lateDecision: request.decision, lateDeciderId: request.deciderId },
    };
    decision = 'Expire';
  }
  const waitsForConfirmation =
    row.Status__c === 'Pending' &&
    (row.HITLType__c === 'Confirmation' || row.HITLType__c === 'ConfirmationThenApproval');
  // Run and asynchronous actions follow the worker's rules (checked with the decider below), not a person's stage.
  const workerRules = decision === 'Run' || row.HITLType__c === 'Asynchronous';
  if (
    decision !== 'Expire' &&
    !workerRules &&
    (decision === 'Confirm' || decision === 'Decline') !== waitsForConfirmation
  ) {
    await note(
      `${decision} by ${who} refused: the action waits for ${waitsForConfirmation ? 'confirmation by the requesting user' : 'an approver'}.`,
      { isError: true, category: 'InvalidDecision' },
    );
    return { status: 'refused', detail: 'decision does not apply to this stage' };
  }

  // The signature binds requester, agent and capability; the execution must still name the same requester and agent.
  const verified = verifiedArgs(services.signer, row);
  const moved = verified ? identityMoved(row, context.execution) : null;
  const stored = moved ? null : verified;
  if (decision !== 'Expire') {
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
    if (denied) {
      log.warn(
        { deciderId: request.deciderId, reason: denied },
        'security: decision by a user who may not make it; refused',
      );
      await note(`Security: ${decision} by ${who} refused: ${denied}`, {
        isError: true,
        category: 'SecurityViolation',
      });
      return { status: 'refused', detail: denied };
    }
  }

  let args = stored;
  let to: PendingStatus = TO[decision];
  const fields: Record<string, unknown> = {};
  if (!stored) {
    log.error({ reason: moved ?? 'signature' }, 'security: pending action does not match its signature; refused');
    to = 'Cancelled';
    fields.ResolutionComment__c = moved
      ? `Refused by the worker: ${moved} (tampering).`
      : 'Refused by the worker: the stored arguments do not match their signature (tampering).';
  } else if (editedArgumentsJson && decision === 'Approve') {
    const edited = acceptEdits(services, row, editedArgumentsJson);
    if (typeof edited === 'string') {
      await note(`Approve by ${who} refused: ${edited}`, { isError: true, category: 'InvalidEdit' });
      return { status: 'refused', detail: edited };
    }
    args = edited;
    fields.ReviewedArgumentsJSON__c = canonicalJson(edited);
    fields.ArgumentsSignature__c = services.signer.signReviewed(
      row.ArgumentsSignature__c ?? '',
      signedAction(row, edited),
    );
  } else if (editedArgumentsJson) {
    await note(`${decision} by ${who} refused: edited arguments are only accepted with Approve.`, {
      isError: true,
      category: 'InvalidEdit',
    });
    return { status: 'refused', detail: 'edits only with Approve' };
  }
  if (decision === 'Run' && stored)
    fields.ResolutionComment__c = 'Asynchronous tool: started by the worker in its own job; no person was needed.';
  const current = context.execution.CurrentTurnIdentifier__c ?? row.TurnIdentifier__c;
  // A two-step action confirmed in chat waits in the turn of that chat message; that turn is the one to continue.
  const continueIn =
    current !== row.TurnIdentifier__c &&
    row.Status__c === 'Confirmed' &&
    (await readClaim(services.integration, row, 'Pending'))?.eventId === `message:${current}`
      ? current
      : row.TurnIdentifier__c;
  const stale = current !== continueIn;
  if (stale && (to === 'Approved' || to === 'Confirmed')) {
    to = 'Cancelled';
    fields.ResolutionComment__c = `${decision} by ${who} arrived after the conversation moved on to a newer request; nothing was executed.`;
  }
  const final = to !== 'Confirmed' || row.HITLType__c === 'Confirmation';
  Object.assign(
    fields,
    { Status__c: to },
    final ? resolution(row, request, comment, now, to, fields.ResolutionComment__c) : {},
  );
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
  let recovering = false;
  let firstSequence = continueIn === row.TurnIdentifier__c ? sequence + 1 : nextSequenceOf(context.steps, continueIn);
  if (claim === 'taken') {
    const existing = await readClaim(services.integration, row, from);
    const continued =
      existing &&
      context.steps.some(
        (step) => step.TurnIdentifier__c === row.TurnIdentifier__c && step.Sequence__c > existing.sequence,
      );
    if (!existing || existing.eventId !== request.eventId || continued) {
      log.info('another decision already moved this action; ignored');
      await note(`${decision} by ${who} ignored: another decision was applied first.`);
      return { status: 'duplicate', detail: 'another decision was applied first' };
    }
    // The same decision, redelivered after the claim landed but before the turn was written: finish the job.
    recovering = true;
    if (continueIn === row.TurnIdentifier__c) firstSequence = existing.sequence + 1;
  }
  if (stale) return { status: 'stale', detail: `recorded as ${to}; the turn is no longer current` };

  const said = late
    ? `Expired: ${request.decision} by ${who} arrived after the deadline`
    : decision === 'Expire'
      ? 'Expired without a decision'
      : decision === 'Run'
        ? `Started in the background by ${who}`
        : `${TO[decision]} by ${who}`;
  const line = `${said}${comment ? `: ${comment}` : ''}`;
  const outcome = await services.resumer.resume(
    {
      executionId: row.AgentExecution__c,
      turnId: continueIn,
      firstSequence,
      // As the user who was asked, with the agent whose capability was held: never what the execution says now.
      identity: { requesterId: row.RequestingUser__c, agentId: row.AgentCapability__r?.AIAgentDefinition__c ?? '' },
      prelude: async (setup) => {
        if (to === 'Confirmed' && row.HITLType__c === 'ConfirmationThenApproval') {
          setup.recorder.record({
            type: 'Approval',
            role: 'User',
            toolName: row.ToolName__c,
            toolCallId: row.ToolCallId__c,
            content: (await setup.trust.mask(line)).masked,
          });
          setup.recorder.decision({
            title: 'Confirmed; waiting for approval',
            toolName: row.ToolName__c,
            outcome: 'Pending',
          });
          return waiting(`Thanks, confirmed. It now needs approval by ${approverLabel(row, services)} before it runs.`);
        }
        const held: HeldOutcome =
          to === 'Confirmed' || to === 'Approved'
            ? { kind: 'execute', args: args ?? {}, recovering }
            : {
                kind: 'not-executed',
                status: stored ? to : 'Tampered',
                message: notExecuted(to, stored !== null, line),
              };
        return { userMessage: null, toolHistory: await deliverHeld(setup, row, held, line) };
      },
    },
    signal,
  );
  // The requester's notice follows the continued turn's rows (the claim took `sequence`; the turn wrote after it).
  const noticeSequence =
    continueIn === row.TurnIdentifier__c ? Math.max(outcome.nextSequence, sequence + 1) : sequence + 1;
  await afterDecision(services, row, to, line, noticeSequence);
  const { nextSequence: _free, ...result } = outcome;
  return result;
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

function notExecuted(to: PendingStatus, intact: boolean, line: string): string {
  if (!intact)
    return 'The action was not executed: its stored arguments failed the integrity check, so the request was refused.';
  if (to === 'Expired') return 'The action was not executed: nobody decided before it expired.';
  return `The action was not executed. ${line}`;
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

function approverLabel(row: PendingRow, services: HitlServices): string {
  try {
    return describeRouting(
      routingFor(row.AgentCapability__r?.BackendConfiguration__c ?? null, services.defaultApprover),
    );
  } catch {
    return 'an approver';
  }
}

/** The requester hears about approvals/rejections/expiry per HITLNotificationPreference__c; the approver about a confirmed request. */
async function afterDecision(
  services: DecisionServices,
  row: PendingRow,
  to: PendingStatus,
  line: string,
  sequence: number,
): Promise<void> {
  const target = {
    pendingId: row.Id,
    actionKey: row.ActionKey__c,
    executionId: row.AgentExecution__c,
    turnId: row.TurnIdentifier__c,
    sequence,
    body: line,
  };
  if (to === 'Confirmed' && row.HITLType__c === 'ConfirmationThenApproval') {
    const routing = routingFor(row.AgentCapability__r?.BackendConfiguration__c ?? null, services.defaultApprover);
    const approver = routing.approverUsername
      ? await new UserDirectory(services.integration).byUsername(routing.approverUsername)
      : null;
    await services.notifier.approvalRequested(
      { ...target, title: `Approval needed: ${row.ToolName__c}`, recipientIds: approver ? [approver.id] : [] },
      routing,
      approver?.id ?? null,
    );
    return;
  }
  if (to === 'Confirmed' || to === 'Declined') return; // the requester decided themselves
  if (row.HITLType__c === 'Asynchronous' && to !== 'Expired') return; // the answer itself arrives in the conversation
  const onlyRejections = row.AgentCapability__r?.HITLNotificationPreference__c === 'Notify on Rejection Only';
  if (to === 'Approved' && onlyRejections) return;
  await services.notifier.outcome(
    { ...target, title: `${row.ToolName__c}: ${to.toLowerCase()}`, recipientIds: [row.RequestingUser__c] },
    to.toLowerCase(),
  );
}

function stepFields(
  services: HitlServices,
  row: PendingRow,
  sequence: number,
  content: string,
  data: Record<string, unknown>,
  error: { isError?: boolean; category?: string },
): Record<string, unknown> {
  return {
    AgentExecution__c: row.AgentExecution__c,
    TurnIdentifier__c: row.TurnIdentifier__c,
    Sequence__c: sequence,
    Timestamp__c: services.now().toISOString(),
    StepType__c: error.isError ? 'Error' : 'Approval',
    StepRole__c: 'System',
    Content__c: content,
    ToolName__c: row.ToolName__c,
    ToolCallId__c: row.ToolCallId__c,
    ToolArguments__c: JSON.stringify(data),
    IsError__c: error.isError ?? false,
    ...(error.category ? { ErrorCategory__c: error.category } : {}),
  };
}

/** An audit row for a decision that changed nothing (refused, duplicate, late), keyed by the event so redelivery rewrites it. */
async function auditStep(
  services: HitlServices,
  row: PendingRow,
  sequence: number,
  eventId: string,
  content: string,
  extra: { isError?: boolean; category?: string },
): Promise<void> {
  const key = `${row.ActionKey__c}-e${createHash('sha256').update(eventId).digest('hex').slice(0, 16)}`;
  const results = await services.integration.upsertMany(
    'ExecutionStep__c',
    'StepKey__c',
    [{ StepKey__c: key, ...stepFields(services, row, sequence, content, { eventId }, extra) }],
    true,
  );
  const failed = results.find((result) => !result.success);
  if (failed)
    throw new PermanentError(`Could not record the decision step: ${JSON.stringify(failed.errors)}`, {
      category: 'AuditWriteFailed',
    });
}
