/**
 * Compiles a parsed query into an executable plan: record queries (with child subqueries and semi-joins), COUNT(),
 * and (delegated) aggregate queries. Plans hold only closures over schema decisions; runtime state lives in Env.
 */
import type { Query, QueryBase, Subquery } from '@jetstreamapp/soql-parser-js';
import type { QueryResult, SObjectRecord } from '../org/model.ts';
import { compileAggregate } from './aggregate.ts';
import type { Env } from './env.ts';
import { AGGREGATES, isAggregateItem, itemAlias, itemPath } from './fields.ts';
import { sortKey, sortRows, sortValueFor } from './order.ts';
import type { SortKey } from './order.ts';
import { countNotKeywords } from './condition-tree.ts';
import { locate, locateKeyword, messages, queryError } from './query-error.ts';
import type { Resolver } from './resolve.ts';
import { fail } from './scope.ts';
import type { Predicate, Scope } from './scope.ts';
import { SelectBuilder } from './select.ts';
import type { ChildResult, Shaper } from './select.ts';
import { idKey } from './values.ts';
import { compileWhere, labelMap } from './where.ts';
import type { SemiJoinCompiler } from './where.ts';

export interface Plan {
  run(env: Env): QueryResult;
}

interface RowPlan {
  object: string;
  filter: Predicate | null;
  ids: string[] | null;
  order: Array<SortKey<SObjectRecord>>;
  limit: number | undefined;
  offset: number;
  ownerOnly: boolean;
}

const MAX_OFFSET = 2000;
const FIELDS_LIMIT = 200;

export function compileQuery(r: Resolver, query: Query): Plan {
  const plan = compileTop(r, query);
  if (r.notCount !== countNotKeywords(r.soql)) {
    // The parser dropped a NOT (it does for `NOT NOT (...)`): refuse rather than answer a different question.
    const at = Math.max(locateKeyword(r.soql, 'NOT'), 0);
    throw queryError(r.soql, at, 'MALFORMED_QUERY', "unexpected token: 'NOT'");
  }
  return plan;
}

function compileTop(r: Resolver, query: Query): Plan {
  const fromAt = Math.max(locateKeyword(r.soql, 'FROM'), 0);
  const object = r.object(query.sObject ?? '', fromAt);
  const scope: Scope = { r, object, alias: query.sObjectAlias, from: 0 };
  checkClauses(scope, query);
  const items = query.fields ?? [];
  if (
    items.length === 1 &&
    items[0]!.type === 'FieldFunctionExpression' &&
    items[0]!.functionName.toUpperCase() === 'COUNT' &&
    items[0]!.parameters.length === 0
  ) {
    if (query.groupBy || query.having)
      fail(scope, locate(r.soql, 'COUNT', 0), 'MALFORMED_QUERY', 'COUNT() cannot be used with GROUP BY or HAVING');
    return compileCount(scope, query);
  }
  if (query.groupBy || query.having || items.some(isAggregateItem)) return compileAggregate(scope, query);
  const rows = compileRows(scope, query);
  const shape = compileSelect(scope, query);
  return {
    run(env) {
      const records = runRows(rows, candidates(rows, env), env).map((rec) => shape(rec, env));
      return { totalSize: records.length, records };
    },
  };
}

