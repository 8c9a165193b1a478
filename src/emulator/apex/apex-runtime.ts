/**
 * What the package's Apex relies on from the platform, for the emulator's stand-ins of that Apex (src/emulator/apex):
 * the running user, `WITH USER_MODE` queries, user-mode DML with partial success, `FeatureManagement.checkPermission`,
 * the org-level Loom settings and system-context writes. Each stand-in mirrors one class of force-app/ and is checked
 * against its source by test/contract/apex-drift.test.ts.
 */
import { ApiError, type OrgApi, type UserAccess } from '../org/model.ts';

/** The running user of one Apex transaction. */
export interface ApexContext {
  org: OrgApi;
  userId: string;
  /** The user's own access: `WITH USER_MODE` and `AccessLevel.USER_MODE`. */
  user: UserAccess;
  /** System context acting as the user (`without sharing`, `AccessLevel.SYSTEM_MODE`, `EventBus.publish`). */
  system: UserAccess;
  apiVersion: string;
  now(): number;
}

export function apexContext(org: OrgApi, userId: string, apiVersion: string, now: () => number): ApexContext {
  return { org, userId, user: org.access(userId), system: org.systemAccess(userId), apiVersion, now };
}

/**
 * A `WITH USER_MODE` query refused as a whole (no object or field access): Apex throws `System.QueryException`. Its
 * message is the platform's, as the REST API words the same refusal.
 */
export class QueryException extends Error {
  override readonly name = 'QueryException';
}

/** `[SELECT … WITH USER_MODE]`: the user's CRUD, FLS and sharing; a refusal throws QueryException. */
export function userModeQuery(ctx: ApexContext, soql: string): Array<Record<string, unknown>> {
  try {
    return ctx.org.query(ctx.user, soql, { apiVersion: ctx.apiVersion }).records;
  } catch (error) {
    if (error instanceof ApiError) throw new QueryException(error.message);
    throw error;
  }
}

/** A `Database.Error`: `getStatusCode() + ': ' + getMessage()` is how the package's classes describe one. */
export interface DatabaseError {
  statusCode: string;
  message: string;
}

export type SaveResult = { success: true; id: string } | { success: false; errors: DatabaseError[] };

function saveError(error: unknown): SaveResult {
  if (error instanceof ApiError)
    return { success: false, errors: [{ statusCode: error.errorCode, message: error.message }] };
  throw error;
}

/** `Database.insert(rows, false, AccessLevel.USER_MODE)`: each row succeeds or fails on its own. */
export function insertPartial(
  ctx: ApexContext,
  objectName: string,
  rows: Array<Record<string, unknown>>,
): SaveResult[] {
  return rows.map((row) => {
    try {
      return { success: true, id: ctx.org.create(ctx.user, objectName, row).id };
    } catch (error) {
      return saveError(error);
    }
  });
}

/** `Database.update(rows, false, AccessLevel.USER_MODE)`. */
export function updatePartial(
  ctx: ApexContext,
  objectName: string,
  rows: Array<{ Id: string } & Record<string, unknown>>,
): SaveResult[] {
  return rows.map(({ Id, ...fields }) => {
    try {
      ctx.org.update(ctx.user, objectName, Id, fields);
      return { success: true, id: Id };
    } catch (error) {
      return saveError(error);
    }
  });
}

/** `FeatureManagement.checkPermission(name)` for the running user (profile, permission sets and groups). */
export function checkPermission(ctx: ApexContext, name: string): boolean {
  return ctx.org.hasCustomPermission?.(ctx.userId, name) === true;
}

/** `LoomSettings.get()`: the org-level `AIAgentFrameworkSettings__c` row (getOrgDefaults), read in system context. */
export function loomOrgSettings(ctx: ApexContext): Record<string, unknown> {
  const soql = `SELECT AgentsDisabled__c, MaxTurnsPerTransaction__c FROM AIAgentFrameworkSettings__c WHERE SetupOwnerId = '${ctx.org.orgId}' LIMIT 1`;
  return ctx.org.query(ctx.system, soql, { apiVersion: ctx.apiVersion }).records[0] ?? {};
}

/** `LoomSettings.positiveOr`: a missing or non-positive number falls back. */
export function positiveOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 1 ? Math.trunc(value) : fallback;
}

/** A string literal for SOQL built by the stand-ins (Apex binds variables; the emulator escapes them instead). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function soqlList(values: Iterable<string>): string {
  return `(${[...values].map(soqlString).join(', ')})`;
}
