import type { JobOutcome } from '../../runtime/jobs.ts';
import type { Prelude, TurnSetup } from '../../runtime/turn-handler.ts';
import { awaitingApproval, deliverHeld, recordConfirmed, type HeldOutcome } from '../continuation.ts';
import type { PendingStatus } from '../pending-record.ts';
import { afterDecision, approverLabel } from './notify.ts';
import { TO, type Admitted, type Claimed, type DecisionState, type Transition } from './types.ts';

/**
 * Continues the turn that waited, as the user who was asked and with the agent whose capability was held: the held call
 * runs (or is reported as not run) and the loop goes on; then the people concerned are told.
 */
export async function continueTurn(
  state: DecisionState,
  admitted: Admitted,
  transition: Transition,
  claimed: Claimed,
  signal: AbortSignal,
): Promise<JobOutcome> {
  const { services, row, sequence } = state;
  const { to, continueIn } = transition;
  const line = decisionLine(state, admitted);
  const outcome = await services.resumer.resume(
    {
      executionId: row.AgentExecution__c,
      turnId: continueIn,
      firstSequence: claimed.firstSequence,
      // As the user who was asked, with the agent whose capability was held: never what the execution says now.
      identity: { requesterId: row.RequestingUser__c, agentId: row.AgentCapability__r?.AIAgentDefinition__c ?? '' },
      prelude: heldPrelude(state, admitted, transition, claimed.recovering, line),
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

/** What the decision says in the conversation: who decided what, with the person's comment. */
function decisionLine({ request, who }: DecisionState, { decision, late, comment }: Admitted): string {
  const said = late
    ? `Expired: ${request.decision} by ${who} arrived after the deadline`
    : decision === 'Expire'
      ? 'Expired without a decision'
      : decision === 'Run'
        ? `Started in the background by ${who}`
        : `${TO[decision]} by ${who}`;
  return `${said}${comment ? `: ${comment}` : ''}`;
}

/** Before the resumed loop: a confirmed two-step action waits again for its approver; otherwise the held call's result. */
function heldPrelude(
  { services, row }: DecisionState,
  { stored }: Admitted,
  { to, args }: Transition,
  recovering: boolean,
  line: string,
): (setup: TurnSetup) => Promise<Prelude> {
  return async (setup) => {
    if (to === 'Confirmed' && row.HITLType__c === 'ConfirmationThenApproval') {
      await recordConfirmed(setup, row, line);
      return awaitingApproval(approverLabel(row, services));
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
  };
}

function notExecuted(to: PendingStatus, intact: boolean, line: string): string {
  if (!intact)
    return 'The action was not executed: its stored arguments failed the integrity check, so the request was refused.';
  if (to === 'Expired') return 'The action was not executed: nobody decided before it expired.';
  return `The action was not executed. ${line}`;
}
