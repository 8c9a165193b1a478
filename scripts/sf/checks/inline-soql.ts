/**
 * apex-ls does not check field names inside inline SOQL (`[SELECT Missing__c FROM X__c]`), so this check
 * extracts every inline query from Apex, parses it with soql-parser-js and resolves each field path against
 * the package's object metadata. Unknown custom objects or fields fail; standard objects are trusted except for
 * custom (`__c`) fields, which this package never adds to them.
 */
import { readFileSync } from 'node:fs';
import {
  parseQuery,
  type Query,
  type WhereClause,
  type HavingClause,
  type FieldType,
} from '@jetstreamapp/soql-parser-js';
import { systemFields, type ObjectMeta } from '../lib/metadata.ts';
import type { CheckIssue } from './types.ts';

export interface InlineQuery {
  soql: string;
  line: number;
}

/** Every `[SELECT ...]` in Apex source, skipping comments and string literals. */
export function extractInlineSoql(source: string): InlineQuery[] {
  const found: InlineQuery[] = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '\n') line++;
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      line += countLines(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "'") {
      i = skipString(source, i);
      continue;
    }
    if (c === '[' && /^\[\s*select\b/i.test(source.slice(i, i + 20))) {
      const end = matchingBracket(source, i);
      const soql = source.slice(i + 1, end).trim();
      found.push({ soql, line });
      line += countLines(source.slice(i, end));
      i = end + 1;
      continue;
    }
    i++;
  }
  return found;
}

const countLines = (s: string): number => s.split('\n').length - 1;

function skipString(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== "'") i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

function matchingBracket(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === "'") {
      i = skipString(source, i) - 1;
    } else if (source[i] === '[') depth++;
    else if (source[i] === ']' && --depth === 0) return i;
  }
  return source.length;
}

interface Resolver {
  objects: Map<string, ObjectMeta>;
}

function fieldNames(o: ObjectMeta): Map<string, string | null> {
  const names = new Map<string, string | null>();
  for (const name of Object.keys(systemFields(o))) names.set(name.toLowerCase(), null);
  for (const f of o.fields) names.set(f.name.toLowerCase(), f.referenceTo);
  return names;
}

/** Resolve `A__r.B__c` (or `Owner.Name`) from an object; returns an error message or null. */
function checkPath(r: Resolver, objectName: string, path: string): string | null {
  const parts = path.split('.');
  let current = objectName;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] ?? '';
    const meta = r.objects.get(current.toLowerCase());
    const last = k === parts.length - 1;
    if (!meta) {
      // A standard object: the package adds no custom fields or relationships to it.
      return /__[cr]$/i.test(part) ? `Unknown custom field ${part} on standard object ${current}` : null;
    }
    const names = fieldNames(meta);
    if (last) return names.has(part.toLowerCase()) ? null : `Unknown field ${part} on ${meta.name}`;
    const lookup = part.toLowerCase().endsWith('__r') ? `${part.slice(0, -3)}__c` : `${part}Id`;
    if (!names.has(lookup.toLowerCase())) return `Unknown relationship ${part} on ${meta.name}`;
    const target = names.get(lookup.toLowerCase());
    current = target ?? 'User';
  }
  return null;
}

function childObject(r: Resolver, parent: string, relationshipName: string): string | null {
  for (const o of r.objects.values()) {
    for (const f of o.fields) {
      if (
        f.referenceTo?.toLowerCase() === parent.toLowerCase() &&
        `${f.relationshipName}__r`.toLowerCase() === relationshipName.toLowerCase()
      ) {
        return o.name;
      }
    }
  }
  return null;
}

function checkQuery(r: Resolver, q: Query, objectName: string, errors: string[]): void {
  const custom = /__[ce]$/i.test(objectName);
  if (custom && !r.objects.has(objectName.toLowerCase())) {
    errors.push(`Unknown object ${objectName}`);
    return;
  }
  const check = (path: string): void => {
    const error = checkPath(r, objectName, path);
    if (error) errors.push(error);
  };
  for (const field of q.fields ?? []) checkField(r, field, objectName, check, errors);
  checkWhere(r, q.where, check, errors);
  checkWhere(r, q.having, check, errors);
  for (const order of [q.orderBy ?? []].flat()) if ('field' in order && order.field) check(order.field);
  for (const group of [q.groupBy ?? []].flat()) if ('field' in group && group.field) check(group.field);
}

function checkField(
  r: Resolver,
  field: FieldType,
  objectName: string,
  check: (p: string) => void,
  errors: string[],
): void {
  if (field.type === 'Field') check(field.field);
  else if (field.type === 'FieldRelationship') check([...field.relationships, field.field].join('.'));
  else if (field.type === 'FieldSubquery') {
    const sub = field.subquery;
    const child = childObject(r, objectName, sub.relationshipName);
    if (child) checkQuery(r, sub as Query, child, errors);
    else if (r.objects.has(objectName.toLowerCase()) || /__r$/i.test(sub.relationshipName)) {
      errors.push(`Unknown child relationship ${sub.relationshipName} on ${objectName}`);
    }
  } else if (field.type === 'FieldFunctionExpression') {
    for (const p of field.parameters ?? [])
      if (typeof p === 'string' && /^[A-Za-z][\w.]*$/.test(p) && !/^(ALL|CUSTOM|STANDARD)$/i.test(p)) check(p);
  }
}

function checkWhere(
  r: Resolver,
  where: WhereClause | HavingClause | undefined,
  check: (p: string) => void,
  errors: string[],
): void {
  let node: WhereClause | HavingClause | undefined = where;
  while (node) {
    const left = node.left as { field?: string; valueQuery?: Query } | null;
    if (left?.field) check(left.field);
    if (left?.valueQuery?.sObject) checkQuery(r, left.valueQuery, left.valueQuery.sObject, errors);
    node = 'right' in node ? node.right : undefined;
  }
}

/** Check every inline query in these Apex files against the object metadata. */
export function checkInlineSoql(files: string[], objects: ObjectMeta[]): CheckIssue[] {
  const resolver: Resolver = { objects: new Map(objects.map((o) => [o.name.toLowerCase(), o])) };
  const issues: CheckIssue[] = [];
  for (const file of files) {
    for (const { soql, line } of extractInlineSoql(readFileSync(file, 'utf8'))) {
      let query: Query;
      try {
        query = parseQuery(soql, { allowApexBindVariables: true });
      } catch (error) {
        issues.push({ tool: 'inline-soql', file, line, message: `SOQL does not parse: ${(error as Error).message}` });
        continue;
      }
      const errors: string[] = [];
      checkQuery(resolver, query, query.sObject ?? '', errors);
      for (const message of errors) issues.push({ tool: 'inline-soql', file, line, message });
    }
  }
  return issues;
}
