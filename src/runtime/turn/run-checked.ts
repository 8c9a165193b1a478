import { LoomError } from '../../errors.ts';
import { rebuildHistory, type StepRow } from '../history.ts';
import { runGovernedLoop, type LoopResult } from '../governed-loop.ts';
import type { JobOutcome } from '../jobs.ts';
import type { TurnRecorder } from '../turn-recorder.ts';
import { authorize } from './authorize.ts';
import { prepareTurn, type PreparedTurn } from './prepare.ts';
import { refuseTurn } from './refuse.ts';
import type { FreshPrelude, Prelude, TurnServices, TurnSetup } from './types.ts';
import { finishTurn } from './write.ts';

/** A loaded turn about to run, with what runs before its model (a hook, or the message itself). */
export interface CheckedTurn extends PreparedTurn {
  prelude: (setup: TurnSetup) => Promise<Prelude | FreshPrelude>;
}

/** Access checks, setup, the prelude, the loop and the atomic write: shared by new and resumed turns. */
export async function runChecked(services: TurnServices, turn: CheckedTurn): Promise<JobOutcome> {
  const { context, recorder } = turn;
  const access = await authorize(services, context, turn.identity);
  if ('refused' in access) return refuseTurn(services, recorder, context, access.refused);
  const setup = await prepareTurn(services, turn, access);
  if ('refused' in setup) return refuseTurn(services, recorder, context, setup.refused);
  const before = await turn.prelude(setup);
  const loop = 'stop' in before ? before.stop : await runLoop(setup, before);
  const current = await finishTurn(services, recorder, context, loop, setup.gate);
  return { status: current ? outcomeOf(loop) : 'stale' };
}

/** The governed loop from where the prelude left the turn; a shutdown hands the job back for a retry. */
async function runLoop(
  setup: TurnSetup,
  before: Exclude<Prelude | FreshPrelude, { stop: LoopResult }>,
): Promise<LoopResult> {
  const { agent, context, turnId, recorder } = setup;
  // A fresh turn sees earlier turns only; after a prelude, this turn's rows (stored and recorded) belong to history.
  const history =
    'fresh' in before
      ? rebuildHistory(context.steps, { turnLimit: agent.historyTurnLimit, excludeTurn: turnId })
      : rebuildHistory([...context.steps, ...recordedRows(recorder)], { turnLimit: agent.historyTurnLimit + 1 });
  const loop = await runGovernedLoop(
    {
      ...setup.input,
      history,
      userMessage: before.userMessage,
      ...(before.toolHistory ? { toolHistory: before.toolHistory } : {}),
    },
    setup.loopDeps,
  );
  if (loop.status === 'cancelled')
    throw new LoomError('turn cancelled by shutdown; it will be retried', { retryable: true, category: 'Cancelled' });
  // The held-action message is built from masked arguments (audit); the requester is shown the real values.
  if (loop.status === 'awaiting-action' && loop.finalText !== null)
    loop.finalText = await setup.trust.restore(loop.finalText);
  return loop;
}

function outcomeOf(loop: LoopResult): JobOutcome['status'] {
  return loop.status === 'awaiting-action' ? 'awaiting-action' : loop.status === 'completed' ? 'completed' : 'failed';
}

/** This turn's rows recorded in memory, in the shape history is rebuilt from. */
function recordedRows(recorder: TurnRecorder): StepRow[] {
  return recorder.all().map((step) => ({
    StepType__c: step.type,
    Content__c: step.content ?? null,
    ToolName__c: step.toolName ?? null,
    ToolCallId__c: step.toolCallId ?? null,
    ToolArguments__c: step.toolArguments ?? null,
    ToolResult__c: step.toolResult ?? null,
    TurnIdentifier__c: recorder.turnId,
    Sequence__c: step.sequence,
  }));
}
