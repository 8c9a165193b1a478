import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PermanentError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

/** `Asynchronous`: no person decides; the tool runs later in its own job, started by the worker's `Run` decision. */
export type HitlType =
  'Confirmation' | 'Approval' | 'ConfirmationThenApproval' | 'ConditionalApproval' | 'Asynchronous';
export type PendingStatus = 'Pending' | 'Confirmed' | 'Approved' | 'Rejected' | 'Declined' | 'Expired' | 'Cancelled';

/** `DecisionComment__c` and `ResolutionComment__c` hold 32,768 characters; `ProposedArgumentsJSON__c` 131,072. */
export const DECISION_COMMENT_MAX = 32_768;
export const EDITED_ARGUMENTS_MAX = 131_072;

const Nullable = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

/** `PendingHITLAction__c` as the worker reads it, with the capability facts a decision needs. */
export const PendingRow = z.object({
  Id: z.string(),
  Name: Nullable,
  ActionKey__c: z.string(),
  AgentExecution__c: z.string(),
  AgentCapability__c: Nullable,
  TurnIdentifier__c: z.string(),
  ToolCallId__c: z.string(),
  ToolName__c: z.string(),
  HITLType__c: z.enum(['Confirmation', 'Approval', 'ConfirmationThenApproval', 'ConditionalApproval', 'Asynchronous']),
  Status__c: z.enum(['Pending', 'Confirmed', 'Approved', 'Rejected', 'Declined', 'Expired', 'Cancelled']),
  RequestingUser__c: z.string(),
  Approver__c: Nullable,
  ToolArgumentsJSON__c: z.string(),
  ReviewedArgumentsJSON__c: Nullable,
  ArgumentsSignature__c: Nullable,
  ExpiresAt__c: Nullable,
  RequestedAt__c: Nullable,
  PolicyReason__c: Nullable,
  // Written by AgentHITLService with each decision (system context; read-only to every user permission set).
  RequestedDecision__c: z
    .enum(['Confirm', 'Approve', 'Reject', 'Decline'])
    .nullish()
    .transform((value) => value ?? null),
  DecisionRequestId__c: Nullable,
  DecisionComment__c: z
    .string()
    .max(DECISION_COMMENT_MAX)
    .nullish()
    .transform((value) => value ?? null),
  ProposedArgumentsJSON__c: z
    .string()
    .max(EDITED_ARGUMENTS_MAX)
    .nullish()
    .transform((value) => value ?? null),
  AgentCapability__r: z
    .object({
      AIAgentDefinition__c: Nullable,
      CapabilityName__c: Nullable,
      ImplementationType__c: Nullable,
      StandardActionType__c: Nullable,
      ImplementationDetail__c: Nullable,
      HITLMode__c: Nullable,
      ApprovalPolicy__c: Nullable,
      RunAsynchronously__c: z.boolean().nullish(),
      BackendConfiguration__c: Nullable,
      Parameters__c: Nullable,
      AllowApproverEdits__c: z.boolean().nullish(),
      HITLNotificationPreference__c: Nullable,
    })
    .nullish(),
});
export type PendingRow = z.infer<typeof PendingRow>;

const FIELDS = [
  'Id',
  'Name',
  'ActionKey__c',
  'AgentExecution__c',
  'AgentCapability__c',
  'TurnIdentifier__c',
  'ToolCallId__c',
  'ToolName__c',
  'HITLType__c',
  'Status__c',
  'RequestingUser__c',
  'Approver__c',
  'ToolArgumentsJSON__c',
  'ReviewedArgumentsJSON__c',
  'ArgumentsSignature__c',
  'ExpiresAt__c',
  'RequestedAt__c',
  'PolicyReason__c',
  'RequestedDecision__c',
  'DecisionRequestId__c',
  'DecisionComment__c',
  'ProposedArgumentsJSON__c',
  'AgentCapability__r.BackendConfiguration__c',
  'AgentCapability__r.Parameters__c',
  'AgentCapability__r.AllowApproverEdits__c',
  'AgentCapability__r.HITLNotificationPreference__c',
  'AgentCapability__r.AIAgentDefinition__c',
  'AgentCapability__r.CapabilityName__c',
  'AgentCapability__r.ImplementationType__c',
  'AgentCapability__r.StandardActionType__c',
  'AgentCapability__r.ImplementationDetail__c',
  'AgentCapability__r.HITLMode__c',
  'AgentCapability__r.ApprovalPolicy__c',
  'AgentCapability__r.RunAsynchronously__c',
].join(', ');

/** Deterministic key of the pending action for one tool call: a retried turn upserts the same record. */
export function actionKey(executionId: string, turnId: string, toolCallId: string): string {
  return `${executionId}-${createHash('sha256').update(`${turnId}\u0000${toolCallId}`).digest('hex').slice(0, 40)}`;
}

