/**
 * The emulator's `AgentTurnService` (force-app/main/agent-runtime/classes/AgentTurnService.cls), step for step: the
 * same checks in the same order, the same messages, user-mode queries and partial-success user-mode DML, and the
 * request event published in system context after the `Loom_StartAgentTurns` check (no user holds Create on it).
 */
import { randomUUID } from 'node:crypto';
import { canonicalId } from '../org/ids.ts';
import {
  checkPermission,
  insertPartial,
  loomOrgSettings,
  positiveOr,
  QueryException,
  soqlList,
  updatePartial,
  userModeQuery,
  type ApexContext,
  type DatabaseError,
  type SaveResult,
} from './apex-runtime.ts';

export const MAX_MESSAGE_LENGTH = 131072;
export const CHANNELS = ['Direct', 'Chat', 'Flow', 'Apex', 'API', 'Email', 'Slack', 'Teams'] as const;
export const TRIGGER_SOURCES = ['Flow', 'Apex', 'API', 'UI', 'Chat'] as const;
const BUSY_STATUSES = new Set(['Pending', 'Processing', 'Cancelled']);
export const START_PERMISSION = 'Loom_StartAgentTurns';

/** The class's messages, word for word (the drift test finds each literal part in the .cls). */
export const TURN_MESSAGES = {
  noAccess: 'You cannot start Loom agent turns: ask your admin for the Loom: User permission set',
  noStartPermission:
    'You cannot start Loom agent turns: ask your admin for the Loom: User permission set (custom permission Loom_StartAgentTurns)',
  disabled: 'Loom agents are disabled in this org (Loom Settings: Agents Disabled).',
  tooMany: (count: number, limit: number) => `Too many turns in one transaction: ${count} (limit ${limit}).`,
  messageRequired: 'Message is required.',
  messageTooLong: `Message is longer than ${MAX_MESSAGE_LENGTH} characters.`,
  unknownChannel: (channel: string) => `Unknown channel: ${channel}`,
  unknownTrigger: (source: string) => `Unknown trigger source: ${source}`,
  noAgent: (name: string) => `No active agent named ${name} is visible to you.`,
  notYours: (id: string) => `Execution ${id} was not found or belongs to another user.`,
  otherAgent: (id: string) => `Execution ${id} belongs to a different agent.`,
  busy: (id: string, status: string) => `Execution ${id} cannot take a new turn while ${status}.`,
  noSession: (id: string) => `Execution ${id} has no interaction session.`,
  closed: (id: string) => `The conversation of execution ${id} is closed; start a new one.`,
  notSaved: (errors: DatabaseError[]) =>
    `The turn could not be saved: ${errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`,
} as const;

export interface TurnRequest {
  agentDeveloperName?: string | null;
  agentId?: string | null;
  message?: string | null;
  sourceRecordId?: string | null;
  executionId?: string | null;
  channel?: string | null;
  triggerSource?: string | null;
}

export interface TurnResult {
  isSuccess: boolean;
  errorMessage: string | null;
  executionId: string | null;
  sessionId: string | null;
  messageId: string | null;
  turnIdentifier: string | null;
}

type Row = Record<string, unknown>;

const emptyResult = (): TurnResult => ({
  isSuccess: false,
  errorMessage: null,
  executionId: null,
  sessionId: null,
  messageId: null,
  turnIdentifier: null,
});

