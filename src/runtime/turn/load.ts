import { loadTurnContext, type TurnContext } from '../turn-context.ts';
import { TurnRecorder } from '../turn-recorder.ts';
import type { TurnServices } from './types.ts';

/**
 * Reads the turn's context (one query) and starts its recorder after the rows this turn already has, or at
 * `firstSequence` when the caller knows better (a resumed turn continues after the decision's own row).
 */
export async function loadTurn(
  services: TurnServices,
  ids: { executionId: string; messageId: string | null | undefined },
  turnId: string,
  firstSequence?: number,
): Promise<{ context: TurnContext; recorder: TurnRecorder }> {
  const context = await loadTurnContext(services.integration, ids);
  const recorder = new TurnRecorder(context.execution.Id, turnId, firstSequence ?? nextSequence(context, turnId));
  return { context, recorder };
}

function nextSequence(context: TurnContext, turnId: string): number {
  const mine = context.steps.filter((step) => step.TurnIdentifier__c === turnId).map((step) => step.Sequence__c);
  return mine.length === 0 ? 1 : Math.max(...mine) + 1;
}
