import type { HitlServices } from '../gate.ts';
import type { PendingRow, PendingStatus } from '../pending-record.ts';
import { describeRouting, routingFor, UserDirectory } from '../routing.ts';
import type { DecisionServices } from './types.ts';

/** Who approves the action, as the requester is told; "an approver" when its routing cannot be read. */
export function approverLabel(row: PendingRow, services: HitlServices): string {
  try {
    return describeRouting(
      routingFor(row.AgentCapability__r?.BackendConfiguration__c ?? null, services.defaultApprover),
    );
  } catch {
    return 'an approver';
  }
}

/** The requester hears about approvals/rejections/expiry per HITLNotificationPreference__c; the approver about a confirmed request. */
export async function afterDecision(
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
