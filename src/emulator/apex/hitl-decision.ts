import { randomUUID } from 'node:crypto';
import type { OrgApi } from '../org/model.ts';

export interface SubmittedDecision {
  pendingActionId: string;
  decision: string;
  comment?: string | null;
  editedArgumentsJson?: string | null;
}

/**
 * What `AgentHITLService` (force-app/main/approvals) does once its own checks passed, as the emulator's stand-in for
 * that Apex: in system context and as the deciding user, write the decision, its comment and any edited arguments on
 * the pending action under a new request ID, then publish `AgentHITLDecision__e` carrying IDs only. The event's
 * `CreatedById` is the decider, as for an Apex publish. Apex's own refusals are deliberately not repeated here: tests
 * use this to deliver decisions Apex would refuse, so the worker's re-checks are what they prove.
 */
export function submitDecision(
  org: OrgApi,
  deciderId: string,
  request: SubmittedDecision,
): { requestId: string; eventUuid: string } {
  const system = org.systemAccess(deciderId);
  const requestId = randomUUID();
  return org.transaction(() => {
    org.update(system, 'PendingHITLAction__c', request.pendingActionId, {
      RequestedDecision__c: request.decision,
      DecisionComment__c: request.comment ?? null,
      ProposedArgumentsJSON__c: request.editedArgumentsJson ?? null,
      DecisionRequestId__c: requestId,
    });
    const { eventUuid } = org.create(system, 'AgentHITLDecision__e', {
      PendingActionId__c: request.pendingActionId,
      Decision__c: request.decision,
      DecisionRequestId__c: requestId,
    });
    return { requestId, eventUuid: eventUuid ?? randomUUID() };
  });
}
