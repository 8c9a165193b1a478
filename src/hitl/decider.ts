import { ConfigError, LoomError } from '../errors.ts';
import { LOOM_PERMISSIONS, type CustomPermissions } from '../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import type { PendingRow } from './pending-record.ts';
import { routingFor, sameId, type UserDirectory, type UserFacts } from './routing.ts';


const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/**
 * Why `decider` may not make this decision, or null when they may. Everything is re-checked here, whatever Apex or
 * the UI already checked: the event's `CreatedById` is the only identity trusted, and the source record is read with
 * the decider's OWN session (their sharing and CRUD), never the worker's.
 */
export async function refusalFor(input: {
  row: PendingRow;
  decision: 'Confirm' | 'Decline' | 'Approve' | 'Reject' | 'Run';
  decider: UserFacts | null;
  /** The worker's integration user: the only one who may start an asynchronous action. */
  workerId: string;
  args: Record<string, unknown>;
  users: UserDirectory;
  clientFor: (username: string) => SalesforceClient;
  /** Answers Loom_DecidePendingActions as the decider, with the decider's own session (what Apex checks too). */
  permissions: CustomPermissions;
  defaultApprover?: string | undefined;
}): Promise<string | null> {
  const { row, decider } = input;
  if (!decider) return 'The deciding user does not exist.';
  if (!decider.active) return `${decider.username} is inactive.`;
  if (input.decision === 'Run') {
    if (row.HITLType__c !== 'Asynchronous') return `Run applies only to asynchronous actions; this ${row.HITLType__c} action waits for a person.`;
    return sameId(decider.id, input.workerId) ? null : `Only the worker starts asynchronous actions; ${decider.username} is not its integration user.`;
  }
  // The worker may publish decision events (for Run) but never decides for a person, whatever routing says.
  if (sameId(decider.id, input.workerId)) return `The worker's integration user only starts asynchronous actions; it cannot ${input.decision.toLowerCase()} one.`;
  if (row.HITLType__c === 'Asynchronous') return `An asynchronous action needs no decision; ${decider.username} cannot ${input.decision.toLowerCase()} it.`;
  if (input.decision === 'Confirm' || input.decision === 'Decline') {
    return sameId(decider.id, row.RequestingUser__c) ? null : `Only the requesting user can ${input.decision.toLowerCase()} this action; ${decider.username} is not them.`;
  }
  let routing;
  try {
    routing = routingFor(row.AgentCapability__r?.BackendConfiguration__c ?? null, input.defaultApprover);
  } catch (error) {
    if (error instanceof ConfigError) return `Approval routing is misconfigured: ${error.message}`;
    throw error;
  }
  const approver = await input.permissions.check(decider.id, input.clientFor(decider.username), LOOM_PERMISSIONS.decide);
  if (!approver.held) return `${decider.username} may not approve or reject actions: ${approver.reason ?? `no ${LOOM_PERMISSIONS.decide}`} (Loom_Approver grants it).`;
  if (sameId(decider.id, row.RequestingUser__c) && !routing.allowSelfApproval) return `${decider.username} requested this action and cannot approve or reject it.`;
  if (row.Approver__c) {
    if (!sameId(decider.id, row.Approver__c)) return `This action is assigned to another approver; ${decider.username} is not them.`;
  } else if (routing.approverUsername) {
    if (decider.username.toLowerCase() !== routing.approverUsername.toLowerCase()) return `This action is routed to ${routing.approverUsername}.`;
  } else if (routing.queue) {
    if (!(await input.users.inQueue(decider.id, routing.queue))) return `${decider.username} is not a member of the queue ${routing.queue}.`;
  } else if (routing.role) {
    if ((decider.roleName ?? '').toLowerCase() !== routing.role.toLowerCase()) return `${decider.username} does not have the role ${routing.role}.`;
  }
  return sourceRecordRefusal(input.clientFor(decider.username), decider.username, row, input.args);
}

/** The approver must be able to read, as themselves, every record the action names. */
async function sourceRecordRefusal(client: SalesforceClient, username: string, row: PendingRow, args: Record<string, unknown>): Promise<string | null> {
  const ids = recordIdsOf(args);
  if (ids.length === 0) return null;
  const backend = parseObject(row.AgentCapability__r?.BackendConfiguration__c ?? null);
  for (const id of ids) {
    if (!RECORD_ID.test(id)) return `The action names an invalid record ID (${id.slice(0, 40)}).`;
    const object = typeof backend.object === 'string' && OBJECT_NAME.test(backend.object) ? backend.object : await objectForId(client, id);
    if (!object) return `${username} cannot identify the record ${id}.`;
    try {
      const { records } = await client.query(`SELECT Id FROM ${object} WHERE Id = '${id}'`);
      if (records.length === 0) return `${username} cannot see the record ${id}.`;
    } catch (error) {
      if (error instanceof LoomError && error.retryable) throw error;
      return `${username} cannot read ${object} ${id}: ${(error as Error).message}`;
    }
  }
  return null;
}

/** Record IDs an action touches: `recordId`, `recordIds` or `Id` at the top level of the arguments. */
export function recordIdsOf(args: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const key of ['recordId', 'Id', 'id']) if (typeof args[key] === 'string') ids.push(args[key]);
  if (Array.isArray(args.recordIds)) for (const id of args.recordIds) if (typeof id === 'string') ids.push(id);
  return ids;
}

async function objectForId(client: SalesforceClient, id: string): Promise<string | null> {
  const global = await client.request<{ sobjects: Array<{ name: string; keyPrefix: string | null }> }>('GET', '/sobjects');
  return global.sobjects.find((sobject) => sobject.keyPrefix === id.slice(0, 3))?.name ?? null;
}

function parseObject(text: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
