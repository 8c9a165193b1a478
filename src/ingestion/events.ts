import { z } from 'zod';
import {
  DECISION_CHANNEL,
  HitlDecisionEvent,
  SalesforceId,
  TURN_CHANNEL,
  TurnRequestEvent,
  type DecisionJob,
  type TurnJob,
} from '../runtime/jobs.ts';

/** The `data` of a platform-event message as faye hands it over (wire protocol §3.5). */
export const DeliveredData = z.object({
  schema: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
  event: z.object({ replayId: z.number().int(), EventUuid: z.string().min(1).max(255) }),
});
export type DeliveredData = z.infer<typeof DeliveredData>;

export const INGEST_CHANNELS = [TURN_CHANNEL, DECISION_CHANNEL] as const;

/** Fields the platform stamps on every event payload. */
const PLATFORM_FIELDS = new Set(['CreatedById', 'CreatedDate']);

export type ParsedEvent =
  | { ok: true; job: TurnJob | DecisionJob; ignoredKeys: string[] }
  | { ok: false; reason: string; detail: string; executionId?: string };

/**
 * Turns a delivered event into a job. The requesting user is the platform-set `CreatedById`; any other payload key
 * (say, one claiming a different user) is not part of the schema and is dropped, and reported in `ignoredKeys`.
 */
export function parseDelivered(channel: string, data: DeliveredData, receivedAt: Date): ParsedEvent {
  const envelope = {
    eventUuid: data.event.EventUuid,
    replayId: data.event.replayId,
    channel,
    receivedAt: receivedAt.toISOString(),
  };
  if (channel === TURN_CHANNEL) {
    const parsed = TurnRequestEvent.safeParse(data.payload);
    if (!parsed.success) return malformed(parsed.error, data.payload);
    return {
      ok: true,
      job: { ...envelope, kind: 'turn', event: parsed.data },
      ignoredKeys: ignored(data.payload, TurnRequestEvent.shape),
    };
  }
  if (channel === DECISION_CHANNEL) {
    const parsed = HitlDecisionEvent.safeParse(data.payload);
    if (!parsed.success) return malformed(parsed.error, data.payload);
    return {
      ok: true,
      job: { ...envelope, kind: 'decision', event: parsed.data },
      ignoredKeys: ignored(data.payload, HitlDecisionEvent.shape),
    };
  }
  return { ok: false, reason: 'malformed:unknown-channel', detail: `no job kind for channel ${channel}` };
}

function malformed(error: z.ZodError, payload: Record<string, unknown>): ParsedEvent {
  const executionId = SalesforceId.safeParse(payload.AgentExecutionId__c);
  return {
    ok: false,
    reason: 'malformed:payload',
    detail: z.prettifyError(error),
    ...(executionId.success ? { executionId: executionId.data } : {}),
  };
}

function ignored(payload: Record<string, unknown>, shape: Record<string, unknown>): string[] {
  return Object.keys(payload).filter((key) => !(key in shape) && !PLATFORM_FIELDS.has(key) && payload[key] !== null);
}

/** Secondary de-duplication keys: a turn runs once per (execution, turn identifier), whatever event carries it. */
export function secondaryKeys(job: TurnJob | DecisionJob): string[] {
  if (job.kind === 'turn') return [`turn:${job.event.AgentExecutionId__c.slice(0, 15)}:${job.event.TurnIdentifier__c}`];
  return [];
}

/** Log context every line about a job carries. */
export function jobContext(job: TurnJob | DecisionJob, jobId?: string): Record<string, string> {
  const context: Record<string, string> = { eventUuid: job.eventUuid };
  if (jobId) context.jobId = jobId;
  if (job.kind === 'turn') {
    context.executionId = job.event.AgentExecutionId__c;
    context.turnId = job.event.TurnIdentifier__c;
  } else {
    context.pendingActionId = job.event.PendingActionId__c;
  }
  return context;
}
