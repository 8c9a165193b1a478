/**
 * The emulator's `LoomApprovalInboxController` (force-app/main/lightning/classes/LoomApprovalInboxController.cls), the
 * server side of the loomApprovalInbox component: the approver's pending actions in one user-mode query, and
 * Approve / Reject (never free text) through AgentHITLService. test/contract/apex-drift.test.ts checks the method and
 * parameter names against the class.
 */
import { decide as decideThroughService, DECIDE_PERMISSION } from './agent-hitl-service.ts';
import { checkPermission, soqlString, userModeQuery, QueryException, type ApexContext } from './apex-runtime.ts';
import { AuraHandledException, type LightningController } from './chat-controller.ts';

type Row = Record<string, unknown>;
const INBOX_LIMIT = 200;
const ALLOWED_DECISIONS = new Set(['Approve', 'Reject']);
/** The class's own refusal, word for word (the drift test finds it in the .cls). */
export const INBOX_DECISION_REFUSAL = 'Decision must be Approve or Reject.';
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** What waits for the running approver (not their own requests, not another approver's, not expired). */
function getInbox(ctx: ApexContext, params: Row): unknown {
  // Reading a shared action is not being its approver: only holders of the decide permission get an inbox.
  if (!checkPermission(ctx, DECIDE_PERMISSION)) return [];
  const me = soqlString(ctx.userId);
  const now = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const one = text(params['pendingActionId']);
  const soql =
    'SELECT Id, Name, ToolName__c, ToolArgumentsJSON__c, ReviewedArgumentsJSON__c, HITLType__c, PolicyReason__c, ' +
    'AgentExecution__c, RequestedAt__c, ExpiresAt__c, RequestingUser__r.Name, AgentCapability__r.AllowApproverEdits__c, ' +
    'AgentCapability__r.AIAgentDefinition__r.Name FROM PendingHITLAction__c ' +
    `WHERE RequestingUser__c != ${me} AND (Approver__c = ${me} OR Approver__c = NULL) ` +
    `AND (ExpiresAt__c = NULL OR ExpiresAt__c > ${now}) ` +
    "AND ((HITLType__c IN ('Approval', 'ConditionalApproval') AND Status__c = 'Pending') " +
    "OR (HITLType__c = 'ConfirmationThenApproval' AND Status__c = 'Confirmed'))" +
    (one ? ` AND Id = ${soqlString(one)}` : '') +
    ` ORDER BY RequestedAt__c ASC NULLS LAST LIMIT ${INBOX_LIMIT}`;
  try {
    return userModeQuery(ctx, soql).map((row) => toItem(row, ctx.now()));
  } catch (error) {
    if (error instanceof QueryException) throw new AuraHandledException(error.message);
    throw error;
  }
}

function toItem(row: Row, now: number): unknown {
  const capability = row['AgentCapability__r'] as Row | null | undefined;
  const requestedAt = typeof row['RequestedAt__c'] === 'string' ? Date.parse(row['RequestedAt__c']) : NaN;
  return {
    id: row['Id'],
    name: row['Name'],
    toolName: row['ToolName__c'],
    argumentsJson: text(row['ReviewedArgumentsJSON__c']) ?? row['ToolArgumentsJSON__c'],
    hitlType: row['HITLType__c'],
    policyReason: row['PolicyReason__c'] ?? null,
    agentName: (capability?.['AIAgentDefinition__r'] as Row | null | undefined)?.['Name'] ?? null,
    requesterName: (row['RequestingUser__r'] as Row | null | undefined)?.['Name'] ?? null,
    executionId: row['AgentExecution__c'],
    requestedAt: row['RequestedAt__c'] ?? null,
    expiresAt: row['ExpiresAt__c'] ?? null,
    ageMinutes: Number.isFinite(requestedAt) ? Math.trunc((now - requestedAt) / 60_000) : null,
    allowEdits: capability?.['AllowApproverEdits__c'] === true,
  };
}

/** Approve or Reject only (case-sensitive, like Apex's Set.contains), forwarded to AgentHITLService in one call. */
function decide(ctx: ApexContext, params: Row): unknown {
  const inputs = Array.isArray(params['decisions']) ? (params['decisions'] as Array<Row | null>) : [];
  const outcomes = inputs.map((input) => ({
    pendingActionId: input?.['pendingActionId'] ?? null,
    isSuccess: false,
    errorMessage: null as string | null,
  }));
  const forwarded: number[] = [];
  inputs.forEach((input, i) => {
    if (!input || !ALLOWED_DECISIONS.has(String(input['decision']))) {
      (outcomes[i] as { errorMessage: string | null }).errorMessage = INBOX_DECISION_REFUSAL;
    } else forwarded.push(i);
  });
  if (forwarded.length === 0) return outcomes;
  const results = decideThroughService(
    ctx,
    forwarded.map((i) => {
      const input = inputs[i] as Row;
      return {
        pendingActionId: text(input['pendingActionId']),
        decision: String(input['decision']),
        comment: text(input['comment']),
        editedArgumentsJson: text(input['editedArgumentsJson']),
      };
    }),
  );
  forwarded.forEach((i, k) => Object.assign(outcomes[i] as object, pick(results[k])));
  return outcomes;
}

const pick = (result: { isSuccess: boolean; errorMessage: string | null } | undefined) => ({
  isSuccess: result?.isSuccess ?? false,
  errorMessage: result?.errorMessage ?? null,
});

export const APPROVAL_INBOX_CONTROLLER: LightningController = {
  className: 'LoomApprovalInboxController',
  methods: {
    getInbox: { params: ['pendingActionId'], run: getInbox },
    decide: { params: ['decisions'], run: decide },
  },
};
