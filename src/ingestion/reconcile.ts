import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SalesforceId, TURN_CHANNEL, type TurnJob } from '../runtime/jobs.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

/**
 * The reconciliation sweep's half in ingestion: find started turns that no job ever claimed, and turn each into the job
 * its lost `AgentTurnRequest__e` would have become. The sweep (src/ops/turn-reconciler.ts) hands those jobs to intake,
 * whose de-dup claim keeps a turn from running twice when the event arrives after all.
 *
 * A started turn is what `AgentTurnService` / `startTurn` write in the user's own transaction: the execution's
 * `CurrentTurnIdentifier__c` and an inbound `InteractionMessage__c` carrying the same identifier. Once a job runs it,
 * the worker's audit write updates the execution (status, totals) as the integration user, together with steps and
 * an outbound answer for that turn. So an execution last modified by someone other than the worker is a turn not yet
 * written; one whose current turn has no step and no answer, older than the grace period, is a turn nobody ran.
 */

/** Executions one sweep looks at; the next sweep takes the rest (oldest first). */
export const RECONCILE_BATCH = 50;
/**
 * Turns older than this are left alone: the side-effect ledger remembers a turn's tool calls for seven days, so a turn
 * that did run (and lost its audit write) cannot repeat a side effect within this window.
 */
export const RECONCILE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Newest messages and steps read per execution: an unclaimed turn's message is the newest message, and it has no step. */
const MESSAGES_PER_EXECUTION = 5;
const STEPS_PER_EXECUTION = 10;

const MessageRow = z.object({
  Id: SalesforceId,
  TurnIdentifier__c: z.string().nullish(),
  Direction__c: z.string().nullish(),
  CreatedById: SalesforceId,
  CreatedDate: z.string(),
});

const ExecutionRow = z.object({
  Id: SalesforceId,
  CurrentTurnIdentifier__c: z.string().nullish(),
  ExecutionStatus__c: z.string().nullish(),
  InteractionMessages__r: z.object({ records: z.array(MessageRow) }).nullish(),
  ExecutionSteps__r: z.object({ records: z.array(z.object({ TurnIdentifier__c: z.string().nullish() })) }).nullish(),
});

/** A started turn whose event no job ever claimed. */
export interface UnclaimedTurn {
  executionId: string;
  turnId: string;
  messageId: string;
  /** The inbound message's CreatedById: set by the platform, the user whose own transaction started the turn. */
  requestedBy: string;
  /** The inbound message's CreatedDate (ISO). */
  requestedAt: string;
  status: string | null;
}

/** An execution the query matched that cannot be reconciled, with the reason (logged by the sweep, never guessed at). */
export interface SkippedExecution {
  executionId: string;
  reason: string;
}

export interface FindResult {
  turns: UnclaimedTurn[];
  skipped: SkippedExecution[];
  /** Executions the query returned. */
  scanned: number;
}

export interface FindOptions {
  now: Date;
  /** Turns younger than this are not touched: their event may still be on its way. */
  graceMs: number;
  maxAgeMs?: number;
  limit?: number;
}

/** ONE query as the integration user: executions last changed by someone other than the worker, oldest first. */
export async function findUnclaimedTurns(integration: SalesforceClient, options: FindOptions): Promise<FindResult> {
  const workerId = SalesforceId.parse(await integration.userId());
  const cutoff = options.now.getTime() - options.graceMs;
  const floor = options.now.getTime() - (options.maxAgeMs ?? RECONCILE_MAX_AGE_MS);
  const soql =
    'SELECT Id, CurrentTurnIdentifier__c, ExecutionStatus__c, ' +
    `(SELECT Id, TurnIdentifier__c, Direction__c, CreatedById, CreatedDate FROM InteractionMessages__r ORDER BY CreatedDate DESC LIMIT ${MESSAGES_PER_EXECUTION}), ` +
    `(SELECT TurnIdentifier__c FROM ExecutionSteps__r ORDER BY Timestamp__c DESC LIMIT ${STEPS_PER_EXECUTION}) ` +
    'FROM AgentExecution__c ' +
    `WHERE LastModifiedById != '${workerId}' AND CurrentTurnIdentifier__c != null AND ExecutionStatus__c != 'Cancelled' ` +
    `AND LastModifiedDate < ${soqlDateTime(cutoff)} AND LastModifiedDate > ${soqlDateTime(floor)} ` +
    `ORDER BY LastModifiedDate ASC LIMIT ${options.limit ?? RECONCILE_BATCH}`;
  const { records } = await integration.query(soql);
  const result: FindResult = { turns: [], skipped: [], scanned: records.length };
  for (const record of records) {
    const parsed = ExecutionRow.safeParse(record);
    if (!parsed.success) {
      result.skipped.push({
        executionId: String((record as { Id?: unknown }).Id ?? '?'),
        reason: `unreadable row: ${z.prettifyError(parsed.error)}`,
      });
      continue;
    }
    const verdict = classify(parsed.data, cutoff);
    if (verdict === null) continue;
    if ('reason' in verdict) result.skipped.push(verdict);
    else result.turns.push(verdict);
  }
  return result;
}

