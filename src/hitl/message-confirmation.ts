import type { Prelude, TurnSetup } from '../runtime/turn-handler.ts';
import { classifyConfirmation } from './confirm-intent.ts';
import { awaitingApproval, deliverHeld, nextSequenceOf, recordConfirmed, verifiedArgs } from './continuation.ts';
import type { HitlServices } from './gate.ts';
import {
  claimTransition,
  expiresAtOf,
  openConfirmations,
  type PendingRow,
  type PendingStatus,
} from './pending-record.ts';
import { describeRouting, routingFor, sameId, UserDirectory } from './routing.ts';

/**
 * Runs before the model in every turn: when the conversation waits for the requester's confirmation, the new message
 * is classified deterministically (confirm-intent.ts). "yes" confirms, "no" declines, anything else cancels the
 * pending confirmation as superseded and is handled as a new request. The model never sees a chance to decide.
 */
export function confirmationByMessage(
  services: HitlServices,
): (setup: TurnSetup, message: string) => Promise<Prelude | null> {
  return async (setup, message) => {
    const { execution } = setup.context;
    if (execution.ExecutionStatus__c !== 'Awaiting Action') return null;
    const open = (await openConfirmations(services.integration, execution.Id)).filter((row) =>
      sameId(row.RequestingUser__c, setup.owner),
    );
    const [latest, ...older] = open;
    if (!latest) return null;
    const users = new UserDirectory(services.integration);
    for (const row of older)
      await transition(
        services,
        setup,
        users,
        row,
        'Supersede',
        'Cancelled',
        'Superseded by a newer pending confirmation.',
      );
    const reply = readReply(services, latest, message);
    const lateReply = reply.decision === 'Expire' ? reply.replied : undefined;
    if (!(await transition(services, setup, users, latest, reply.decision, reply.to, reply.why, lateReply)))
      return null; // decided elsewhere meanwhile: a normal turn
    const line = `${reply.why} Message: "${message.slice(0, 200)}"`;
    if (reply.to === 'Confirmed' && latest.HITLType__c === 'ConfirmationThenApproval')
      return askApprover(services, setup, users, latest, line);
    const toolHistory = await deliverHeld(
      setup,
      latest,
      reply.to === 'Confirmed'
        ? { kind: 'execute', args: reply.args ?? {}, recovering: false }
        : {
            kind: 'not-executed',
            status: reply.args ? reply.to : 'Tampered',
            message: `The action was not executed. ${reply.why}`,
          },
      line,
    );
    // yes/no answered the question: the model continues from the held call. Anything else is a new request.
    return { userMessage: reply.intent === null ? message : null, toolHistory };
  };
}

/** What the requester's message does to the latest open confirmation, and why. */
interface Reply {
  intent: ReturnType<typeof classifyConfirmation>;
  /** The verified arguments; null when the record fails its signature (the action is cancelled as tampered). */
  args: Record<string, unknown> | null;
  to: PendingStatus;
  why: string;
  /** What the message itself said (`Supersede` for anything but yes or no). */
  replied: ChatDecision;
  /** The decision as the audit trail names it (like an event's Decision__c); an overdue confirmation is an expiry. */
  decision: ChatDecision;
}

function readReply(services: HitlServices, latest: PendingRow, message: string): Reply {
  const intent = classifyConfirmation(message);
  const expired = expiresAtOf(latest) <= services.now().getTime();
  const args = verifiedArgs(services.signer, latest);
  const to: PendingStatus = !args
    ? 'Cancelled'
    : expired
      ? 'Expired'
      : intent === 'yes'
        ? 'Confirmed'
        : intent === 'no'
          ? 'Declined'
          : 'Cancelled';
  const why = !args
    ? 'Refused by the worker: the stored arguments do not match their signature (tampering).'
    : expired
      ? 'The confirmation expired before this message arrived.'
      : intent === null
        ? 'Superseded: the requester sent a new request instead of yes or no.'
        : `${intent === 'yes' ? 'Confirmed' : 'Declined'} by the requesting user in chat.`;
  const replied: ChatDecision = intent === 'yes' ? 'Confirm' : intent === 'no' ? 'Decline' : 'Supersede';
  const decision: ChatDecision = args && expired ? 'Expire' : replied;
  return { intent, args, to, why, replied, decision };
}

