/**
 * The types of one decision's way through resolve.ts: what it is applied with, and what each step hands the next.
 * One floor below the steps, so they never import each other (or resolve.ts) for a type.
 */
import type { Logger } from '../../logger.ts';
import type { JobOutcome } from '../../runtime/jobs.ts';
import type { TurnResumer } from '../../runtime/turn-handler.ts';
import type { TurnContext } from '../../runtime/turn-context.ts';
import type { CustomPermissions } from '../../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { HitlServices } from '../gate.ts';
import type { PendingRow, PendingStatus } from '../pending-record.ts';
import type { UserDirectory, UserFacts } from '../routing.ts';

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
export const TO: Record<DecisionKind, PendingStatus> = {
  Confirm: 'Confirmed',
  Approve: 'Approved',
  Reject: 'Rejected',
  Decline: 'Declined',
  Run: 'Approved',
  Expire: 'Expired',
};

/** An audit row's error marking. */
export interface StepError {
  isError?: boolean;
  category?: string;
}

/** One decision on one loaded pending action: who decided, the turn's stored context, where its audit rows go. */
export interface DecisionState {
  services: DecisionServices;
  request: DecisionRequest;
  row: PendingRow;
  log: Logger;
  users: UserDirectory;
  decider: UserFacts | null;
  /** The decider as the audit names them: "Name (username)", or "the worker". */
  who: string;
  now: Date;
  context: TurnContext;
  /** The first free sequence in the held call's turn: the decision's own audit row. */
  sequence: number;
  /** Writes an audit row for a decision that changed nothing (refused, duplicate). */
  note: (content: string, error?: StepError) => Promise<void>;
}

/** The decision stops here, with this job outcome. */
export interface Stopped {
  outcome: JobOutcome;
}

/** A decision that passed the checks: what it counts as, and the arguments the record's signature vouches for. */
export interface Admitted {
  /** The decision as applied: `Expire` when it arrived after the deadline. */
  decision: DecisionKind;
  late: { note: string; data: Record<string, unknown> } | null;
  comment: string | null;
  editedArgumentsJson: string | null;
  /** The verified arguments, or null when the record fails its signature or names another requester or agent. */
  stored: Record<string, unknown> | null;
  /** Why the execution no longer matches the signed action, or null. */
  moved: string | null;
}

/** The transition to claim: the target status, the record's fields, the arguments to run and the turn to continue. */
export interface Transition {
  to: PendingStatus;
  fields: Record<string, unknown>;
  args: Record<string, unknown> | null;
  /** The turn that continues: the held call's, or the chat turn a two-step action was confirmed in. */
  continueIn: string;
  /** The conversation moved on: the decision is recorded, nothing runs. */
  stale: boolean;
}

/** A claimed transition: where the continued turn writes next, and whether a redelivery is finishing the job. */
export interface Claimed {
  firstSequence: number;
  recovering: boolean;
}
