/**
 * `SELECT RecordId, HasReadAccess, ... FROM UserRecordAccess WHERE UserId = :u AND RecordId IN (...)`: one user's access
 * to a set of records, the standard way to check access before acting. Follows the Object Reference ("UserRecordAccess"):
 * - the WHERE clause is `UserId = [single ID] AND RecordId = [single ID]` (or `RecordId IN [list of IDs]`), optionally
 *   `AND <access field> = true|false`; at most 200 record IDs;
 * - filtering by UserId and RecordId only: select RecordId and optionally the Has*Access fields and MaxAccessLevel;
 *   with an access-field filter as well: select RecordId only;
 * - records the running user cannot read are left out; ORDER BY may name a selected field;
 * - MaxAccessLevel is one of None, Read, Edit, Delete, Transfer, All.
 * The error codes and texts for a query outside these rules are not documented (the emulator answers MALFORMED_QUERY).
 * The foreign-key form (`SELECT Id, UserRecordAccess.HasReadAccess FROM Account`) is not emulated.
 */
import type { FieldType as SoqlFieldType, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { canonicalId } from '../org/ids.ts';
import { ApiError } from '../org/model.ts';
import type { QueryResult, RecordStore, Schema, UserAccess } from '../org/model.ts';
import { isSetupObject } from '../org/standard-objects.ts';
import { parseSoql } from './parse.ts';

export const USER_RECORD_ACCESS_MAX_IDS = 200;
const ACCESS_FIELDS = [
  'HasReadAccess',
  'HasEditAccess',
  'HasDeleteAccess',
  'HasTransferAccess',
  'HasAllAccess',
] as const;
type AccessField = (typeof ACCESS_FIELDS)[number];
const SELECTABLE = ['RecordId', ...ACCESS_FIELDS, 'MaxAccessLevel'];

export interface UserRecordAccessContext {
  schema: Schema;
  store: RecordStore;
  /** The running user: records they cannot read are left out. */
  access: UserAccess;
  /** Access of the user named in `UserId`; undefined for an unknown user. */
  accessOf(userId: string): UserAccess | undefined;
  apiVersion: string;
}

/** Cheap test before parsing: only queries whose FROM names UserRecordAccess take this path. */
export function isUserRecordAccessQuery(soql: string): boolean {
  return /\bfrom\s+userrecordaccess\b/i.test(soql);
}

const malformed = (message: string): ApiError => new ApiError(400, 'MALFORMED_QUERY', message);

function canonical(name: string, allowed: readonly string[]): string | undefined {
  return allowed.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
}

interface Filters {
  userId?: string;
  recordIds?: string[];
  accessFilter?: { field: AccessField; value: boolean };
}

const unquote = (value: string): string => value.replace(/^'(.*)'$/s, '$1');

function collectConditions(where: WhereClause | undefined, out: Array<Record<string, unknown>>): void {
  if (!where) return;
  const clause = where as { left: Record<string, unknown> | null; operator?: string; right?: WhereClause };
  if (clause.operator !== undefined && clause.operator !== 'AND')
    throw malformed('UserRecordAccess filters can only be combined with AND');
  const left = clause.left;
  if (!left || left.openParen || left.closeParen || left.logicalPrefix !== undefined)
    throw malformed('UserRecordAccess filters cannot be grouped or negated');
  out.push(left);
  collectConditions(clause.right, out);
}

function filtersOf(where: WhereClause | undefined): Filters {
  const conditions: Array<Record<string, unknown>> = [];
  collectConditions(where, conditions);
  const filters: Filters = {};
  for (const condition of conditions) {
    if (typeof condition.field !== 'string')
      throw malformed('UserRecordAccess supports only UserId, RecordId and access-level filters');
    const name = condition.field.toLowerCase();
    const value = condition.value;
    if (name === 'userid' && condition.operator === '=' && typeof value === 'string' && filters.userId === undefined) {
      filters.userId = unquote(value);
    } else if (
      name === 'recordid' &&
      filters.recordIds === undefined &&
      condition.operator === '=' &&
      typeof value === 'string'
    ) {
      filters.recordIds = [unquote(value)];
    } else if (
      name === 'recordid' &&
      filters.recordIds === undefined &&
      condition.operator === 'IN' &&
      Array.isArray(value)
    ) {
      filters.recordIds = value.map(unquote);
    } else {
      const field = canonical(condition.field, ACCESS_FIELDS) as AccessField | undefined;
      if (!field || condition.operator !== '=' || filters.accessFilter || condition.literalType !== 'BOOLEAN') {
        throw malformed('UserRecordAccess supports only UserId, RecordId and access-level filters');
      }
      filters.accessFilter = { field, value: String(value).toLowerCase() === 'true' };
    }
  }
  return filters;
}

function selectedFields(query: Query, hasAccessFilter: boolean): string[] {
  const fields = (query.fields ?? []).map((item: SoqlFieldType) => {
    const name = item.type === 'Field' ? canonical(item.field, SELECTABLE) : undefined;
    if (!name) throw malformed('UserRecordAccess can select only RecordId, the Has*Access fields and MaxAccessLevel');
    return name;
  });
  if (!fields.includes('RecordId')) throw malformed('UserRecordAccess queries must select RecordId');
  if (hasAccessFilter && fields.length > 1)
    throw malformed('When filtering by an access level field, select RecordId only');
  return fields;
}

/** What one user may do with one record, as UserRecordAccess reports it. */
export function accessLevels(
  schemaObject: string,
  record: Parameters<UserAccess['canRecord']>[1],
  user: UserAccess,
): Record<AccessField | 'MaxAccessLevel', boolean | string> {
  const read = user.canRecord(schemaObject, record, 'read');
  const edit = read && user.canRecord(schemaObject, record, 'edit');
  const del = edit && user.canRecord(schemaObject, record, 'delete');
  // Transfer needs edit plus full access to the record (owner, above the owner in the role hierarchy, Modify All, an All
  // share); All (sharing the record) needs delete as well.
  const full = edit && (user.canShare?.(schemaObject, record) ?? true);
  const transfer = full;
  const all = full && del;
  const max = all ? 'All' : transfer ? 'Transfer' : del ? 'Delete' : edit ? 'Edit' : read ? 'Read' : 'None';
  return {
    HasReadAccess: read,
    HasEditAccess: edit,
    HasDeleteAccess: del,
    HasTransferAccess: transfer,
    HasAllAccess: all,
    MaxAccessLevel: max,
  };
}

export function runUserRecordAccess(soql: string, ctx: UserRecordAccessContext): QueryResult {
  const query = parseSoql(soql) as Query;
  if (query.limit !== undefined || query.offset !== undefined || query.groupBy || query.having) {
    throw malformed('UserRecordAccess does not support LIMIT, OFFSET, GROUP BY or HAVING');
  }
  const filters = filtersOf(query.where);
  if (filters.userId === undefined || filters.recordIds === undefined) {
    throw malformed(
      'UserRecordAccess queries must filter by UserId = [single ID] and RecordId = [single ID] or RecordId IN [list of IDs]',
    );
  }
  if (filters.recordIds.length > USER_RECORD_ACCESS_MAX_IDS) {
    throw new ApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `UserRecordAccess can be queried for at most ${USER_RECORD_ACCESS_MAX_IDS} record IDs`,
    );
  }
  const fields = selectedFields(query, filters.accessFilter !== undefined);
  const userId = canonicalId(filters.userId);
  const subject = userId ? ctx.accessOf(userId) : undefined;
  const rows: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const raw of filters.recordIds) {
    const id = canonicalId(raw);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const entry = ctx.store.get(id);
    // Only objects on the Sharing Settings page (owned or controlled by a parent) have record access to report.
    if (
      !entry ||
      isSetupObject(entry.object.name) ||
      entry.object.kind === 'event' ||
      entry.object.shareOf !== undefined
    )
      continue;
    if (!(entry.object.hasOwner || entry.object.sharingModel === 'ControlledByParent')) continue;
    if (!ctx.access.canRecord(entry.object.name, entry.record, 'read')) continue;
    const levels = subject
      ? accessLevels(entry.object.name, entry.record, subject)
      : {
          HasReadAccess: false,
          HasEditAccess: false,
          HasDeleteAccess: false,
          HasTransferAccess: false,
          HasAllAccess: false,
          MaxAccessLevel: 'None',
        };
    if (filters.accessFilter && levels[filters.accessFilter.field] !== filters.accessFilter.value) continue;
    const row: Record<string, unknown> = {
      attributes: {
        type: 'UserRecordAccess',
        url: `/services/data/v${ctx.apiVersion}/sobjects/UserRecordAccess/${id}`,
      },
    };
    for (const field of fields)
      row[field] = field === 'RecordId' ? id : levels[field as AccessField | 'MaxAccessLevel'];
    rows.push(row);
  }
  for (const order of [
    ...(query.orderBy && !Array.isArray(query.orderBy) ? [query.orderBy] : (query.orderBy ?? [])),
  ].reverse()) {
    const name = 'field' in order && typeof order.field === 'string' ? canonical(order.field, fields) : undefined;
    if (!name) throw malformed('UserRecordAccess can be ordered only by a selected field');
    const sign = order.order === 'DESC' ? -1 : 1;
    rows.sort((a, b) => sign * String(a[name]).localeCompare(String(b[name])));
  }
  return { totalSize: rows.length, records: rows };
}
