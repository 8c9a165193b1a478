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
  /** Arguments an approver proposed with Approve: every record they name must be visible to the approver too. */
  editedArgs?: Record<string, unknown> | null;
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
    if (row.HITLType__c !== 'Asynchronous')
      return `Run applies only to asynchronous actions; this ${row.HITLType__c} action waits for a person.`;
    return sameId(decider.id, input.workerId)
      ? null
      : `Only the worker starts asynchronous actions; ${decider.username} is not its integration user.`;
  }
  // The worker may publish decision events (for Run) but never decides for a person, whatever routing says.
  if (sameId(decider.id, input.workerId))
    return `The worker's integration user only starts asynchronous actions; it cannot ${input.decision.toLowerCase()} one.`;
  if (row.HITLType__c === 'Asynchronous')
    return `An asynchronous action needs no decision; ${decider.username} cannot ${input.decision.toLowerCase()} it.`;
  const own = input.clientFor(decider.username);
  if (input.decision === 'Confirm' || input.decision === 'Decline') {
    if (!sameId(decider.id, row.RequestingUser__c))
      return `Only the requesting user can ${input.decision.toLowerCase()} this action; ${decider.username} is not them.`;
    return pendingRecordRefusal(own, decider.username, row);
  }
  let routing;
  try {
    routing = routingFor(row.AgentCapability__r?.BackendConfiguration__c ?? null, input.defaultApprover);
  } catch (error) {
    if (error instanceof ConfigError) return `Approval routing is misconfigured: ${error.message}`;
    throw error;
  }
  const approver = await input.permissions.check(
    decider.id,
    input.clientFor(decider.username),
    LOOM_PERMISSIONS.decide,
  );
  if (!approver.held)
    return `${decider.username} may not approve or reject actions: ${approver.reason ?? `no ${LOOM_PERMISSIONS.decide}`} (Loom_Approver grants it).`;
  if (sameId(decider.id, row.RequestingUser__c) && !routing.allowSelfApproval)
    return `${decider.username} requested this action and cannot approve or reject it.`;
  if (row.Approver__c) {
    if (!sameId(decider.id, row.Approver__c))
      return `This action is assigned to another approver; ${decider.username} is not them.`;
  } else if (routing.approverUsername) {
    if (decider.username.toLowerCase() !== routing.approverUsername.toLowerCase())
      return `This action is routed to ${routing.approverUsername}.`;
  } else if (routing.queue) {
    if (!(await input.users.inQueue(decider.id, routing.queue)))
      return `${decider.username} is not a member of the queue ${routing.queue}.`;
  } else if (routing.role) {
    if ((decider.roleName ?? '').toLowerCase() !== routing.role.toLowerCase())
      return `${decider.username} does not have the role ${routing.role}.`;
  }
  return (
    (await pendingRecordRefusal(own, decider.username, row)) ??
    (await sourceRecordRefusal(own, decider.username, row, input.args)) ??
    (input.editedArgs ? sourceRecordRefusal(own, decider.username, row, input.editedArgs) : null)
  );
}

/** The decider must see the pending action itself with their own session (they own it, or the worker shared it). */
async function pendingRecordRefusal(
  client: SalesforceClient,
  username: string,
  row: PendingRow,
): Promise<string | null> {
  try {
    const { records } = await client.query(`SELECT Id FROM PendingHITLAction__c WHERE Id = '${row.Id}'`);
    return records.length === 0 ? `${username} cannot see the pending action ${row.Id}.` : null;
  } catch (error) {
    if (error instanceof LoomError && error.retryable) throw error;
    return `${username} cannot read the pending action ${row.Id}: ${(error as Error).message}`;
  }
}

/**
 * The approver must be able to read, as themselves, every record the action names, at any depth (`fields.WhatId`,
 * arrays of IDs, nested objects). Top-level `recordId`/`recordIds`/`Id` belong to the capability's object; any other
 * ID is looked up by its key prefix. A value under an ID-like key that is not an ID, or an ID whose object cannot be
 * identified, refuses the decision (fail closed).
 */
async function sourceRecordRefusal(
  client: SalesforceClient,
  username: string,
  row: PendingRow,
  args: Record<string, unknown>,
): Promise<string | null> {
  const named = namedRecordIds(args);
  if (named.length === 0) return null;
  const backend = parseObject(row.AgentCapability__r?.BackendConfiguration__c ?? null);
  const configured = typeof backend.object === 'string' && OBJECT_NAME.test(backend.object) ? backend.object : null;
  let prefixes: Map<string, string> | null = null;
  for (const { id, topLevel, idKey } of named) {
    if (!RECORD_ID.test(id)) {
      if (idKey) return `The action names an invalid record ID (${id.slice(0, 40)}).`;
      continue;
    }
    prefixes ??= await keyPrefixes(client);
    const object = (topLevel ? configured : null) ?? prefixes.get(id.slice(0, 3)) ?? null;
    if (!object) {
      if (idKey) return `${username} cannot identify the record ${id}.`;
      continue; // an ID-shaped word under an ordinary key that is no object's ID
    }
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
  return namedRecordIds(args)
    .filter((entry) => entry.topLevel)
    .map((entry) => entry.id);
}

const TOP_LEVEL_KEYS = new Set(['recordId', 'recordIds', 'Id', 'id']);
/** Keys whose values must be record IDs wherever they appear: Id, WhatId, OwnerId, recordIds… (not custom `__c` fields). */
const ID_KEY = /(?:^id$|Ids?$)/i;

/**
 * Every record ID the arguments name, at any depth. Top-level `recordId`/`recordIds`/`Id`: every string (an invalid one
 * refuses). Elsewhere: ID-shaped strings; `idKey` marks those under an ID-like key, which must resolve to an object.
 */
export function namedRecordIds(
  args: Record<string, unknown>,
): Array<{ id: string; topLevel: boolean; idKey: boolean }> {
  const found = new Map<string, { id: string; topLevel: boolean; idKey: boolean }>();
  const visit = (value: unknown, key: string, topLevel: boolean, depth: number): void => {
    if (depth > 32) return;
    if (typeof value === 'string') {
      const idKey = topLevel || ID_KEY.test(key);
      if (topLevel || RECORD_ID.test(value)) {
        const previous = found.get(`${topLevel}:${value}`);
        found.set(`${topLevel}:${value}`, { id: value, topLevel, idKey: idKey || (previous?.idKey ?? false) });
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key, topLevel, depth + 1);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [child, item] of Object.entries(value as Record<string, unknown>))
        visit(item, child, false, depth + 1);
    }
  };
  for (const [key, value] of Object.entries(args)) visit(value, key, TOP_LEVEL_KEYS.has(key), 0);
  return [...found.values()];
}

async function keyPrefixes(client: SalesforceClient): Promise<Map<string, string>> {
  const global = await client.request<{ sobjects: Array<{ name: string; keyPrefix: string | null }> }>(
    'GET',
    '/sobjects',
  );
  return new Map(
    global.sobjects
      .filter((sobject) => sobject.keyPrefix)
      .map((sobject) => [sobject.keyPrefix as string, sobject.name]),
  );
}

function parseObject(text: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
