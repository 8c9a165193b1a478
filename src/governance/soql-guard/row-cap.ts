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
  const copy = structuredClone(ast);
  delete copy.withSecurityEnforced;
  delete copy.withAccessLevel;
  capQuery(copy, rowCap);
  return composeQuery(copy);
}

function capQuery(query: { limit?: number; fields?: FieldType[] }, rowCap: number): void {
  if (query.limit === undefined || query.limit > rowCap) query.limit = rowCap;
  for (const field of query.fields ?? []) {
    if (field.type === 'FieldSubquery') capQuery(field.subquery, rowCap);
  }
}