function checkClauses(scope: Scope, q: QueryBase): void {
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
function compileRows(scope: Scope, q: QueryBase): RowPlan {
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

function compileSelect(scope: Scope, q: QueryBase): Shaper {
  const { r, object } = scope;
  const sb = new SelectBuilder(scope);
  const items = q.fields ?? [];
  if (items.length === 0) fail(scope, scope.from, 'MALFORMED_QUERY', "unexpected token: 'FROM'");
  for (const item of items) {
    switch (item.type) {
      case 'Field':
      case 'FieldRelationship': {
        const path = itemPath(item);
        const at = locate(r.soql, path, scope.from);
        if (itemAlias(item) !== undefined)
          fail(scope, at, 'MALFORMED_QUERY', 'Only aggregate expressions use field aliasing');
        sb.addRef(r.field(object.name, path, scope.from, scope.alias), at);
        break;
      }
      case 'FieldFunctionExpression': {
        const name = item.functionName.toUpperCase();
        const at = locate(r.soql, item.functionName, scope.from);
        const param = item.parameters[0];
        if (name === 'TOLABEL' && typeof param === 'string' && item.parameters.length === 1) {
          const ref = r.field(object.name, param, scope.from, scope.alias);
          if (ref.field.type !== 'picklist' && ref.field.type !== 'multipicklist') {
            fail(scope, at, 'INVALID_FIELD', `toLabel() can only be used on picklist fields: ${ref.field.name}`);
          }
          const alias = itemAlias(item);
          sb.addRef(
            ref,
            at,
            alias === undefined
              ? { labels: labelMap(ref.field.picklistValues) }
              : { labels: labelMap(ref.field.picklistValues), key: alias },
          );
        } else if (name === 'FIELDS' && typeof param === 'string') {
          addFields(scope, sb, param.toUpperCase(), q.limit, at);
        } else if (AGGREGATES.has(name)) {
          fail(scope, at, 'MALFORMED_QUERY', 'Aggregate functions cannot be used in a subquery');
        } else {
          fail(scope, at, 'MALFORMED_QUERY', `${item.functionName}() is not supported by this org`);
        }
        break;
      }
      case 'FieldSubquery':
        sb.addChild(item, compileChild);
        break;
      case 'FieldTypeof':
        sb.addTypeof(item);
        break;
    }
  }
  return sb.build();
}

/** FIELDS(ALL|STANDARD|CUSTOM): every field the user can read; ALL and CUSTOM need LIMIT <= 200 like Salesforce. */
function addFields(scope: Scope, sb: SelectBuilder, which: string, limit: number | undefined, at: number): void {
  if (which !== 'ALL' && which !== 'STANDARD' && which !== 'CUSTOM')
    fail(scope, at, 'MALFORMED_QUERY', `unexpected token: '${which}'`);
  if (which !== 'STANDARD' && (limit === undefined || limit > FIELDS_LIMIT)) {
    fail(scope, at, 'MALFORMED_QUERY', `The SOQL FIELDS function must have a LIMIT of at most ${FIELDS_LIMIT}`);
  }
  for (const field of scope.object.fields) {
    if (which === 'CUSTOM' && !field.custom) continue;
    if (which === 'STANDARD' && field.custom) continue;
    if (!scope.r.access.canReadField(scope.object.name, field.name)) continue;
    sb.addRef(scope.r.field(scope.object.name, field.name, at), at, { dedupe: true });
  }
}

function compileCount(scope: Scope, q: Query): Plan {
  const rows = compileRows(scope, q);
  return {
    run(env) {
      return { totalSize: runRows({ ...rows, order: [] }, candidates(rows, env), env).length, records: [] };
    },
  };
}

/** Parent-to-child subquery `(SELECT ... FROM Contacts)`. */
function compileChild(parent: Scope, sub: Subquery): (rec: SObjectRecord, env: Env) => ChildResult {
  const { r } = parent;
  const at = r.nextSubquery();
  const rel = r.schema.childRelationship(parent.object.name, sub.relationshipName);
  const child = rel ? r.schema.object(rel.childSObject) : undefined;
  if (!rel || !child || !r.access.canReadObject(child.name) || !r.access.canReadField(child.name, rel.field)) {
    fail(
      parent,
      locate(r.soql, sub.relationshipName, at),
      'INVALID_TYPE',
      messages.relationshipInFrom(sub.relationshipName),
    );
  }
  const scope: Scope = { r, object: child, alias: undefined, from: at };
  checkClauses(scope, sub);
  if (sub.groupBy || sub.having || (sub.fields ?? []).some(isAggregateItem)) {
    fail(scope, at, 'MALFORMED_QUERY', 'Aggregate functions cannot be used in a subquery');
  }
  const shape = compileSelect(scope, sub);
  const rows = compileRows(scope, sub);
  const lookup = child.fields.find((f) => f.name.toLowerCase() === rel.field.toLowerCase())?.name ?? rel.field;
  return (parentRec, env) => {
    const list = env.childrenOf(child.name, lookup, parentRec.Id);
    const records = runRows(rows, list, env).map((rec) => shape(rec, env));
    return records.length === 0 ? null : { totalSize: records.length, done: true, records };
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

export { compileRows, compileSelect, type RowPlan };
