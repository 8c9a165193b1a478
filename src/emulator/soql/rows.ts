/**
 * The rows of one object a query reads: WHERE (with semi-joins), USING SCOPE, ORDER BY, LIMIT and OFFSET, and the
 * clause checks every query and subquery shares. Record, COUNT(), child and aggregate plans all start from these rows.
 */
import type { QueryBase } from '@jetstreamapp/soql-parser-js';
import type { SObjectRecord } from '../org/model.ts';
import type { Env } from './env.ts';
import { itemPath } from './fields.ts';
import { sortKey, sortRows, sortValueFor } from './order.ts';
import type { SortKey } from './order.ts';
import { locate, locateKeyword } from './query-error.ts';
import { fail } from './scope.ts';
import type { Predicate, Scope } from './scope.ts';
import { idKey } from './values.ts';
import { compileWhere } from './where.ts';
import type { SemiJoinCompiler } from './where.ts';

export interface RowPlan {
  object: string;
  filter: Predicate | null;
  ids: string[] | null;
  order: Array<SortKey<SObjectRecord>>;
  limit: number | undefined;
  offset: number;
  ownerOnly: boolean;
}

const MAX_OFFSET = 2000;

/** Clauses this org refuses in any query or subquery, and OFFSET above 2000. */
export function checkClauses(scope: Scope, q: QueryBase): void {
  const unsupported = (keyword: string, text: string): never =>
    fail(scope, Math.max(locateKeyword(scope.r.soql, keyword, scope.from), scope.from), 'MALFORMED_QUERY', text);
  if (q.withDataCategory) unsupported('WITH', 'WITH DATA CATEGORY is not supported by this org');
  if (q.for === 'UPDATE') unsupported('FOR', 'FOR UPDATE is not allowed in this context');
  if (q.update) unsupported('UPDATE', `UPDATE ${q.update} is not supported by this org`);
  if (q.usingScope && !['everything', 'mine'].includes(q.usingScope.toLowerCase()))
    unsupported('USING', `unsupported scope: ${q.usingScope}`);
  if (q.offset !== undefined && q.offset > MAX_OFFSET) {
    fail(
      scope,
      Math.max(locateKeyword(scope.r.soql, 'OFFSET', scope.from), 0),
      'NUMBER_OUTSIDE_VALID_RANGE',
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
    );
  }
}

/** WHERE, ORDER BY, LIMIT, OFFSET, USING SCOPE of a record query. */
export function compileRows(scope: Scope, q: QueryBase): RowPlan {
  const where = q.where ? compileWhere(scope, q.where, semiJoin) : null;
  const orderAt = Math.max(locateKeyword(scope.r.soql, 'ORDER', scope.from), scope.from);
  const order: Array<SortKey<SObjectRecord>> = [];
  for (const item of q.orderBy ? (Array.isArray(q.orderBy) ? q.orderBy : [q.orderBy]) : []) {
    if (!('field' in item) || item.field === undefined) {
      fail(scope, orderAt, 'MALFORMED_QUERY', 'Ordering by an aggregate function requires an aggregate query');
    }
    const ref = scope.r.field(scope.object.name, item.field, orderAt, scope.alias);
    if (ref.kind === 'multi')
      fail(
        scope,
        locate(scope.r.soql, item.field, orderAt),
        'INVALID_FIELD',
        `field '${ref.field.name}' can not be sorted in a query call`,
      );
    const get = ref.get;
    const value = sortValueFor(ref.field);
    order.push(sortKey((rec, env) => value(get(rec, env)), item.order, item.nulls));
  }
  return {
    object: scope.object.name,
    filter: where?.predicate ?? null,
    ids: where?.ids ?? null,
    order,
    limit: q.limit,
    offset: q.offset ?? 0,
    ownerOnly: q.usingScope?.toLowerCase() === 'mine',
  };
}

/** `Field IN (SELECT RefField FROM Obj WHERE ...)`: the set of selected IDs, computed once per execution. */
const semiJoin: SemiJoinCompiler = (outer, query) => {
  const { r } = outer;
  const at = r.nextSubquery();
  const object = r.object(query.sObject ?? '', at);
  const scope: Scope = { r, object, alias: query.sObjectAlias, from: at };
  checkClauses(scope, query);
  const items = query.fields ?? [];
  const item = items[0];
  if (items.length !== 1 || !item || (item.type !== 'Field' && item.type !== 'FieldRelationship')) {
    fail(scope, at, 'MALFORMED_QUERY', 'semi join sub-selects can only select one Id or reference field');
  }
  const ref = r.field(object.name, itemPath(item), at, scope.alias);
  if (ref.kind !== 'id')
    fail(
      scope,
      locate(r.soql, itemPath(item), at),
      'INVALID_FIELD',
      `semi join sub-selects can only select an Id or reference field: ${ref.field.name}`,
    );
  const rows = compileRows(scope, query);
  return (env) => {
    const set = new Set<string>();
    for (const rec of runRows(rows, candidates(rows, env), env)) {
      const v = ref.get(rec, env);
      if (typeof v === 'string' && v !== '') set.add(idKey(v));
    }
    return set;
  };
};

/** Rows to consider: the Id index when WHERE pins Ids, otherwise every record of the object. */
export function candidates(plan: { object: string; ids: string[] | null }, env: Env): SObjectRecord[] {
  if (!plan.ids) return env.all(plan.object);
  const out: SObjectRecord[] = [];
  const seen = new Set<string>();
  for (const id of plan.ids) {
    const hit = env.byId(id);
    // A miss may be a store that only knows another spelling of the ID: fall back to a scan, never a wrong answer.
    if (!hit) return env.all(plan.object);
    if (hit.object.name.toLowerCase() !== plan.object.toLowerCase() || seen.has(hit.record.Id)) continue;
    seen.add(hit.record.Id);
    out.push(hit.record);
  }
  return out;
}

/** Filter (WHERE, scope, record access), sort, then OFFSET/LIMIT. */
export function runRows(plan: RowPlan, rows: readonly SObjectRecord[], env: Env): SObjectRecord[] {
  const userId = plan.ownerOnly ? idKey(env.ctx.access.user.id) : '';
  const kept: SObjectRecord[] = [];
  for (const rec of rows) {
    if (plan.filter && !plan.filter(rec, env)) continue;
    if (plan.ownerOnly && (typeof rec['OwnerId'] !== 'string' || idKey(rec['OwnerId']) !== userId)) continue;
    if (!env.canRead(plan.object, rec)) continue;
    kept.push(rec);
  }
  const sorted = sortRows(kept, plan.order, env);
  if (plan.offset === 0 && plan.limit === undefined) return sorted;
  return sorted.slice(plan.offset, plan.limit === undefined ? undefined : plan.offset + plan.limit);
}
