/** Shared helpers over soql-parser-js SELECT items. */
import type { FieldType as SelectItem } from '@jetstreamapp/soql-parser-js';

export const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

/** The dotted path of a Field / FieldRelationship item as written (without any FROM alias prefix). */
export function itemPath(item: SelectItem): string {
  if (item.type === 'Field') return item.field;
  if (item.type === 'FieldRelationship') return [...item.relationships, item.field].join('.');
  return '';
}

export function isAggregateItem(item: SelectItem): boolean {
  return item.type === 'FieldFunctionExpression' && AGGREGATES.has(item.functionName.toUpperCase());
}

export function itemAlias(item: SelectItem): string | undefined {
  return 'alias' in item && typeof item.alias === 'string' ? item.alias : undefined;
}
