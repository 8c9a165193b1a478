import { PermanentError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { SObjectWrite } from '../schemas/records.ts';
import type {
  AgentDecisionStep,
  AgentExecution,
  AgentTurnResult,
  ExecutionStep,
  InteractionMessage,
  InteractionSession,
  PendingHITLAction,
} from '../schemas/sobjects.ts';

interface CompositeSubrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  referenceId: string;
  body?: unknown;
}

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

/**
 * The rows and fields are typed from the package metadata (src/schemas/sobjects.ts), so `tsc` rejects a field the
 * object does not have or a value of the wrong JSON type. Picklists take any string here (callers pass values through);
 * the turn recorder's own rows are checked against the picklist values.
 */
export interface TurnWrite {
  steps: Array<SObjectWrite<typeof ExecutionStep, 'text'>>;
  decisions: Array<SObjectWrite<typeof AgentDecisionStep, 'text'>>;
  /** Fields to set on the execution (status, totals, current error). */
  execution?: { id: string; fields: SObjectWrite<typeof AgentExecution, 'text'> };
  /** Fields to set on the conversation (last activity, status); written with the execution, guarded the same way. */
  session?: { id: string; fields: SObjectWrite<typeof InteractionSession, 'text'> };
  /** Outbound message upserted by its `MessageKey__c`. */
  message?: SObjectWrite<typeof InteractionMessage, 'text'> & { MessageKey__c: string };
  /** `PendingHITLAction__c` records held this turn, upserted by `ActionKey__c` with the steps that explain them. */
  pendingActions?: Array<SObjectWrite<typeof PendingHITLAction, 'text'> & { ActionKey__c: string }>;
  /** `AgentTurnResult__e` fields; published last, only if everything else landed. */
  result?: SObjectWrite<typeof AgentTurnResult, 'text'>;
  /**
   * The turn these writes belong to. When set, the execution update, the answer and the result event land only while
   * the execution's `CurrentTurnIdentifier__c` is still this turn (or blank): a stale turn never overwrites newer state.
   */
  turnId?: string;
}

export interface TurnWriteOutcome {
  apiCalls: number;
  /** A newer turn owns the execution: the batch holding the bookkeeping tail was rolled back (earlier batches landed). */
  superseded: boolean;
}

const MAX_COLLECTION = 200;
const MAX_SUBREQUESTS = 25;
const MAX_HEAVY_SUBREQUESTS = 5;

/**
 * Writes a turn's audit trail and bookkeeping in as few API calls as Salesforce allows: one `/composite` request with
 * `allOrNone` (so a turn's writes land together or not at all) holding upserts of up to 200 steps per collection.
 * Upserts by external ID make a retried job rewrite the same rows instead of adding new ones.
 */
export async function writeTurn(client: SalesforceClient, write: TurnWrite): Promise<TurnWriteOutcome> {
  let apiCalls = 0;
  for (const batch of batches(buildRequests(client.apiVersion, write))) {
    const response = await client.request<CompositeResponse>('POST', '/composite', {
      allOrNone: true,
      compositeRequest: batch,
    });
    apiCalls += 1;
    const failed = response.compositeResponse.filter((sub) => sub.httpStatusCode >= 400 || hasRecordErrors(sub.body));
    if (failed.length === 0) continue;
    // The last batch rolled back whole; earlier ones held audit rows only. The caller decides what to write instead.
    if (write.turnId !== undefined && failed.some(isGuardMiss)) return { apiCalls, superseded: true };
    const first = failed.find((sub) => !JSON.stringify(sub.body).includes('PROCESSING_HALTED')) ?? failed[0];
    throw new PermanentError(
      `Audit write failed at ${first?.referenceId}: ${JSON.stringify(first?.body).slice(0, 500)}`,
      {
        category: 'AuditWriteFailed',
      },
    );
  }
  return { apiCalls, superseded: false };
}

const GUARD = 'currentTurn';
const GUARDED_ID = `@{${GUARD}.records[0].Id}`;

/** The guard query found no execution still on this turn, so the subrequests that reference it could not resolve. */
function isGuardMiss(sub: { body: unknown }): boolean {
  const text = JSON.stringify(sub.body);
  return text.includes('Invalid reference specified') && text.includes(GUARD);
}

