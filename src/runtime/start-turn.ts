import { randomUUID } from 'node:crypto';
import { PermanentError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

export interface StartTurnInput {
  agentId: string;
  message: string;
  /** Continue an existing conversation instead of starting a new one. */
  executionId?: string;
  sessionId?: string;
  sourceRecordId?: string;
  channel?: string;
  triggerSource?: 'Flow' | 'Apex' | 'API' | 'UI' | 'Chat';
  /** The caller's own turn identifier (Apex's sync callout sends one and checks the echo); a new UUID otherwise. */
  turnId?: string;
}

export interface StartedTurn {
  executionId: string;
  sessionId: string;
  messageId: string;
  turnId: string;
}

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

/**
 * What the package's `AgentTurnService` does, over REST and as the requesting user: record the message (and a new
 * session/execution when needed), mark the new turn current, and publish `AgentTurnRequest__e` — in one composite call.
 * Used by the worker's `/v1/turns` endpoint, the demo and the tests; the event's CreatedById is the caller.
 */
/** The length of `TurnIdentifier__c` in the package. */
export const MAX_TURN_ID_LENGTH = 64;

export async function startTurn(client: SalesforceClient, input: StartTurnInput): Promise<StartedTurn> {
  if (!input.message.trim()) throw new PermanentError('Message is required.', { category: 'InvalidInput' });
  if (input.message.length > 131_072)
    throw new PermanentError('Message is longer than 131072 characters.', { category: 'InvalidInput' });
  const base = `/services/data/v${client.apiVersion}`;
  const turnId = input.turnId ?? randomUUID();
  // TurnIdentifier__c is Text(64) on every object that carries it: refuse here, before anything is written.
  if (turnId.trim() === '' || turnId.length > MAX_TURN_ID_LENGTH) {
    throw new PermanentError(`turnId must be 1 to ${MAX_TURN_ID_LENGTH} characters.`, { category: 'InvalidInput' });
  }
  const userId = await client.userId();
  const channel = input.channel ?? 'Direct';
  const requests: Array<{ method: string; url: string; referenceId: string; body: unknown }> = [];
  let sessionRef: string;
  let executionRef: string;
  if (input.executionId) {
    if (!input.sessionId)
      throw new PermanentError('sessionId is required to continue an execution.', { category: 'InvalidInput' });
    sessionRef = input.sessionId;
    executionRef = input.executionId;
    requests.push({
      method: 'PATCH',
      url: `${base}/sobjects/AgentExecution__c/${input.executionId}`,
      referenceId: 'execution',
      body: { CurrentTurnIdentifier__c: turnId },
    });
  } else {
    requests.push({
      method: 'POST',
      url: `${base}/sobjects/InteractionSession__c`,
      referenceId: 'session',
      body: {
        AIAgentDefinition__c: input.agentId,
        ParticipantUser__c: userId,
        Channel__c: channel,
        ...(input.sourceRecordId ? { SourceRecordId__c: input.sourceRecordId } : {}),
      },
    });
    requests.push({
      method: 'POST',
      url: `${base}/sobjects/AgentExecution__c`,
      referenceId: 'execution',
      body: {
        AIAgentDefinition__c: input.agentId,
        RequestingUser__c: userId,
        CurrentTurnIdentifier__c: turnId,
        TriggerSource__c: input.triggerSource ?? 'API',
        InteractionSession__c: '@{session.id}',
        ...(input.sourceRecordId ? { SourceRecordId__c: input.sourceRecordId } : {}),
      },
    });
    sessionRef = '@{session.id}';
    executionRef = '@{execution.id}';
  }
  requests.push({
    method: 'POST',
    url: `${base}/sobjects/InteractionMessage__c`,
    referenceId: 'message',
    body: {
      InteractionSession__c: sessionRef,
      AgentExecution__c: executionRef,
      Role__c: 'User',
      Direction__c: 'Inbound',
      Content__c: input.message,
      TurnIdentifier__c: turnId,
      Channel__c: channel,
    },
  });
  requests.push({
    method: 'POST',
    url: `${base}/sobjects/AgentTurnRequest__e`,
    referenceId: 'event',
    body: { AgentExecutionId__c: executionRef, InteractionMessageId__c: '@{message.id}', TurnIdentifier__c: turnId },
  });
  const response = await client.request<CompositeResponse>('POST', '/composite', {
    allOrNone: true,
    compositeRequest: requests,
  });
  const byRef = new Map(response.compositeResponse.map((sub) => [sub.referenceId, sub]));
  const failed = response.compositeResponse.find(
    (sub) => sub.httpStatusCode >= 400 && !JSON.stringify(sub.body).includes('PROCESSING_HALTED'),
  );
  if (failed)
    throw new PermanentError(`Could not start the turn: ${JSON.stringify(failed.body)}`, {
      category: 'PermissionDenied',
    });
  const idOf = (ref: string) => String((byRef.get(ref)?.body as { id?: string } | undefined)?.id ?? '');
  return {
    executionId: input.executionId ?? idOf('execution'),
    sessionId: input.sessionId ?? idOf('session'),
    messageId: idOf('message'),
    turnId,
  };
}