/** `AgentTurnService.startTurns`: one result per request, in order; never throws for a refusal. */
export function startTurns(ctx: ApexContext, requests: readonly (TurnRequest | null)[]): TurnResult[] {
  const results = requests.map(emptyResult);
  if (requests.length === 0) return results;
  const settings = loomOrgSettings(ctx); // LoomSettings.get(): read once per transaction
  const limit = positiveOr(settings['MaxTurnsPerTransaction__c'], 200);
  if (requests.length > limit) return failAll(results, TURN_MESSAGES.tooMany(requests.length, limit));
  if (settings['AgentsDisabled__c'] === true) return failAll(results, TURN_MESSAGES.disabled);
  if (!checkPermission(ctx, START_PERMISSION)) return failAll(results, TURN_MESSAGES.noStartPermission);
  let agents: Map<string, Row>;
  let executions: Map<string, Row>;
  try {
    agents = loadAgents(ctx, requests);
    executions = loadExecutions(ctx, requests);
  } catch (error) {
    if (error instanceof QueryException) return failAll(results, `${TURN_MESSAGES.noAccess} (${error.message})`);
    throw error;
  }
  const accepted: number[] = [];
  requests.forEach((request, i) => {
    const error = validate(ctx, request, agents, executions);
    if (error === null) accepted.push(i);
    else (results[i] as TurnResult).errorMessage = error;
  });
  if (accepted.length > 0) persistAndPublish(ctx, requests as TurnRequest[], results, accepted, agents, executions);
  return results;
}

function validate(
  ctx: ApexContext,
  request: TurnRequest | null,
  agents: Map<string, Row>,
  executions: Map<string, Row>,
): string | null {
  if (!request || !request.message || request.message.trim() === '') return TURN_MESSAGES.messageRequired;
  if (request.message.length > MAX_MESSAGE_LENGTH) return TURN_MESSAGES.messageTooLong;
  if (request.channel != null && !(CHANNELS as readonly string[]).includes(request.channel))
    return TURN_MESSAGES.unknownChannel(request.channel);
  if (request.triggerSource != null && !(TRIGGER_SOURCES as readonly string[]).includes(request.triggerSource))
    return TURN_MESSAGES.unknownTrigger(request.triggerSource);
  const agent = agentFor(request, agents);
  if (!agent) return TURN_MESSAGES.noAgent(String(request.agentId ?? request.agentDeveloperName));
  if (request.executionId == null) return null;
  const execution = executions.get(canonicalId(request.executionId) ?? '');
  if (!execution || execution['RequestingUser__c'] !== ctx.userId) return TURN_MESSAGES.notYours(request.executionId);
  if (execution['AIAgentDefinition__c'] !== agent['Id']) return TURN_MESSAGES.otherAgent(request.executionId);
  const status = String(execution['ExecutionStatus__c'] ?? '');
  if (BUSY_STATUSES.has(status)) return TURN_MESSAGES.busy(request.executionId, status);
  if (execution['InteractionSession__c'] == null) return TURN_MESSAGES.noSession(request.executionId);
  const session = execution['InteractionSession__r'] as Row | null | undefined;
  if (session?.['SessionStatus__c'] === 'Closed') return TURN_MESSAGES.closed(request.executionId);
  return null;
}

interface Batch {
  ctx: ApexContext;
  requests: TurnRequest[];
  results: TurnResult[];
  agents: Map<string, Row>;
}

const resultAt = (batch: Batch, i: number): TurnResult => batch.results[i] as TurnResult;
const requestAt = (batch: Batch, i: number): TurnRequest => batch.requests[i] as TurnRequest;
const agentIdOf = (batch: Batch, i: number): string => String(agentFor(requestAt(batch, i), batch.agents)?.['Id']);

/** One partial-success insert for the requests in `rowsFor`; returns the candidates still standing. */
function insertFor(
  batch: Batch,
  candidates: number[],
  rowsFor: number[],
  objectName: string,
  rowOf: (i: number) => Record<string, unknown>,
  saved: Map<number, string>,
): number[] {
  const saves = insertPartial(batch.ctx, objectName, rowsFor.map(rowOf));
  return keepSaved(batch.results, candidates, rowsFor, saves, (i, id) => saved.set(i, id));
}

/**
 * Sessions, executions, current-turn updates and messages, each a partial-success user-mode DML; then the events for
 * the requests whose rows all saved, published in system context.
 */
