import { composeQuery } from '@jetstreamapp/soql-parser-js';
import type { FieldType, Query } from '@jetstreamapp/soql-parser-js';

/**
 * The query text that will actually run: composed from the checked AST (so what runs is what was checked), with
 * LIMIT added or lowered to `rowCap` on the top-level query and on every child subquery. Semi-join subqueries are
 * left alone (they return no rows, and SOQL does not accept LIMIT there).
 *
 * `WITH SECURITY_ENFORCED` / `WITH USER_MODE` are dropped: soql-parser-js 6.3.1 composes them after LIMIT, which
 * Salesforce rejects, and REST queries always run with the token user's FLS and sharing anyway.
 */
export function applyRowCap(ast: Query, rowCap: number): string {
  const copy = capped(ast, rowCap);
  delete copy.withSecurityEnforced;
  delete copy.withAccessLevel;
  return composeQuery(copy);
}

/**
 * Copies only the objects on the way to each LIMIT (the query and its child subqueries) and shares the rest with the
 * cached AST, untouched. A deep clone would recurse through WHERE, a linked list one node per condition: a 2,000-term
 * OR chain overflowed the stack in `structuredClone`.
 */
function capped<T extends { limit?: number; fields?: FieldType[] }>(query: T, rowCap: number): T {
  const copy = { ...query };
  if (copy.limit === undefined || copy.limit > rowCap) copy.limit = rowCap;
  if (copy.fields) {
    copy.fields = copy.fields.map((field) =>
      field.type === 'FieldSubquery' ? { ...field, subquery: capped(field.subquery, rowCap) } : field,
    );
  }
  return copy;
}