/**
 * Null: nothing to do (the current turn already has steps or an answer, or is still within the grace period).
 * A skip: it looks unclaimed but cannot be run faithfully. Otherwise the turn to run.
 */
function classify(execution: z.infer<typeof ExecutionRow>, cutoff: number): UnclaimedTurn | SkippedExecution | null {
  const turnId = execution.CurrentTurnIdentifier__c;
  if (!turnId) return null;
  if ((execution.ExecutionSteps__r?.records ?? []).some((step) => step.TurnIdentifier__c === turnId)) return null;
  const messages = (execution.InteractionMessages__r?.records ?? []).filter(
    (message) => message.TurnIdentifier__c === turnId,
  );
  if (messages.some((message) => message.Direction__c !== 'Inbound')) return null; // answered
  if (messages.length === 0)
    return { executionId: execution.Id, reason: 'the current turn has no inbound message to run' };
  if (messages.length > 1)
    return {
      executionId: execution.Id,
      reason: `the current turn has ${messages.length} inbound messages; which one was requested is unknown`,
    };
  const message = messages[0] as z.infer<typeof MessageRow>;
  const createdAt = parseSalesforceDate(message.CreatedDate);
  if (createdAt === undefined)
    return { executionId: execution.Id, reason: `unreadable CreatedDate ${message.CreatedDate}` };
  if (createdAt >= cutoff) return null;
  return {
    executionId: execution.Id,
    turnId,
    messageId: message.Id,
    requestedBy: message.CreatedById,
    requestedAt: new Date(createdAt).toISOString(),
    status: execution.ExecutionStatus__c ?? null,
  };
}

/**
 * Stable per (execution, turn): every sweep, on any process, synthesises the same EventUuid and therefore the same
 * BullMQ job ID, so a sweep repeated after a crash resumes its own claim instead of starting the turn twice.
 */
export function reconciledEventUuid(executionId: string, turnId: string): string {
  const digest = createHash('sha256')
    .update(`${executionId.slice(0, 15)}:${turnId}`)
    .digest('hex');
  return `reconcile-${digest.slice(0, 32)}`;
}

/**
 * The job the lost event would have become. The requesting user is the message's CreatedById (platform-set, the user
 * who started the turn); the turn handler's ownership and access checks apply to it exactly as to an event's.
 */
export function reconciledTurnJob(turn: UnclaimedTurn, receivedAt: Date): TurnJob {
  return {
    kind: 'turn',
    eventUuid: reconciledEventUuid(turn.executionId, turn.turnId),
    replayId: -1, // no event, so no replay position
    channel: TURN_CHANNEL,
    receivedAt: receivedAt.toISOString(),
    reconciled: true,
    event: {
      AgentExecutionId__c: turn.executionId,
      InteractionMessageId__c: turn.messageId,
      TurnIdentifier__c: turn.turnId,
      CreatedById: turn.requestedBy,
      CreatedDate: turn.requestedAt,
    },
  };
}

/** Salesforce writes `2024-05-01T10:00:00.000+0000`; JavaScript wants the offset with a colon. */
function parseSalesforceDate(value: string): number | undefined {
  const time = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(time) ? time : undefined;
}

function soqlDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A turn the worker's `/v1/turns` recorded as the requesting user (src/ops/turn-service.ts): no request event exists,
 * so the worker enqueues the job the event would have become. Its EventUuid is the reconciliation sweep's for the same
 * turn, so if this process cannot enqueue it (a scaled-mode follower) the sweep's later job is the same job, and a
 * turn never runs twice.
 */
export function directTurnJob(turn: Omit<UnclaimedTurn, 'status'>, receivedAt: Date): TurnJob {
  const { reconciled: _reconciled, ...job } = reconciledTurnJob({ ...turn, status: null }, receivedAt);
  return job;
}
