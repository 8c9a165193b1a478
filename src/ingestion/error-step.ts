import { TurnRecorder } from '../runtime/turn-recorder.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

/** Writes the audit trace of an event that could not run. */
export interface ErrorStepWriter {
  malformedEvent(input: { executionId: string; eventUuid: string; reason: string }): Promise<void>;
  /**
   * A turn the queue gave up on (retries spent, a permanent error, or its worker died too often): writes its terminal
   * state — an Error step, a failure answer, the execution marked Failed and the result event — so no turn ends
   * silently. Skipped when the turn already has a final answer (a concurrent attempt finished after all).
   */
  turnFailed(input: {
    executionId: string;
    turnId: string;
    eventUuid: string;
    reason: string;
  }): Promise<'written' | 'already-answered'>;
}

/** ExecutionStep__c.Content__c is a 131,072-character long text area. */
const MAX_CONTENT = 131_072;

/** What the requesting user reads when their turn was given up. */
export const GAVE_UP_ANSWER =
  'Sorry, this request could not be completed because of a system problem. Nothing further will happen for it; please ask again.';

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

/**
 * Upserts an `Error` step on the execution a malformed event names, as the integration user. The step key is
 * derived from the event, so a redelivery updates the same row instead of adding another.
 */
export function salesforceErrorSteps(integration: SalesforceClient): ErrorStepWriter {
  return {
    malformedEvent: (input) => writeMalformedEvent(integration, input),
    async turnFailed(input) {
      const { answered, session } = await turnState(integration, input.executionId, input.turnId);
      if (answered) return 'already-answered';
      await writeComposite(integration, input.turnId, gaveUpRequests(integration.apiVersion, input, session));
      return 'written';
    },
  };
}

type MalformedEvent = Parameters<ErrorStepWriter['malformedEvent']>[0];
type FailedTurn = Parameters<ErrorStepWriter['turnFailed']>[0];
type CompositeRequest = { method: string; url: string; referenceId: string; body: unknown };

async function writeMalformedEvent(
  integration: SalesforceClient,
  { executionId, eventUuid, reason }: MalformedEvent,
): Promise<void> {
  const [result] = await integration.upsertMany('ExecutionStep__c', 'StepKey__c', [
    {
      StepKey__c: `${executionId}-ingest-${eventUuid}`.slice(0, 255),
      AgentExecution__c: executionId,
      StepType__c: 'Error',
      StepRole__c: 'System',
      IsError__c: true,
      ErrorCategory__c: 'MalformedEvent',
      Content__c: `The worker refused a malformed event: ${reason}`.slice(0, MAX_CONTENT),
      TurnIdentifier__c: 'ingest',
      Sequence__c: 0,
      Timestamp__c: new Date().toISOString(),
    },
  ]);
  if (!result?.success) {
    const message = result?.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; ') ?? 'no result';
    throw new Error(`Error step for ${executionId} not written: ${message}`);
  }
}

/** Whether the turn already has a final answer, and the execution's conversation (null when it has none). */
async function turnState(
  integration: SalesforceClient,
  executionId: string,
  turnId: string,
): Promise<{ answered: boolean; session: string | null }> {
  const id = soqlString(executionId);
  const [execution, finals] = await Promise.all([
    integration.query<{ InteractionSession__c: string | null }>(
      `SELECT InteractionSession__c FROM AgentExecution__c WHERE Id = '${id}'`,
    ),
    integration.query(
      `SELECT Id FROM ExecutionStep__c WHERE AgentExecution__c = '${id}' AND TurnIdentifier__c = '${soqlString(turnId)}' AND StepType__c = 'AgentResponse' LIMIT 1`,
    ),
  ]);
  return { answered: finals.totalSize > 0, session: execution.records[0]?.InteractionSession__c ?? null };
}

/** A given-up turn's terminal state: the Error step, the failure answer (with a conversation), Failed, the result event. */
function gaveUpRequests(apiVersion: string, turn: FailedTurn, session: string | null): CompositeRequest[] {
  const { executionId, turnId, eventUuid, reason } = turn;
  const base = `/services/data/v${apiVersion}`;
  const requests: CompositeRequest[] = [
    {
      method: 'PATCH',
      url: `${base}/sobjects/ExecutionStep__c/StepKey__c/${encodeURIComponent(`${executionId}-gaveup-${eventUuid}`.slice(0, 255))}`,
      referenceId: 'step',
      body: {
        AgentExecution__c: executionId,
        StepType__c: 'Error',
        StepRole__c: 'System',
        IsError__c: true,
        ErrorCategory__c: 'TurnAbandoned',
        Content__c: `The worker gave up on this turn: ${reason}`.slice(0, MAX_CONTENT),
        TurnIdentifier__c: turnId,
        Sequence__c: 0,
        Timestamp__c: new Date().toISOString(),
      },
    },
  ];
  if (session) requests.push(gaveUpAnswer(base, executionId, turnId, session));
  requests.push(
    {
      method: 'PATCH',
      url: `${base}/sobjects/AgentExecution__c/${executionId}`,
      referenceId: 'execution',
      body: { ExecutionStatus__c: 'Failed', LastError__c: 'TurnAbandoned' },
    },
    {
      method: 'POST',
      url: `${base}/sobjects/AgentTurnResult__e`,
      referenceId: 'result',
      body: { AgentExecutionId__c: executionId, TurnIdentifier__c: turnId, Status__c: 'Failed' },
    },
  );
  return requests;
}

/** The same key the turn handler uses for a fresh turn's answer: a late successful write replaces this one. */
function gaveUpAnswer(base: string, executionId: string, turnId: string, session: string): CompositeRequest {
  const recorder = new TurnRecorder(executionId, turnId, 1);
  return {
    method: 'PATCH',
    url: `${base}/sobjects/InteractionMessage__c/MessageKey__c/${encodeURIComponent(`${executionId}-${recorder.stepKey(0)}-out`)}`,
    referenceId: 'message',
    body: {
      AgentExecution__c: executionId,
      InteractionSession__c: session,
      Direction__c: 'Outbound',
      Role__c: 'Assistant',
      Content__c: GAVE_UP_ANSWER,
      TurnIdentifier__c: turnId,
    },
  };
}

async function writeComposite(
  integration: SalesforceClient,
  turnId: string,
  requests: CompositeRequest[],
): Promise<void> {
  const response = await integration.request<CompositeResponse>('POST', '/composite', {
    allOrNone: true,
    compositeRequest: requests,
  });
  const failed = response.compositeResponse.find((sub) => sub.httpStatusCode >= 400);
  if (failed)
    throw new Error(
      `Terminal state of turn ${turnId} not written at ${failed.referenceId}: ${JSON.stringify(failed.body).slice(0, 300)}`,
    );
}

/** Record IDs and turn identifiers come from validated events; escaping keeps a hostile one inside its literal. */
function soqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