/**
 * A pending action with a blank `ExpiresAt__c` (written outside the worker, or cleared) expires this long after it was
 * requested: the default of `AIAgentFrameworkSettings__c.DefaultApprovalExpiryHours__c` (24). Never "no deadline".
 */
export const BLANK_EXPIRY_HOURS = 24;

/** When the action stops accepting decisions (epoch ms); a row with neither expiry nor request time is already due. */
export function expiresAtOf(row: Pick<PendingRow, 'ExpiresAt__c' | 'RequestedAt__c'>): number {
  if (row.ExpiresAt__c) return Date.parse(row.ExpiresAt__c);
  return row.RequestedAt__c ? Date.parse(row.RequestedAt__c) + BLANK_EXPIRY_HOURS * 3_600_000 : 0;
}

/** Open means a person can still act: Pending, or Confirmed while the approval half of ConfirmationThenApproval waits. */
export function isOpen(row: Pick<PendingRow, 'Status__c' | 'HITLType__c'>): boolean {
  return (
    row.Status__c === 'Pending' || (row.Status__c === 'Confirmed' && row.HITLType__c === 'ConfirmationThenApproval')
  );
}

export async function loadPending(integration: SalesforceClient, where: string): Promise<PendingRow[]> {
  const { records } = await integration.query(`SELECT ${FIELDS} FROM PendingHITLAction__c WHERE ${where}`);
  return records.map((record) => {
    const parsed = PendingRow.safeParse(record);
    if (!parsed.success) {
      throw new PermanentError(
        `Pending action ${String((record as { Id?: unknown }).Id)} is malformed: ${z.prettifyError(parsed.error)}`,
        { category: 'Configuration' },
      );
    }
    return parsed.data;
  });
}

export async function loadPendingById(integration: SalesforceClient, id: string): Promise<PendingRow | null> {
  return (await loadPending(integration, `Id = '${id}'`))[0] ?? null;
}

/** Open confirmations of an execution, newest first (the chat-message decision path). */
export async function openConfirmations(integration: SalesforceClient, executionId: string): Promise<PendingRow[]> {
  return loadPending(
    integration,
    `AgentExecution__c = '${executionId}' AND Status__c = 'Pending' AND HITLType__c IN ('Confirmation', 'ConfirmationThenApproval') ORDER BY RequestedAt__c DESC`,
  );
}

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

/**
 * Moves a pending action out of `from` exactly once. Salesforce REST has no compare-and-set, so the claim is an
 * INSERT of an audit step whose unique `StepKey__c` names (action, from-status), in the same allOrNone composite as
 * the status change: the second claimant gets DUPLICATE_VALUE and its status change rolls back.
 */
export async function claimTransition(
  integration: SalesforceClient,
  input: { row: PendingRow; from: PendingStatus; step: Record<string, unknown>; fields: Record<string, unknown> },
): Promise<'claimed' | 'taken'> {
  const base = `/services/data/v${integration.apiVersion}`;
  const response = await integration.request<CompositeResponse>('POST', '/composite', {
    allOrNone: true,
    compositeRequest: [
      {
        method: 'POST',
        url: `${base}/sobjects/ExecutionStep__c`,
        referenceId: 'claim',
        body: { ...input.step, StepKey__c: claimKey(input.row, input.from) },
      },
      {
        method: 'PATCH',
        url: `${base}/sobjects/PendingHITLAction__c/${input.row.Id}`,
        referenceId: 'action',
        body: input.fields,
      },
    ],
  });
  const failed = response.compositeResponse.filter((sub) => sub.httpStatusCode >= 400);
  if (failed.length === 0) return 'claimed';
  const text = JSON.stringify(failed.map((sub) => sub.body));
  if (text.includes('DUPLICATE_VALUE')) return 'taken';
  throw new PermanentError(`Could not record the decision on ${input.row.Id}: ${text.slice(0, 500)}`, {
    category: 'AuditWriteFailed',
  });
}

export function claimKey(row: Pick<PendingRow, 'ActionKey__c'>, from: PendingStatus): string {
  return `${row.ActionKey__c}-from-${from}`;
}

/** The claim step of a transition, if one was written (who took it and for which event). */
export async function readClaim(
  integration: SalesforceClient,
  row: PendingRow,
  from: PendingStatus,
): Promise<{ sequence: number; eventId: string | null } | null> {
  const { records } = await integration.query<{ Sequence__c: number; ToolArguments__c: string | null }>(
    `SELECT Sequence__c, ToolArguments__c FROM ExecutionStep__c WHERE StepKey__c = '${claimKey(row, from)}'`,
  );
  const record = records[0];
  if (!record) return null;
  return { sequence: record.Sequence__c, eventId: eventIdOf(record.ToolArguments__c) };
}

function eventIdOf(text: string | null): string | null {
  try {
    return (JSON.parse(text ?? '{}') as { eventId?: string }).eventId ?? null;
  } catch {
    return null;
  }
}