/** The first half of a two-step action is done: record it, ask its approver, and wait again. */
async function askApprover(
  services: HitlServices,
  setup: TurnSetup,
  users: UserDirectory,
  latest: PendingRow,
  line: string,
): Promise<Prelude> {
  await recordConfirmed(setup, latest, line);
  const routing = routingFor(latest.AgentCapability__r?.BackendConfiguration__c ?? null, services.defaultApprover);
  const approver = routing.approverUsername ? await users.byUsername(routing.approverUsername) : null;
  await services.notifier.approvalRequested(
    {
      pendingId: latest.Id,
      actionKey: latest.ActionKey__c,
      executionId: setup.context.execution.Id,
      turnId: latest.TurnIdentifier__c,
      sequence: nextSequenceOf(setup.context.steps, latest.TurnIdentifier__c) + 1,
      title: `Approval needed: ${latest.ToolName__c}`,
      body: line,
      recipientIds: approver ? [approver.id] : [],
    },
    routing,
    approver?.id ?? null,
  );
  return awaitingApproval(describeRouting(routing));
}

/** What a chat message did to a pending confirmation; recorded as `decision` in the claim step. */
type ChatDecision = 'Confirm' | 'Decline' | 'Expire' | 'Supersede';

/**
 * Claims the transition of a pending action decided by chat; false when another decision got there first. The claim
 * step records who, when and what exactly like an event decision (resolve.ts): "<decision> by <name> (<username>) in
 * chat at <time>: <from> → <to>." and `{eventId, decision, deciderId, from, to}`.
 */
async function transition(
  services: HitlServices,
  setup: TurnSetup,
  users: UserDirectory,
  row: PendingRow,
  decision: ChatDecision,
  to: PendingStatus,
  why: string,
  /** What an overdue reply would have decided. */
  lateReply?: ChatDecision,
): Promise<boolean> {
  const now = services.now();
  const requester = await users.get(setup.owner);
  const who = requester ? `${requester.name} (${requester.username})` : `the requesting user (${setup.owner})`;
  const final = to !== 'Confirmed' || row.HITLType__c === 'Confirmation';
  // An overdue reply does not decide: the worker expires the action (resolved by nobody) and names the late replier.
  const late = lateReply ? { lateDecision: lateReply, lateDeciderId: setup.owner } : null;
  const requested = row.RequestedAt__c ? Date.parse(row.RequestedAt__c) : now.getTime();
  const claimed = await claimTransition(services.integration, {
    row,
    from: row.Status__c,
    fields: {
      Status__c: to,
      ...(final
        ? {
            ResolvedAt__c: now.toISOString(),
            ...(late ? {} : { ResolvedBy__c: setup.owner }),
            ResolutionComment__c: why,
            DecisionHours__c: Number(((now.getTime() - requested) / 3_600_000).toFixed(2)),
          }
        : {}),
    },
    step: {
      AgentExecution__c: row.AgentExecution__c,
      TurnIdentifier__c: row.TurnIdentifier__c,
      Sequence__c: nextSequenceOf(setup.context.steps, row.TurnIdentifier__c),
      Timestamp__c: now.toISOString(),
      StepType__c: to === 'Cancelled' && why.startsWith('Refused') ? 'Error' : 'Approval',
      StepRole__c: 'System',
      Content__c: late
        ? `Expire by the worker at ${now.toISOString()}: ${row.Status__c} → ${to}. ${why} ${late.lateDecision} by ${who} in chat arrived after the deadline (turn ${setup.turnId}).`
        : `${decision} by ${who} in chat at ${now.toISOString()}: ${row.Status__c} → ${to}. ${why} (turn ${setup.turnId}).`,
      ToolName__c: row.ToolName__c,
      ToolCallId__c: row.ToolCallId__c,
      ToolArguments__c: JSON.stringify({
        eventId: `message:${setup.turnId}`,
        decision,
        deciderId: late ? null : setup.owner,
        from: row.Status__c,
        to,
        ...late,
      }),
      IsError__c: why.startsWith('Refused'),
      ...(why.startsWith('Refused') ? { ErrorCategory__c: 'SecurityViolation' } : {}),
    },
  });
  return claimed === 'claimed';
}