/** Audit rows (split freely across calls) and the bookkeeping tail (kept in one call with its guard: references do not cross calls). */
function buildRequests(
  version: string,
  write: TurnWrite,
): { rows: CompositeSubrequest[]; tail: CompositeSubrequest[] } {
  const base = `/services/data/v${version}`;
  const requests: CompositeSubrequest[] = [];
  // The bookkeeping below references the guard's result, so it resolves only while this turn is current.
  const guarded = write.turnId !== undefined && write.execution !== undefined;
  const executionId = guarded ? GUARDED_ID : write.execution?.id;
  const tail: CompositeSubrequest[] = [];
  const collection = (type: string, key: string, records: Array<Record<string, unknown>>, prefix: string) => {
    for (let index = 0; index < records.length; index += MAX_COLLECTION) {
      requests.push({
        method: 'PATCH',
        url: `${base}/composite/sobjects/${type}/${key}`,
        referenceId: `${prefix}${index / MAX_COLLECTION}`,
        body: {
          allOrNone: true,
          records: records.slice(index, index + MAX_COLLECTION).map((record) => ({ attributes: { type }, ...record })),
        },
      });
    }
  };
  collection('ExecutionStep__c', 'StepKey__c', write.steps, 'steps');
  collection('AgentDecisionStep__c', 'DecisionKey__c', write.decisions, 'decisions');
  collection('PendingHITLAction__c', 'ActionKey__c', write.pendingActions ?? [], 'pending');
  if (guarded && write.execution) {
    const soql = `SELECT Id FROM AgentExecution__c WHERE Id = '${soqlLiteral(write.execution.id)}' AND (CurrentTurnIdentifier__c = '${soqlLiteral(write.turnId ?? '')}' OR CurrentTurnIdentifier__c = null)`;
    tail.push({ method: 'GET', url: `${base}/query?q=${encodeURIComponent(soql)}`, referenceId: GUARD });
  }
  if (write.message) {
    const { MessageKey__c: key, ...fields } = write.message;
    const body = guarded ? { ...fields, AgentExecution__c: executionId } : fields;
    tail.push({
      method: 'PATCH',
      url: `${base}/sobjects/InteractionMessage__c/MessageKey__c/${encodeURIComponent(key)}`,
      referenceId: 'message',
      body,
    });
  }
  if (write.execution) {
    tail.push({
      method: 'PATCH',
      url: `${base}/sobjects/AgentExecution__c/${executionId}`,
      referenceId: 'execution',
      body: write.execution.fields,
    });
  }
  if (write.session) {
    tail.push({
      method: 'PATCH',
      url: `${base}/sobjects/InteractionSession__c/${write.session.id}`,
      referenceId: 'session',
      body: write.session.fields,
    });
  }
  if (write.result) {
    const body = guarded ? { ...write.result, AgentExecutionId__c: executionId } : write.result;
    tail.push({ method: 'POST', url: `${base}/sobjects/AgentTurnResult__e`, referenceId: 'result', body });
  }
  return { rows: requests, tail };
}

function soqlLiteral(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

const isHeavy = (request: CompositeSubrequest) =>
  request.url.includes('/composite/sobjects') || request.url.includes('/query?');

/** Splits subrequests to respect /composite's caps (25 subrequests, at most 5 of them queries or collections); the tail stays whole. */
function batches({
  rows,
  tail,
}: {
  rows: CompositeSubrequest[];
  tail: CompositeSubrequest[];
}): CompositeSubrequest[][] {
  const out: CompositeSubrequest[][] = [];
  let current: CompositeSubrequest[] = [];
  let heavy = 0;
  const fits = (group: CompositeSubrequest[]) =>
    current.length + group.length <= MAX_SUBREQUESTS && heavy + group.filter(isHeavy).length <= MAX_HEAVY_SUBREQUESTS;
  for (const group of [...rows.map((row) => [row]), tail]) {
    if (group.length === 0) continue;
    if (current.length > 0 && !fits(group)) {
      out.push(current);
      current = [];
      heavy = 0;
    }
    current.push(...group);
    heavy += group.filter(isHeavy).length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function hasRecordErrors(body: unknown): boolean {
  return (
    Array.isArray(body) &&
    body.some((item) => typeof item === 'object' && item !== null && (item as { success?: boolean }).success === false)
  );
}
