/**
 * Salesforce-formatted query errors: a newline, a slice of the SOQL around the offending token, a caret line,
 * `ERROR at Row:R:Column:C`, then the detail text. Column and row are 1-based.
 */
import { ApiError } from '../org/model.ts';

const CONTEXT_BEFORE = 20;
const CONTEXT_AFTER = 80;

export function queryError(soql: string, offset: number, errorCode: string, detail: string): ApiError {
  return new ApiError(400, errorCode, caretExcerpt(soql, offset) + detail);
}

export function caretExcerpt(soql: string, rawOffset: number): string {
  const offset = Math.max(0, Math.min(rawOffset, soql.length));
  const lineStart = soql.lastIndexOf('\n', offset - 1) + 1;
  const nl = soql.indexOf('\n', offset);
  const lineEnd = nl < 0 ? soql.length : nl;
  let row = 1;
  for (let i = 0; i < lineStart; i++) if (soql.charCodeAt(i) === 10) row++;
  // Salesforce shows a few tokens of context before the error, starting on a token boundary.
  let start = Math.max(lineStart, offset - CONTEXT_BEFORE);
  if (start > lineStart && /\S/.test(soql[start - 1] ?? '')) {
    while (start < offset && /\S/.test(soql[start] ?? '')) start++;
    while (start < offset && /\s/.test(soql[start] ?? '')) start++;
  }
  let end = Math.min(lineEnd, offset + CONTEXT_AFTER);
  if (end < lineEnd) {
    const space = soql.lastIndexOf(' ', end);
    if (space > offset) end = space;
  }
  const slice = soql.slice(start, end).replace(/\s+$/, '');
  return `\n${slice}\n${' '.repeat(offset - start)}^\nERROR at Row:${row}:Column:${offset - lineStart + 1}\n`;
}

interface Token {
  text: string;
  start: number;
}

/** Identifier-like tokens (dotted paths included) outside string literals. */
function tokens(soql: string): Token[] {
  const out: Token[] = [];
  const re = /'(?:[^'\\]|\\.)*'?|[A-Za-z0-9_.:$-]+|\S/g;
  for (let m = re.exec(soql); m; m = re.exec(soql)) {
    if (m[0].startsWith("'")) continue;
    out.push({ text: m[0], start: m.index });
  }
  return out;
}

/**
 * Offset of the first token spelling `needle` (case-insensitive) at or after `from`; a dotted path that starts with it
 * also matches. Falls back to `from` so an error is always reported somewhere sensible.
 */
export function locate(soql: string, needle: string, from = 0): number {
  const want = needle.toLowerCase();
  const all = tokens(soql).filter((t) => t.start >= from);
  const exact = all.find((t) => t.text.toLowerCase() === want);
  if (exact) return exact.start;
  const prefix = all.find((t) => t.text.toLowerCase().startsWith(`${want}.`));
  if (prefix) return prefix.start;
  const inner = all.find((t) => t.text.toLowerCase().includes(`.${want}`));
  if (inner) return inner.start + inner.text.toLowerCase().indexOf(`.${want}`) + 1;
  return from;
}

/** Offset of a keyword such as `WHERE` (outside literals), or -1. */
export function locateKeyword(soql: string, keyword: string, from = 0): number {
  const want = keyword.toLowerCase();
  const hit = tokens(soql).find((t) => t.start >= from && t.text.toLowerCase() === want);
  return hit ? hit.start : -1;
}

export const messages = {
  noSuchColumn: (field: string, entity: string): string =>
    `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  unsupportedType: (name: string): string =>
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  relationshipInPath: (name: string): string =>
    `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
  relationshipInFrom: (name: string): string =>
    `Didn't understand relationship '${name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
};
