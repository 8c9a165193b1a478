import { randomUUID } from 'node:crypto';
import { PermanentError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

export interface StartTurnInput {
  /** The agent by record ID, or by `DeveloperName__c` in `agentDeveloperName`. */
  agentId?: string;
  agentDeveloperName?: string;
  message: string;
  /** Continue an existing conversation instead of starting a new one. */
  executionId?: string;
  sourceRecordId?: string;
}

export interface RecordTurnInput {
  agentId: string;
  message: string;
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

/** The length of `TurnIdentifier__c` in the package. */
export const MAX_TURN_ID_LENGTH = 64;

/**
 * The worker's `/v1/turns` half (a synchronous Apex callout cannot write records before its callout): record the
 * message (and a new session/execution when needed) and mark the new turn current, in one composite call AS THE
 * REQUESTING USER, so their CRUD, FLS and sharing apply. No `AgentTurnRequest__e` is published (users hold no Create
 * on it); the caller enqueues the turn itself, as the job the event would have become.
 */
export async function recordTurn(client: SalesforceClient, input: RecordTurnInput): Promise<StartedTurn> {
  const turnId = checkedTurnId(input);
  const requests = turnSubrequests(`/services/data/v${client.apiVersion}`, input, await client.userId(), turnId);
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

/** The message and turn identifier checks, before anything is written; returns the turn identifier to use. */
function checkedTurnId(input: RecordTurnInput): string {
  if (!input.message.trim()) throw new PermanentError('Message is required.', { category: 'InvalidInput' });
  if (input.message.length > 131_072)
    throw new PermanentError('Message is longer than 131072 characters.', { category: 'InvalidInput' });
  const turnId = input.turnId ?? randomUUID();
  // TurnIdentifier__c is Text(64) on every object that carries it.
  if (turnId.trim() === '' || turnId.length > MAX_TURN_ID_LENGTH) {
    throw new PermanentError(`turnId must be 1 to ${MAX_TURN_ID_LENGTH} characters.`, { category: 'InvalidInput' });
  }
  if (input.executionId && !input.sessionId)
    throw new PermanentError('sessionId is required to continue an execution.', { category: 'InvalidInput' });
  return turnId;
}

type Subrequest = { method: string; url: string; referenceId: string; body: unknown };

/** A continued execution moves its current turn; a new one gets a session and an execution. Then the message. */
function turnSubrequests(base: string, input: RecordTurnInput, userId: string, turnId: string): Subrequest[] {
  const channel = input.channel ?? 'Direct';
  const source = input.sourceRecordId ? { SourceRecordId__c: input.sourceRecordId } : {};
  const continued = input.executionId !== undefined;
  const requests: Subrequest[] = continued
    ? [
        {
          method: 'PATCH',
          url: `${base}/sobjects/AgentExecution__c/${input.executionId}`,
          referenceId: 'execution',
          body: { CurrentTurnIdentifier__c: turnId },
        },
      ]
    : [
        {
          method: 'POST',
          url: `${base}/sobjects/InteractionSession__c`,
          referenceId: 'session',
          body: { AIAgentDefinition__c: input.agentId, ParticipantUser__c: userId, Channel__c: channel, ...source },
        },
        {
          method: 'POST',
          url: `${base}/sobjects/AgentExecution__c`,
          referenceId: 'execution',
          body: {
            AIAgentDefinition__c: input.agentId,
            RequestingUser__c: userId,
            CurrentTurnIdentifier__c: turnId,
            TriggerSource__c: input.triggerSource ?? 'API',
            InteractionSession__c: '@{session.id}',
            ...source,
          },
        },
      ];
  requests.push({
    method: 'POST',
    url: `${base}/sobjects/InteractionMessage__c`,
    referenceId: 'message',
    body: {
      InteractionSession__c: continued ? input.sessionId : '@{session.id}',
      AgentExecution__c: continued ? input.executionId : '@{execution.id}',
      Role__c: 'User',
      Direction__c: 'Inbound',
      Content__c: input.message,
      TurnIdentifier__c: turnId,
      Channel__c: channel,
    },
  });
  return requests;
}

/** One element of the invocable-action response (`POST /actions/custom/apex/{Class}`). */
interface InvocationElement {
  isSuccess: boolean;
  errors: Array<{ statusCode: string; message: string }> | null;
  outputValues: Record<string, unknown> | null;
}

/**
 * Starts a turn the way an org's Flow does: the package's "Loom: Start Agent Turn" invocable
 * (`StartAgentTurnAction` → `AgentTurnService`) AS THE GIVEN USER, which checks the user may start turns, writes the
 * session, execution and message in user mode and publishes `AgentTurnRequest__e` in system context. One API call.
 */
export async function startTurn(client: SalesforceClient, input: StartTurnInput): Promise<StartedTurn> {
  if (!input.agentId && !input.agentDeveloperName)
    throw new PermanentError('agentId or agentDeveloperName is required.', { category: 'InvalidInput' });
  const request: Record<string, unknown> = { message: input.message };
  if (input.agentId) request['agentId'] = input.agentId;
  else request['agentDeveloperName'] = input.agentDeveloperName;
  if (input.executionId) request['executionId'] = input.executionId;
  if (input.sourceRecordId) request['sourceRecordId'] = input.sourceRecordId;
  const [element] = await client.request<InvocationElement[]>('POST', '/actions/custom/apex/StartAgentTurnAction', {
    inputs: [request],
  });
  const out = element?.outputValues ?? {};
  if (!element?.isSuccess || out['isSuccess'] !== true) {
    const why = element?.errors?.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? String(out['errorMessage']);
    throw new PermanentError(`Could not start the turn: ${why}`, { category: 'PermissionDenied' });
  }
  return {
    executionId: String(out['executionId']),
    sessionId: String(out['sessionId']),
    messageId: String(out['messageId']),
    turnId: String(out['turnIdentifier']),
  };
}
