import { PermanentError } from '../errors.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

interface CompositeSubrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  referenceId: string;
  body?: unknown;
}

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

export interface TurnWrite {
  steps: Array<Record<string, unknown>>;
  decisions: Array<Record<string, unknown>>;
  /** Fields to set on the execution (status, totals, current error). */
  execution?: { id: string; fields: Record<string, unknown> };
  /** Outbound message upserted by its `MessageKey__c`. */
  message?: Record<string, unknown> & { MessageKey__c: string };
  /** `PendingHITLAction__c` records held this turn, upserted by `ActionKey__c` with the steps that explain them. */
  pendingActions?: Array<Record<string, unknown> & { ActionKey__c: string }>;
  /** `AgentTurnResult__e` fields; published last, only if everything else landed. */
  result?: Record<string, unknown>;
}

const MAX_COLLECTION = 200;
const MAX_SUBREQUESTS = 25;
const MAX_COLLECTION_SUBREQUESTS = 5;

/**
 * Writes a turn's audit trail and bookkeeping in as few API calls as Salesforce allows: one `/composite` request with
 * `allOrNone` (so a turn's writes land together or not at all) holding upserts of up to 200 steps per collection.
 * Upserts by external ID make a retried job rewrite the same rows instead of adding new ones.
 */
export async function writeTurn(client: SalesforceClient, write: TurnWrite): Promise<{ apiCalls: number }> {
  const requests = buildRequests(client.apiVersion, write);
  let apiCalls = 0;
  for (const batch of batches(requests)) {
    const response = await client.request<CompositeResponse>('POST', '/composite', { allOrNone: true, compositeRequest: batch });
    apiCalls += 1;
    const failed = response.compositeResponse.filter((sub) => sub.httpStatusCode >= 400 || hasRecordErrors(sub.body));
    if (failed.length > 0) {
      const first = failed.find((sub) => !JSON.stringify(sub.body).includes('PROCESSING_HALTED')) ?? failed[0];
      throw new PermanentError(`Audit write failed at ${first?.referenceId}: ${JSON.stringify(first?.body).slice(0, 500)}`, {
        category: 'AuditWriteFailed',
      });
    }
  }
  return { apiCalls };
}

function buildRequests(version: string, write: TurnWrite): CompositeSubrequest[] {
  const base = `/services/data/v${version}`;
  const requests: CompositeSubrequest[] = [];
  const collection = (type: string, key: string, records: Array<Record<string, unknown>>, prefix: string) => {
    for (let index = 0; index < records.length; index += MAX_COLLECTION) {
      requests.push({
        method: 'PATCH',
        url: `${base}/composite/sobjects/${type}/${key}`,
        referenceId: `${prefix}${index / MAX_COLLECTION}`,
        body: { allOrNone: true, records: records.slice(index, index + MAX_COLLECTION).map((record) => ({ attributes: { type }, ...record })) },
      });
    }
  };
  collection('ExecutionStep__c', 'StepKey__c', write.steps, 'steps');
  collection('AgentDecisionStep__c', 'DecisionKey__c', write.decisions, 'decisions');
  collection('PendingHITLAction__c', 'ActionKey__c', write.pendingActions ?? [], 'pending');
  if (write.message) {
    const { MessageKey__c: key, ...fields } = write.message;
    requests.push({ method: 'PATCH', url: `${base}/sobjects/InteractionMessage__c/MessageKey__c/${encodeURIComponent(key)}`, referenceId: 'message', body: fields });
  }
  if (write.execution) {
    requests.push({ method: 'PATCH', url: `${base}/sobjects/AgentExecution__c/${write.execution.id}`, referenceId: 'execution', body: write.execution.fields });
  }
  if (write.result) requests.push({ method: 'POST', url: `${base}/sobjects/AgentTurnResult__e`, referenceId: 'result', body: write.result });
  return requests;
}

/** Splits subrequests to respect /composite's caps (25 subrequests, at most 5 of them collections). */
function batches(requests: CompositeSubrequest[]): CompositeSubrequest[][] {
  const out: CompositeSubrequest[][] = [];
  let current: CompositeSubrequest[] = [];
  let collections = 0;
  for (const request of requests) {
    const isCollection = request.url.includes('/composite/sobjects');
    if (current.length === MAX_SUBREQUESTS || (isCollection && collections === MAX_COLLECTION_SUBREQUESTS)) {
      out.push(current);
      current = [];
      collections = 0;
    }
    current.push(request);
    if (isCollection) collections += 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function hasRecordErrors(body: unknown): boolean {
  return Array.isArray(body) && body.some((item) => typeof item === 'object' && item !== null && (item as { success?: boolean }).success === false);
}
