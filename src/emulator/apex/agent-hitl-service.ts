/**
 * The emulator's `AgentHITLService` (force-app/main/approvals/classes/AgentHITLService.cls): who may make which
 * decision, checked as the running user with the same messages; then the decision, comment and edited arguments are
 * written on the pending action in system context and `AgentHITLDecision__e` is published carrying IDs only.
 * (`submitDecision` in hitl-decision.ts is the bare write-and-publish, for tests of the worker's own re-checks.)
 */
import { canonicalId } from '../org/ids.ts';
import { checkPermission, loomOrgSettings, soqlList, userModeQuery, type ApexContext } from './apex-runtime.ts';
import { submitDecision } from './hitl-decision.ts';

export const CONFIRM = 'Confirm';
export const APPROVE = 'Approve';
export const REJECT = 'Reject';
export const DECLINE = 'Decline';
export const DECIDE_PERMISSION = 'Loom_DecidePendingActions';
export const MAX_COMMENT_LENGTH = 32768;
export const MAX_EDITED_ARGUMENTS_LENGTH = 131072;
const DECISIONS = [CONFIRM, APPROVE, REJECT, DECLINE];
const CONFIRMABLE = new Set(['Confirmation', 'ConfirmationThenApproval']);
const APPROVABLE = new Set(['Approval', 'ConditionalApproval']);

/** The class's messages, word for word (the drift test finds each literal part in the .cls). */
export const DECISION_MESSAGES = {
  disabled:
    'Loom agents are disabled in this org (Loom Settings: Agents Disabled); decide again once they are enabled.',
  idRequired: 'Pending action ID is required.',
  notFound: (id: string) => `Pending action ${id} was not found or is not shared with you.`,
  twice: (id: string) => `Pending action ${id} appears twice in this request.`,
  expired: (id: string) => `Pending action ${id} has expired.`,
  onlyRequester: (decision: string) => `Only the requesting user can ${decision.toLowerCase()} this action.`,
  notConfirmable: (status: string) => `This action is not waiting for your confirmation (status ${status}).`,
  needApprover: 'You need the Loom: Approver permission set to approve or reject actions.',
  ownRequest: 'You cannot approve or reject an action you requested.',
  otherApprover: 'This action is assigned to another approver.',
  notApprovable: (status: string) => `This action is not waiting for approval (status ${status}).`,
  badDecision: 'Decision must be Confirm, Approve, Reject or Decline.',
  commentTooLong: `Comment is longer than ${MAX_COMMENT_LENGTH} characters.`,
  argumentsTooLong: `Edited arguments are longer than ${MAX_EDITED_ARGUMENTS_LENGTH} characters.`,
  argumentsOnlyWithApprove: 'Edited arguments are only accepted with Approve.',
  argumentsNotObject: 'Edited arguments must be a JSON object.',
} as const;

export interface DecisionRequest {
  pendingActionId?: string | null;
  decision?: string | null;
  comment?: string | null;
  editedArgumentsJson?: string | null;
}

export interface DecisionResult {
  isSuccess: boolean;
  errorMessage: string | null;
  pendingActionId: string | null;
}

type Row = Record<string, unknown>;

/** `AgentHITLService.decide(List<DecisionRequest>)`: one result per request, in order. */
export function decide(ctx: ApexContext, requests: readonly (DecisionRequest | null)[]): DecisionResult[] {
  const resultFor = (request: DecisionRequest | null): DecisionResult => ({
    isSuccess: false,
    errorMessage: null,
    pendingActionId: request?.pendingActionId ?? null,
  });
  if (requests.length === 0) return [];
  if (loomOrgSettings(ctx)['AgentsDisabled__c'] === true)
    return requests.map((request) => ({ ...resultFor(request), errorMessage: DECISION_MESSAGES.disabled }));
  const actions = loadActions(ctx, requests);
  const decidedNow = new Set<string>();
  const results: DecisionResult[] = [];
  const accepted: Array<{ request: DecisionRequest; result: DecisionResult }> = [];
  for (const original of requests) {
    const result = resultFor(original);
    results.push(result);
    const request = original ? { ...original, decision: normalised(original.decision) } : null;
    const action = request?.pendingActionId ? actions.get(canonicalId(request.pendingActionId) ?? '') : undefined;
    const error = refusal(ctx, request, action, decidedNow);
    if (error !== null || !request || !action) {
      result.errorMessage = error;
      continue;
    }
    decidedNow.add(String(action['Id']));
    accepted.push({ request: { ...request, pendingActionId: String(action['Id']) }, result });
  }
  // The write (SystemContext.record) and LoomEventPublisher.publishInSystemContext, after every check passed.
  for (const { request, result } of accepted) {
    submitDecision(ctx.org, ctx.userId, {
      pendingActionId: String(request.pendingActionId),
      decision: String(request.decision),
      comment: request.comment ?? null,
      editedArgumentsJson: request.editedArgumentsJson ?? null,
    });
    result.isSuccess = true;
  }
  return results;
}

