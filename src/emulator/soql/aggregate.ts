/**
 * Aggregate queries: GROUP BY, COUNT/COUNT_DISTINCT/SUM/AVG/MIN/MAX with aliases (or expr0, expr1 ...), HAVING and
 * ORDER BY over groups. Rows are `{attributes: {type: 'AggregateResult'}, ...}`.
 */
import type { FieldType as SelectItem, FunctionExp, Query, QueryBase } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, SObjectRecord } from '../org/model.ts';
import type { CondTree } from './condition-tree.ts';
import type { Env } from './env.ts';
import { buildMatcher, parseLiterals } from './filter.ts';
import type { Fail, LiteralSpec } from './filter.ts';
import { AGGREGATES, itemAlias, itemPath } from './fields.ts';
import { sortKey, sortRows, sortValueFor } from './order.ts';
import type { SortKey } from './order.ts';
import { locate, locateKeyword } from './query-error.ts';
import { candidates, compileRows, runRows } from './rows.ts';
import type { FieldRef } from './resolve.ts';
import { syntheticField } from './resolve.ts';
import { fail } from './scope.ts';
import type { Scope } from './scope.ts';
import type { Plan } from './types.ts';
import { comparable, formatterFor, kindOf } from './values.ts';
import type { ValueKind } from './values.ts';
import { compileTree, toTree } from './where.ts';

interface Group {
  rep: SObjectRecord;
  rows: SObjectRecord[];
}

interface Aggregate {
  /** Lowercased `FN(path)` used to match HAVING/ORDER BY against SELECT. */
  key: string;
  kind: ValueKind;
  field: FieldDef;
  compute: (rows: readonly SObjectRecord[], env: Env) => unknown;
  format: (v: unknown) => unknown;
}

interface Output {
  key: string;
  value: (g: Group, env: Env) => unknown;
}

const COUNT_FIELD = syntheticField('expr', 'int');

