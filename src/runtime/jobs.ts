import { z } from 'zod';

/** A Salesforce record or user ID: 15 or 18 alphanumeric characters. */
export const SalesforceId = z
  .string()
  .regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce ID');

export const TURN_CHANNEL = '/event/AgentTurnRequest__e';
export const DECISION_CHANNEL = '/event/AgentHITLDecision__e';

/**
 * `AgentTurnRequest__e` as delivered. Only record IDs travel in the event; the requesting user is the platform-set
 * `CreatedById`. Unknown keys are stripped, so a payload that claims another user is simply ignored.
 */
export const TurnRequestEvent = z.object({
  AgentExecutionId__c: SalesforceId,
  InteractionMessageId__c: SalesforceId.nullish(),
  TurnIdentifier__c: z.string().min(1).max(255),
  CreatedById: SalesforceId,
  CreatedDate: z.string().min(1),
});
export type TurnRequestEvent = z.infer<typeof TurnRequestEvent>;

/** `Run` starts an asynchronous tool; src/hitl accepts it only from the worker's integration user. */
export const DecisionValue = z.enum(['Confirm', 'Approve', 'Reject', 'Decline', 'Run']);
export type DecisionValue = z.infer<typeof DecisionValue>;

/**
 * `AgentHITLDecision__e`: a decision on a pending action; the decider is `CreatedById`. It carries IDs only: the
 * comment and any edited arguments stay on the pending action, written there by `AgentHITLService` under the same
 * `DecisionRequestId__c` (a UUID, 36 characters).
 */
export const HitlDecisionEvent = z.object({
  PendingActionId__c: SalesforceId,
  Decision__c: DecisionValue,
  DecisionRequestId__c: z.string().max(36).nullish(),
  CreatedById: SalesforceId,
  CreatedDate: z.string().min(1),
});
export type HitlDecisionEvent = z.infer<typeof HitlDecisionEvent>;

/** Delivery metadata every job carries, whatever its kind. */
export const JobEnvelope = z.object({
  eventUuid: z.string().min(1),
  replayId: z.number().int(),
  channel: z.string(),
  receivedAt: z.string(),
});

/**
 * `reconciled`: the worker synthesised this job itself because the turn's event never arrived (src/ingestion/reconcile.ts).
 * It is set on the job envelope, never read from an event payload, so a publisher cannot claim it.
 */
export const TurnJob = JobEnvelope.extend({
  kind: z.literal('turn'),
  event: TurnRequestEvent,
  reconciled: z.literal(true).optional(),
});
export const DecisionJob = JobEnvelope.extend({ kind: z.literal('decision'), event: HitlDecisionEvent });
/** Internal jobs the worker schedules itself (approval expiry sweeps, resumptions). */
export const SweepJob = z.object({ kind: z.literal('sweep'), reason: z.string(), receivedAt: z.string() });

export const LoomJob = z.discriminatedUnion('kind', [TurnJob, DecisionJob, SweepJob]);
export type LoomJob = z.infer<typeof LoomJob>;
export type TurnJob = z.infer<typeof TurnJob>;
export type DecisionJob = z.infer<typeof DecisionJob>;

/** What a job ended with; anything thrown instead is an error the queue may retry (see LoomError.retryable). */
export interface JobOutcome {
  status: 'completed' | 'awaiting-action' | 'failed' | 'refused' | 'stale' | 'duplicate' | 'ignored';
  detail?: string;
  apiCalls?: number;
}

/** The one code path both modes run: embedded and BullMQ workers call the same handler. */
export interface JobHandler {
  handle(job: LoomJob, signal: AbortSignal): Promise<JobOutcome>;
}

/** BullMQ forbids ':' and integer IDs; an EventUuid (hyphenated UUID) prefixed with a letter is safe. */
export function jobIdFor(job: Pick<LoomJob, 'kind'> & { eventUuid?: string }): string {
  if (!job.eventUuid) throw new Error('a job without an event UUID has no stable ID');
  return `${job.kind}-${job.eventUuid.replace(/[^A-Za-z0-9-]/g, '-')}`;
}
