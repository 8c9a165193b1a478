import { writeTurn, type TurnWrite } from '../audit-writer.ts';
import type { LoopResult } from '../governed-loop.ts';
import type { HitlGate } from '../ports.ts';
import type { TurnContext } from '../turn-context.ts';
import type { TurnRecorder } from '../turn-recorder.ts';
import type { TurnServices, TurnWritten } from './types.ts';

type Execution = TurnContext['execution'];
type Pending = ReturnType<TurnRecorder['takePending']>;
type PendingActions = NonNullable<TurnWrite['pendingActions']>;

/**
 * One composite call: steps, decisions, the outbound message, execution status and totals, the result event.
 * Returns false when a newer turn owned the execution, so only this turn's audit rows were written.
 */
export async function finishTurn(
  services: TurnServices,
  recorder: TurnRecorder,
  context: TurnContext,
  loop: LoopResult,
  gate?: HitlGate,
): Promise<boolean> {
  const { execution } = context;
  const status = statusOf(loop);
  const pending = recorder.takePending();
  const pendingActions = gate?.takeWrites?.() ?? [];
  const written = await writeTurn(
    services.integration,
    finalWrite({ execution, recorder, loop, status, pending, pendingActions }),
  );
  if (written.superseded) {
    await writeSuperseded(services, recorder, execution, pending, pendingActions);
    return false;
  }
  tellObserver(services, {
    executionId: execution.Id,
    turnId: recorder.turnId,
    status,
    responseText: loop.finalText,
    steps: pending.steps,
    totalTokens: loop.usage.totalTokens,
    costUsd: loop.costUsd,
  });
  await gate?.afterWrite?.();
  return true;
}

function statusOf(loop: LoopResult): TurnWritten['status'] {
  return loop.status === 'completed' ? 'Completed' : loop.status === 'awaiting-action' ? 'Awaiting Action' : 'Failed';
}

interface FinalTurn {
  execution: Execution;
  recorder: TurnRecorder;
  loop: LoopResult;
  status: TurnWritten['status'];
  pending: Pending;
  pendingActions: PendingActions;
}

/** The turn's rows and bookkeeping, guarded by its turn ID: the answer, the execution, the session, the result event. */
function finalWrite(turn: FinalTurn): TurnWrite {
  const { execution, recorder, loop, status, pending, pendingActions } = turn;
  const finishedAt = new Date().toISOString();
  const startedAt = String(pending.steps[0]?.Timestamp__c ?? finishedAt);
  return {
    turnId: recorder.turnId,
    ...pending,
    ...(pendingActions.length > 0 ? { pendingActions } : {}),
    // Messages are master-detail children of the session: an execution without one gets its answer in the steps only.
    ...(loop.finalText === null || !execution.InteractionSession__c
      ? {}
      : { message: answerMessage(execution, execution.InteractionSession__c, recorder, pending, loop.finalText) }),
    execution: { id: execution.Id, fields: executionFields(execution, loop, status, { startedAt, finishedAt }) },
    ...(execution.InteractionSession__c
      ? { session: sessionUpdate(execution, execution.InteractionSession__c, status, finishedAt) }
      : {}),
    result: { AgentExecutionId__c: execution.Id, TurnIdentifier__c: recorder.turnId, Status__c: status },
  };
}

function answerMessage(
  execution: Execution,
  session: string,
  recorder: TurnRecorder,
  pending: Pending,
  text: string,
): NonNullable<TurnWrite['message']> {
  // A resumed turn writes a second answer: key it by its first new step so it does not replace the first one.
  const firstSequence = Number(pending.steps[0]?.Sequence__c ?? 1);
  return {
    MessageKey__c: `${execution.Id}-${recorder.stepKey(firstSequence > 1 ? firstSequence : 0)}-out`,
    AgentExecution__c: execution.Id,
    InteractionSession__c: session,
    Direction__c: 'Outbound',
    Role__c: 'Assistant',
    Content__c: text,
    TurnIdentifier__c: recorder.turnId,
  };
}

function executionFields(
  execution: Execution,
  loop: LoopResult,
  status: TurnWritten['status'],
  at: { startedAt: string; finishedAt: string },
): NonNullable<TurnWrite['execution']>['fields'] {
  return {
    ExecutionStatus__c: status,
    TotalPromptTokens__c: (execution.TotalPromptTokens__c ?? 0) + loop.usage.promptTokens,
    TotalCompletionTokens__c: (execution.TotalCompletionTokens__c ?? 0) + loop.usage.completionTokens,
    TotalTokens__c: (execution.TotalTokens__c ?? 0) + loop.usage.totalTokens,
    TotalCostUSD__c: Number(((execution.TotalCostUSD__c ?? 0) + loop.costUsd).toFixed(6)),
    // StepCount__c is a roll-up count of the ExecutionStep__c rows: Salesforce keeps it, including the HITL rows.
    LastError__c: loop.errorCategory ?? null,
    // When the worker first picked the execution up (this turn's first step), and when it last reached a final
    // status; a turn waiting for a person is not final, so CompletedAt__c is cleared until it finishes.
    StartedAt__c: execution.StartedAt__c ?? at.startedAt,
    CompletedAt__c: status === 'Awaiting Action' ? null : at.finishedAt,
  };
}

function sessionUpdate(
  execution: Execution,
  session: string,
  status: TurnWritten['status'],
  finishedAt: string,
): NonNullable<TurnWrite['session']> {
  return {
    id: session,
    // A closed conversation stays closed; otherwise it waits for a person or is active.
    fields:
      execution.InteractionSession__r?.SessionStatus__c === 'Closed'
        ? { LastActivityAt__c: finishedAt }
        : {
            LastActivityAt__c: finishedAt,
            SessionStatus__c: status === 'Awaiting Action' ? 'Waiting' : 'Active',
          },
  };
}

/** A newer turn started while this one ran: keep this turn's audit trail, leave the execution and answer to it. */
async function writeSuperseded(
  services: TurnServices,
  recorder: TurnRecorder,
  execution: Execution,
  pending: Pending,
  pendingActions: PendingActions,
): Promise<void> {
  services.logger.warn(
    { executionId: execution.Id, turnId: recorder.turnId },
    'stale turn: a newer turn owns the execution; audit rows written, nothing else',
  );
  recorder.decision({
    title: 'Superseded by a newer turn',
    detail: 'A newer turn started while this one ran; its answer and status were not written.',
    outcome: 'Blocked',
  });
  const marker = recorder.takePending();
  await writeTurn(services.integration, {
    steps: [...pending.steps, ...marker.steps],
    decisions: [...pending.decisions, ...marker.decisions],
    ...(pendingActions.length > 0 ? { pendingActions } : {}),
  });
}

function tellObserver(services: TurnServices, turn: TurnWritten): void {
  try {
    services.onTurnWritten?.(turn);
  } catch (err) {
    services.logger.warn({ err }, 'turn observer failed');
  }
}