function persistAndPublish(
  ctx: ApexContext,
  requests: TurnRequest[],
  results: TurnResult[],
  accepted: number[],
  agents: Map<string, Row>,
  executions: Map<string, Row>,
): void {
  const batch: Batch = { ctx, requests, results, agents };
  const at = (i: number): TurnResult => resultAt(batch, i);
  const request = (i: number): TurnRequest => requestAt(batch, i);
  for (const i of accepted) at(i).turnIdentifier = randomUUID();
  const sessions = new Map<number, string>();
  const newExecutions = new Map<number, string>();
  const messages = new Map<number, string>();
  const fresh = accepted.filter((i) => request(i).executionId == null);
  let saved = insertFor(batch, accepted, fresh, 'InteractionSession__c', (i) => sessionRow(batch, i), sessions);
  const toCreate = saved.filter((i) => sessions.has(i));
  saved = insertFor(
    batch,
    saved,
    toCreate,
    'AgentExecution__c',
    (i) => executionRow(batch, i, sessions),
    newExecutions,
  );
  saved = moveCurrentTurn(ctx, requests, results, saved, newExecutions);
  for (const i of saved) {
    const executionId = newExecutions.get(i) ?? (canonicalId(request(i).executionId ?? '') as string);
    at(i).executionId = executionId;
    at(i).sessionId = sessions.get(i) ?? String(executions.get(executionId)?.['InteractionSession__c']);
  }
  saved = insertFor(batch, saved, saved, 'InteractionMessage__c', (i) => messageRow(batch, i), messages);
  for (const i of saved) at(i).messageId = messages.get(i) ?? null;
  // LoomEventPublisher.publishInSystemContext: the Loom_StartAgentTurns check above is the user's right to publish.
  for (const i of saved) {
    ctx.org.create(ctx.system, 'AgentTurnRequest__e', {
      AgentExecutionId__c: at(i).executionId,
      InteractionMessageId__c: at(i).messageId,
      TurnIdentifier__c: at(i).turnIdentifier,
    });
  }
  for (const i of accepted) {
    if (saved.includes(i)) at(i).isSuccess = true;
    else clearIds(at(i));
  }
}

function sessionRow(batch: Batch, i: number): Record<string, unknown> {
  const request = requestAt(batch, i);
  return {
    AIAgentDefinition__c: agentIdOf(batch, i),
    ParticipantUser__c: batch.ctx.userId,
    Channel__c: channelOf(request),
    SourceRecordId__c: request.sourceRecordId ?? null,
  };
}

function executionRow(batch: Batch, i: number, sessions: Map<number, string>): Record<string, unknown> {
  const request = requestAt(batch, i);
  return {
    AIAgentDefinition__c: agentIdOf(batch, i),
    RequestingUser__c: batch.ctx.userId,
    CurrentTurnIdentifier__c: resultAt(batch, i).turnIdentifier,
    TriggerSource__c: request.triggerSource ?? 'Apex',
    SourceRecordId__c: request.sourceRecordId ?? null,
    InteractionSession__c: sessions.get(i),
  };
}

function messageRow(batch: Batch, i: number): Record<string, unknown> {
  const result = resultAt(batch, i);
  const request = requestAt(batch, i);
  return {
    InteractionSession__c: result.sessionId,
    AgentExecution__c: result.executionId,
    Role__c: 'User',
    Direction__c: 'Inbound',
    Content__c: request.message,
    TurnIdentifier__c: result.turnIdentifier,
    Channel__c: channelOf(request),
  };
}

