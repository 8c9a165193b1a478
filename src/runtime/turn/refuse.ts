import type { JobOutcome } from '../jobs.ts';
import type { TurnContext } from '../turn-context.ts';
import type { TurnRecorder } from '../turn-recorder.ts';
import type { Refusal, TurnServices } from './types.ts';
import { finishTurn } from './write.ts';

/** Records why the turn does not run (an Error step and a Blocked line) and writes it as the turn's failed answer. */
export async function refuseTurn(
  services: TurnServices,
  recorder: TurnRecorder,
  context: TurnContext,
  { category, message }: Refusal,
): Promise<JobOutcome> {
  recorder.record({ type: 'Error', role: 'System', isError: true, errorCategory: category, content: message });
  recorder.decision({ title: 'Turn refused', detail: message, outcome: 'Blocked' });
  const current = await finishTurn(services, recorder, context, {
    status: 'failed',
    finalText: message,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    costUsd: 0,
    llmCalls: 0,
    toolCalls: 0,
    errorCategory: category,
  });
  return current ? { status: 'refused', detail: message } : { status: 'stale' };
}
