/**
 * Compiles a parsed query into an executable plan: record queries (with child subqueries and semi-joins), COUNT(),
 * and (delegated) aggregate queries. Plans hold only closures over schema decisions; runtime state lives in Env.
 */
import type { Query, QueryBase, Subquery } from '@jetstreamapp/soql-parser-js';
import type { SObjectRecord } from '../org/model.ts';
import { compileAggregate } from './aggregate.ts';
import type { Env } from './env.ts';
import { AGGREGATES, isAggregateItem, itemAlias, itemPath } from './fields.ts';
import { countNotKeywords } from './condition-tree.ts';
import { locate, locateKeyword, messages, queryError } from './query-error.ts';
import type { Resolver } from './resolve.ts';
import { candidates, checkClauses, compileRows, runRows } from './rows.ts';
import { fail } from './scope.ts';
import type { Scope } from './scope.ts';
import { SelectBuilder } from './select.ts';
import type { ChildResult, Shaper } from './select.ts';
import type { Plan } from './types.ts';
import { labelMap } from './where.ts';

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