/** A continued execution names the new turn as current (the later of two requests for one execution wins). */
function moveCurrentTurn(
  ctx: ApexContext,
  requests: TurnRequest[],
  results: TurnResult[],
  saved: number[],
  newExecutions: Map<number, string>,
): number[] {
  const continued = new Map<string, string>();
  for (const i of saved) {
    if (newExecutions.has(i)) continue;
    continued.set(
      canonicalId((requests[i] as TurnRequest).executionId ?? '') as string,
      (results[i] as TurnResult).turnIdentifier as string,
    );
  }
  if (continued.size === 0) return saved;
  const ids = [...continued.keys()];
  const outcomes = updatePartial(
    ctx,
    'AgentExecution__c',
    ids.map((Id) => ({ Id, CurrentTurnIdentifier__c: continued.get(Id) })),
  );
  const byId = new Map(ids.map((id, k) => [id, outcomes[k] as SaveResult]));
  return saved.filter((i) => {
    if (newExecutions.has(i)) return true;
    const outcome = byId.get(canonicalId((requests[i] as TurnRequest).executionId ?? '') as string);
    if (outcome && !outcome.success) {
      (results[i] as TurnResult).errorMessage = TURN_MESSAGES.notSaved(outcome.errors);
      return false;
    }
    return true;
  });
}

/** `insertKeepingSaved`: the candidates whose row saved (or had no row), recording each failure on its request. */
function keepSaved(
  results: TurnResult[],
  candidates: number[],
  rowsFor: number[],
  saves: SaveResult[],
  onSaved: (request: number, id: string) => void,
): number[] {
  const byRequest = new Map(rowsFor.map((i, k) => [i, saves[k] as SaveResult]));
  return candidates.filter((i) => {
    const save = byRequest.get(i);
    if (!save) return true;
    if (!save.success) {
      (results[i] as TurnResult).errorMessage = TURN_MESSAGES.notSaved(save.errors);
      return false;
    }
    onSaved(i, save.id);
    return true;
  });
}

function loadAgents(ctx: ApexContext, requests: readonly (TurnRequest | null)[]): Map<string, Row> {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const request of requests) {
    if (!request) continue;
    if (request.agentId) ids.add(canonicalId(request.agentId) ?? request.agentId);
    else if (request.agentDeveloperName?.trim()) names.add(request.agentDeveloperName);
  }
  const agents = new Map<string, Row>();
  if (names.size === 0 && ids.size === 0) return agents;
  const which = [
    ...(names.size ? [`DeveloperName__c IN ${soqlList(names)}`] : []),
    ...(ids.size ? [`Id IN ${soqlList(ids)}`] : []),
  ].join(' OR ');
  const rows = userModeQuery(
    ctx,
    `SELECT Id, DeveloperName__c FROM AIAgentDefinition__c WHERE IsActive__c = TRUE AND (${which})`,
  );
  for (const agent of rows) {
    agents.set(String(agent['Id']), agent);
    agents.set(String(agent['DeveloperName__c']).toLowerCase(), agent);
  }
  return agents;
}

function loadExecutions(ctx: ApexContext, requests: readonly (TurnRequest | null)[]): Map<string, Row> {
  const ids = new Set<string>();
  for (const request of requests)
    if (request?.executionId) ids.add(canonicalId(request.executionId) ?? request.executionId);
  if (ids.size === 0) return new Map();
  const rows = userModeQuery(
    ctx,
    'SELECT Id, AIAgentDefinition__c, RequestingUser__c, ExecutionStatus__c, InteractionSession__c, ' +
      `InteractionSession__r.SessionStatus__c FROM AgentExecution__c WHERE Id IN ${soqlList(ids)}`,
  );
  return new Map(rows.map((row) => [String(row['Id']), row]));
}

function agentFor(request: TurnRequest, agents: Map<string, Row>): Row | undefined {
  if (request.agentId) return agents.get(canonicalId(request.agentId) ?? request.agentId);
  return request.agentDeveloperName?.trim() ? agents.get(request.agentDeveloperName.toLowerCase()) : undefined;
}

function channelOf(request: TurnRequest): string {
  return request.channel ?? 'Direct';
}

function clearIds(result: TurnResult): void {
  result.executionId = null;
  result.sessionId = null;
  result.messageId = null;
}

function failAll(results: TurnResult[], message: string): TurnResult[] {
  for (const result of results) result.errorMessage = message;
  return results;
}