function refusal(
  ctx: ApexContext,
  request: DecisionRequest | null,
  action: Row | undefined,
  decidedNow: Set<string>,
): string | null {
  if (!request?.pendingActionId) return DECISION_MESSAGES.idRequired;
  if (!action) return DECISION_MESSAGES.notFound(request.pendingActionId);
  const id = String(action['Id']);
  if (decidedNow.has(id)) return DECISION_MESSAGES.twice(id);
  const expiresAt = typeof action['ExpiresAt__c'] === 'string' ? Date.parse(action['ExpiresAt__c']) : NaN;
  if (Number.isFinite(expiresAt) && expiresAt <= ctx.now()) return DECISION_MESSAGES.expired(id);
  const decision = request.decision ?? '';
  const status = String(action['Status__c'] ?? 'null');
  const type = String(action['HITLType__c'] ?? '');
  if (decision === CONFIRM || decision === DECLINE) {
    if (action['RequestingUser__c'] !== ctx.userId) return DECISION_MESSAGES.onlyRequester(decision);
    if (status !== 'Pending' || !CONFIRMABLE.has(type)) return DECISION_MESSAGES.notConfirmable(status);
  } else if (decision === APPROVE || decision === REJECT) {
    if (!checkPermission(ctx, DECIDE_PERMISSION)) return DECISION_MESSAGES.needApprover;
    if (action['RequestingUser__c'] === ctx.userId) return DECISION_MESSAGES.ownRequest;
    if (action['Approver__c'] != null && action['Approver__c'] !== ctx.userId) return DECISION_MESSAGES.otherApprover;
    const waiting = APPROVABLE.has(type)
      ? status === 'Pending'
      : type === 'ConfirmationThenApproval' && status === 'Confirmed';
    if (!waiting) return DECISION_MESSAGES.notApprovable(status);
  } else {
    return DECISION_MESSAGES.badDecision;
  }
  return argumentsRefusal(request);
}

function argumentsRefusal(request: DecisionRequest): string | null {
  if (request.comment != null && request.comment.length > MAX_COMMENT_LENGTH) return DECISION_MESSAGES.commentTooLong;
  const edited = request.editedArgumentsJson;
  if (edited == null) return null;
  if (edited.length > MAX_EDITED_ARGUMENTS_LENGTH) return DECISION_MESSAGES.argumentsTooLong;
  if (request.decision !== APPROVE) return DECISION_MESSAGES.argumentsOnlyWithApprove;
  if (!isJsonObject(edited)) return DECISION_MESSAGES.argumentsNotObject;
  return null;
}

/** One of the picklist's values whatever the case ('approve' is 'Approve'); anything else unchanged (and refused). */
export function normalised(decision: string | null | undefined): string | null {
  if (decision == null) return null;
  return DECISIONS.find((value) => value.toLowerCase() === decision.trim().toLowerCase()) ?? decision;
}

function isJsonObject(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

function loadActions(ctx: ApexContext, requests: readonly (DecisionRequest | null)[]): Map<string, Row> {
  const ids = new Set<string>();
  for (const request of requests) {
    const id = request?.pendingActionId ? canonicalId(request.pendingActionId) : undefined;
    if (id) ids.add(id);
  }
  if (ids.size === 0) return new Map();
  const rows = userModeQuery(
    ctx,
    'SELECT Id, Status__c, HITLType__c, RequestingUser__c, Approver__c, ExpiresAt__c FROM PendingHITLAction__c ' +
      `WHERE Id IN ${soqlList(ids)}`,
  );
  return new Map(rows.map((row) => [String(row['Id']), row]));
}