function compileAggregateFn(scope: Scope, fn: FunctionExp, at: number): Aggregate {
  const name = (fn.functionName ?? '').toUpperCase();
  const param = fn.parameters?.[0];
  if (!AGGREGATES.has(name))
    fail(scope, at, 'MALFORMED_QUERY', `${fn.functionName ?? ''}() is not supported by this org`);
  if (param === undefined) {
    if (name !== 'COUNT') fail(scope, at, 'MALFORMED_QUERY', `unexpected token: ')'`);
    return { key: 'count()', kind: 'number', field: COUNT_FIELD, compute: (rows) => rows.length, format: (v) => v };
  }
  if (typeof param !== 'string')
    fail(scope, at, 'MALFORMED_QUERY', `nested functions are not supported: ${fn.rawValue ?? name}`);
  const ref = scope.r.field(scope.object.name, param, at, scope.alias);
  const key = `${name}(${ref.key})`.toLowerCase();
  const get = ref.get;
  const values = (rows: readonly SObjectRecord[], env: Env): unknown[] =>
    rows.map((r) => get(r, env)).filter((v) => v !== null && v !== undefined && v !== '');
  const numeric = ref.kind === 'number';
  switch (name) {
    case 'COUNT':
      return {
        key,
        kind: 'number',
        field: COUNT_FIELD,
        compute: (rows, env) => values(rows, env).length,
        format: (v) => v,
      };
    case 'COUNT_DISTINCT':
      return {
        key,
        kind: 'number',
        field: COUNT_FIELD,
        compute: (rows, env) => new Set(values(rows, env).map((v) => comparable(ref.kind, v))).size,
        format: (v) => v,
      };
    case 'SUM':
    case 'AVG': {
      if (!numeric)
        fail(scope, at, 'MALFORMED_QUERY', `field ${ref.field.name} does not support aggregate operator ${name}`);
      const compute = (rows: readonly SObjectRecord[], env: Env): number | null => {
        const nums = values(rows, env).map((v) => comparable('number', v) as number);
        if (nums.length === 0) return null;
        const sum = nums.reduce((a, b) => a + b, 0);
        return name === 'SUM' ? sum : sum / nums.length;
      };
      return { key, kind: 'number', field: syntheticField('expr', 'double'), compute, format: (v) => v };
    }
    default: {
      if (ref.kind === 'boolean' || ref.kind === 'multi') {
        fail(scope, at, 'MALFORMED_QUERY', `field ${ref.field.name} does not support aggregate operator ${name}`);
      }
      const rank = sortValueFor(ref.field);
      const compute = (rows: readonly SObjectRecord[], env: Env): unknown => {
        let best: unknown = null;
        let bestKey: string | number | boolean | null = null;
        for (const v of values(rows, env)) {
          const c = rank(v);
          if (c === null) continue;
          if (bestKey === null || (name === 'MIN' ? c < bestKey : c > bestKey)) {
            best = v;
            bestKey = c;
          }
        }
        return best;
      };
      return { key, kind: ref.kind, field: ref.field, compute, format: formatterFor(ref.field) };
    }
  }
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Resolves a field reference that must be one of the GROUP BY fields (SELECT, HAVING and ORDER BY use it). */
type Grouped = (ref: FieldRef, at: number) => FieldRef;
/** An aggregate function in HAVING or ORDER BY: the SELECT list's own when it has the same one. */
type AggregateFor = (fn: FunctionExp, at: number) => Aggregate;
/** A SELECT item's unformatted value by its lower-cased alias (ORDER BY may name an alias). */
type Aliases = Map<string, (g: Group, env: Env) => unknown>;

export function compileAggregate(scope: Scope, q: Query): Plan {
  const base: QueryBase = {};
  if (q.where) base.where = q.where;
  if (q.usingScope) base.usingScope = q.usingScope;
  const rowsPlan = compileRows(scope, base);
  const groupRefs = compileGroupBy(scope, q);
  const grouped: Grouped = (ref, at) => {
    const match = groupRefs.find((g) => g.key === ref.key);
    if (!match) fail(scope, at, 'MALFORMED_QUERY', `Field must be grouped or aggregated: ${ref.field.name}`);
    return match;
  };
  const aggregates = new Map<string, Aggregate>();
  const { outputs, aliases } = compileOutputs(scope, q, grouped, aggregates);
  const aggregateFor: AggregateFor = (fn, at) => {
    const agg = compileAggregateFn(scope, fn, at);
    return aggregates.get(agg.key) ?? agg;
  };
  const having = q.having ? compileHaving(scope, q.having, grouped, aggregateFor) : null;
  const order = compileGroupOrder(scope, q, grouped, aggregateFor, aliases);

  const limit = q.limit;
  const offset = q.offset ?? 0;
  return {
    run(env) {
      const rows = runRows(rowsPlan, candidates(rowsPlan, env), env);
      let groups = groupRows(rows, groupRefs, env);
      if (having) groups = groups.filter((g) => having(g, env));
      groups = sortRows(groups, order, env);
      groups = groups.slice(offset, limit === undefined ? undefined : offset + limit);
      const records = groups.map((g) => {
        const rec: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
        for (const o of outputs) rec[o.key] = o.value(g, env);
        return rec;
      });
      return { totalSize: records.length, records };
    },
  };
}

/** GROUP BY: plain fields only, and none of them multi-select picklists. */
function compileGroupBy(scope: Scope, q: Query): FieldRef[] {
  const { r, object } = scope;
  const groupAt = Math.max(locateKeyword(r.soql, 'GROUP', scope.from), scope.from);
  const groupRefs: FieldRef[] = [];
  for (const g of list(q.groupBy)) {
    if (!('field' in g) || g.field === undefined) {
      fail(
        scope,
        groupAt,
        'MALFORMED_QUERY',
        `GROUP BY ${'fn' in g ? (g.fn.functionName ?? '') : ''} is not supported by this org`,
      );
    }
    const ref = r.field(object.name, g.field, groupAt, scope.alias);
    if (ref.kind === 'multi')
      fail(
        scope,
        locate(r.soql, g.field, groupAt),
        'INVALID_FIELD',
        `field '${ref.field.name}' can not be grouped in a query call`,
      );
    groupRefs.push(ref);
  }
  return groupRefs;
}

/** The SELECT list: each item's key (its alias, `exprN` for an unaliased aggregate, or the field name). */
function compileOutputs(
  scope: Scope,
  q: Query,
  grouped: Grouped,
  aggregates: Map<string, Aggregate>,
): { outputs: Output[]; aliases: Aliases } {
  const outputs: Output[] = [];
  const aliases: Aliases = new Map();
  let exprIndex = 0;
  for (const item of q.fields ?? []) {
    const alias = itemAlias(item);
    const out = compileOutput(scope, item, grouped, aggregates);
    const key = alias ?? (out.isAggregate ? `expr${exprIndex++}` : out.name);
    outputs.push({ key, value: out.value });
    if (alias) aliases.set(alias.toLowerCase(), out.raw);
  }
  return { outputs, aliases };
}

type HavingLeaf = LiteralSpec & { fn?: FunctionExp; field?: string; operator: string };

/** HAVING: conditions on aggregates or on grouped fields. */
function compileHaving(
  scope: Scope,
  clause: NonNullable<Query['having']>,
  grouped: Grouped,
  aggregateFor: AggregateFor,
): (g: Group, env: Env) => boolean {
  const { r, object } = scope;
  const havingAt = Math.max(locateKeyword(r.soql, 'HAVING', scope.from), scope.from);
  const tree = toTree<HavingLeaf>(scope, clause, 'HAVING');
  return compileTree(tree as CondTree<HavingLeaf>, (leaf) => {
    const at = locate(r.soql, leaf.fn?.functionName ?? leaf.field ?? 'HAVING', havingAt);
    const failHere: Fail = (code, message) => fail(scope, at, code, message);
    const op = leaf.operator.toUpperCase();
    if (leaf.fn) {
      const agg = aggregateFor(leaf.fn, at);
      const match = buildMatcher(
        agg.kind,
        op,
        parseLiterals(leaf, agg.kind, agg.field, leaf.fn.rawValue ?? '', op, failHere),
        agg.field.name,
        failHere,
      );
      return (g, env) => match(agg.compute(g.rows, env), env);
    }
    const ref = grouped(r.field(object.name, leaf.field ?? '', havingAt, scope.alias), at);
    const match = buildMatcher(
      ref.kind,
      op,
      parseLiterals(leaf, ref.kind, ref.field, leaf.field ?? '', op, failHere),
      ref.field.name,
      failHere,
    );
    return (g, env) => match(ref.get(g.rep, env), env);
  });
}

/** ORDER BY over groups: an aggregate, a SELECT alias (unless a field has that name), or a grouped field. */
function compileGroupOrder(
  scope: Scope,
  q: Query,
  grouped: Grouped,
  aggregateFor: AggregateFor,
  aliases: Aliases,
): Array<SortKey<Group>> {
  const { r, object } = scope;
  const orderAt = Math.max(locateKeyword(r.soql, 'ORDER', scope.from), scope.from);
  const order: Array<SortKey<Group>> = [];
  for (const item of list(q.orderBy)) {
    if ('fn' in item && item.fn) {
      const agg = aggregateFor(item.fn, orderAt);
      order.push(sortKey((g, env) => comparable(agg.kind, agg.compute(g.rows, env)), item.order, item.nulls));
      continue;
    }
    const path = 'field' in item ? (item.field ?? '') : '';
    const aliased = aliases.get(path.toLowerCase());
    if (aliased && !object.fields.some((f) => f.name.toLowerCase() === path.toLowerCase())) {
      order.push(sortKey((g, env) => sortable(aliased(g, env)), item.order, item.nulls));
      continue;
    }
    const ref = grouped(r.field(object.name, path, orderAt, scope.alias), locate(r.soql, path, orderAt));
    const value = sortValueFor(ref.field);
    order.push(sortKey((g, env) => value(ref.get(g.rep, env)), item.order, item.nulls));
  }
  return order;
}

function sortable(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v).toLowerCase();
}

