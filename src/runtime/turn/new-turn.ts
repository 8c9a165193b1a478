import type { Logger } from '../../logger.ts';
import type { JobOutcome, TurnJob } from '../jobs.ts';
import type { TurnContext } from '../turn-context.ts';
import type { TurnRecorder } from '../turn-recorder.ts';
import { loadTurn } from './load.ts';
import { refuseTurn } from './refuse.ts';
import { runChecked } from './run-checked.ts';
import type { Refusal, TurnServices } from './types.ts';

/** Terminal step types: a turn that already wrote one of these has finished, whatever a redelivery says. */
const TERMINAL = new Set(['AgentResponse']);

/**
 * A turn from its event: load it, skip it when a newer turn exists or it already ran, refuse an event its publisher
 * may not send, then run it from its message (unless a hook, such as a pending confirmation, claims the message).
 */
export async function runNewTurn(
  services: TurnServices,
  job: TurnJob,
  log: Logger,
  signal: AbortSignal,
): Promise<JobOutcome> {
  const { event } = job;
  const turnId = event.TurnIdentifier__c;
  const { context, recorder } = await loadTurn(
    services,
    { executionId: event.AgentExecutionId__c, messageId: event.InteractionMessageId__c },
    turnId,
  );
  const settled = alreadySettled(context, turnId, log);
  if (settled) return settled;
  if (job.reconciled) recordRecovered(job, recorder, log);
  const checked = checkEvent(services, context, event.CreatedById, log);
  if ('refused' in checked) return refuseTurn(services, recorder, context, checked.refused);
  const { message } = checked;
  return runChecked(services, {
    context,
    turnId,
    recorder,
    log,
    signal,
    prelude: async (setup) => (await services.beforeLoop?.(setup, message)) ?? { userMessage: message, fresh: true },
  });
}

/** A newer turn exists (stale), or this turn already ran (duplicate): nothing is written. */
function alreadySettled(context: TurnContext, turnId: string, log: Logger): JobOutcome | null {
  const current = context.execution.CurrentTurnIdentifier__c;
  if (current && current !== turnId) {
    log.warn({ current }, 'stale turn: a newer turn exists; nothing written');
    return { status: 'stale' };
  }
  // A turn's first write is one atomic composite call, so any step of this turn means it already ran.
  if (context.steps.some((step) => step.TurnIdentifier__c === turnId)) {
    const final = context.steps.some((step) => step.TurnIdentifier__c === turnId && TERMINAL.has(step.StepType__c));
    return {
      status: 'duplicate',
      detail: final ? 'this turn already has a final answer' : 'this turn already ran and is waiting for a decision',
    };
  }
  return null;
}

/** Audit-visible: this turn's event never reached the worker; the reconciliation sweep started it from the stored message. */
function recordRecovered(job: TurnJob, recorder: TurnRecorder, log: Logger): void {
  const { event } = job;
  log.warn(
    { requestedBy: event.CreatedById, requestedAt: event.CreatedDate },
    'turn recovered by the reconciliation sweep: its event never arrived',
  );
  recorder.decision({
    title: 'Turn recovered by the reconciliation sweep',
    detail: `No AgentTurnRequest__e event for this turn reached the worker, so the reconciliation sweep started it from the message ${event.InteractionMessageId__c ?? ''} that ${event.CreatedById} sent at ${event.CreatedDate}.`,
    outcome: 'Failure',
  });
}

/** The publisher owns the execution (or is a trusted service publisher), which names an agent and a readable message. */
function checkEvent(
  services: TurnServices,
  context: TurnContext,
  publisher: string,
  log: Logger,
): { message: string } | { refused: Refusal } {
  const { execution } = context;
  const owner = execution.RequestingUser__c ?? execution.OwnerId;
  const trusted = (services.trustedPublishers ?? []).some((id) => sameId(id, publisher));
  if (!sameId(owner, publisher) && !trusted) {
    log.warn({ publisher, owner }, 'security: turn published by a user who does not own the execution');
    return {
      refused: {
        category: 'SecurityViolation',
        message: 'This turn was requested by a user who does not own the conversation; it was refused and recorded.',
      },
    };
  }
  if (!execution.AIAgentDefinition__c)
    return { refused: { category: 'Configuration', message: 'The conversation has no agent.' } };
  if (!context.message)
    return { refused: { category: 'MalformedEvent', message: 'The turn names no message the worker can read.' } };
  return { message: context.message.content };
}

function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}