function compileOutput(
  scope: Scope,
  item: SelectItem,
  grouped: Grouped,
  aggregates: Map<string, Aggregate>,
): {
  isAggregate: boolean;
  name: string;
  value: (g: Group, env: Env) => unknown;
  raw: (g: Group, env: Env) => unknown;
} {
  const { r, object } = scope;
  if (item.type === 'Field' || item.type === 'FieldRelationship') {
    const path = itemPath(item);
    const at = locate(r.soql, path, scope.from);
    const ref = grouped(r.field(object.name, path, scope.from, scope.alias), at);
    const fmt = formatterFor(ref.field);
    const raw = (g: Group, env: Env): unknown => ref.get(g.rep, env);
    return { isAggregate: false, name: ref.field.name, value: (g, env) => fmt(raw(g, env)), raw };
  }
  if (item.type === 'FieldFunctionExpression' && AGGREGATES.has(item.functionName.toUpperCase())) {
    const at = locate(r.soql, item.functionName, scope.from);
    const agg = compileAggregateFn(scope, item, at);
    aggregates.set(agg.key, agg);
    const raw = (g: Group, env: Env): unknown => agg.compute(g.rows, env);
    return { isAggregate: true, name: '', value: (g, env) => agg.format(raw(g, env)), raw };
  }
  const at =
    item.type === 'FieldSubquery'
      ? scope.from
      : locate(r.soql, 'functionName' in item ? item.functionName : item.field, scope.from);
  return fail(scope, at, 'MALFORMED_QUERY', 'This expression cannot be used in an aggregate query');
}

function groupRows(rows: readonly SObjectRecord[], refs: readonly FieldRef[], env: Env): Group[] {
  if (refs.length === 0) return [{ rep: rows[0] ?? ({ Id: '' } as SObjectRecord), rows: [...rows] }];
  const groups = new Map<string, Group>();
  for (const rec of rows) {
    const key = JSON.stringify(refs.map((ref) => comparable(kindOf(ref.field.type), ref.get(rec, env))));
    const g = groups.get(key);
    if (g) g.rows.push(rec);
    else groups.set(key, { rep: rec, rows: [rec] });
  }
  return [...groups.values()];
}
