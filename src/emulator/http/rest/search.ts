/**
 * `GET /search?q=FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Obj(fields [WHERE …] [ORDER BY …] [LIMIT n]), …]
 * [LIMIT n]` (REST API Developer Guide, "Search"; SOQL and SOSL Reference, "SOSL Syntax"). Runs as the token's user:
 * each RETURNING object is read through the SOQL engine (so CRUD, FLS and sharing apply and a hidden field in the
 * field list is INVALID_FIELD), and a record matches when one of its searchable text fields the user can read holds
 * every search word (`*` and `?` wildcards; a quoted phrase must appear as written). The answer is
 * `{searchRecords: [...]}`. Not emulated: stemming, synonyms, OR/AND NOT operators, SNIPPET, WITH clauses, search
 * indexing delay.
 */
import { ApiError } from '../../org/model.ts';
import type { FieldDef, ObjectDef } from '../../org/model.ts';
import { isSetupObject } from '../../org/standard-objects.ts';
import { json, type RouteResult } from '../respond.ts';
import type { RestContext, RestRequest } from './context.ts';

const DEFAULT_LIMIT = 2000;
const malformed = (message: string): ApiError => new ApiError(400, 'MALFORMED_SEARCH', message);

type Scope = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE';
interface Returning {
  object: string;
  fields: string[];
  /** Everything after the field list inside the parentheses (WHERE / ORDER BY / LIMIT), passed to SOQL as written. */
  tail: string;
}

/** Splits on commas outside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseReturning(spec: string): Returning {
  const match = /^(\w+)\s*(?:\((.*)\))?$/s.exec(spec);
  if (!match) throw malformed(`unexpected token in RETURNING: ${spec}`);
  const inner = (match[2] ?? '').trim();
  const clause = /\b(WHERE|ORDER\s+BY|LIMIT)\b/i.exec(inner);
  const fieldText = clause ? inner.slice(0, clause.index) : inner;
  return {
    object: match[1] ?? '',
    fields: fieldText
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    tail: clause ? inner.slice(clause.index) : '',
  };
}

export function parseSosl(text: string): { term: string; scope: Scope; returning: Returning[] | null; limit: number } {
  const match =
    /^\s*FIND\s*\{((?:[^}\\]|\\.)*)\}\s*(?:IN\s+(ALL|NAME|EMAIL|PHONE)\s+FIELDS\s*)?(?:RETURNING\s+(.*?))?\s*(?:LIMIT\s+(\d+))?\s*$/is.exec(
      text,
    );
  if (!match) throw malformed('unexpected token: the search must be FIND {term} [IN … FIELDS] [RETURNING …] [LIMIT n]');
  const term = (match[1] ?? '').replace(/\\(.)/g, '$1').trim();
  if (term.replace(/[*?"]/g, '').length < 2) throw malformed('search term must be longer than one character');
  return {
    term,
    scope: (match[2] ?? 'ALL').toUpperCase() as Scope,
    returning: match[3] ? splitTop(match[3]).map(parseReturning) : null,
    limit: match[4] ? Math.min(Number(match[4]), DEFAULT_LIMIT) : DEFAULT_LIMIT,
  };
}

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist']);

function searchable(field: FieldDef, scope: Scope): boolean {
  if (scope === 'NAME') return field.nameField;
  if (scope === 'EMAIL') return field.type === 'email';
  if (scope === 'PHONE') return field.type === 'phone';
  return TEXT_TYPES.has(field.type) || field.nameField;
}

/** One predicate per search word (or quoted phrase); a record matches when every one finds a field. */
function matchers(term: string): Array<(value: string) => boolean> {
  const words = term.match(/"[^"]*"|\S+/g) ?? [];
  return words.map((word) => {
    if (word.startsWith('"')) {
      const phrase = word.slice(1, -1).toLowerCase();
      return (value: string) => value.toLowerCase().includes(phrase);
    }
    const pattern = new RegExp(
      `^${word
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    return (value: string) =>
      value.split(/[^\p{L}\p{N}@.+-]+/u).some((token) => pattern.test(token)) || pattern.test(value);
  });
}

function searchableObjects(ctx: RestContext): ObjectDef[] {
  return ctx.org.schema
    .objects()
    .filter(
      (def) =>
        (def.kind === 'custom' || def.kind === 'standard') &&
        !isSetupObject(def.name) &&
        def.shareOf === undefined &&
        ctx.access.canObject(def.name, 'read'),
    );
}

export function searchRoute(req: RestRequest, ctx: RestContext): RouteResult {
  const q = req.query.get('q');
  if (q === null || q.trim() === '') throw malformed('A search string has to be specified');
  const { term, scope, returning, limit } = parseSosl(q);
  const tests = matchers(term);
  const targets =
    returning ?? searchableObjects(ctx).map((def) => ({ object: def.name, fields: [] as string[], tail: '' }));
  const out: Array<Record<string, unknown>> = [];
  for (const target of targets) {
    const def = ctx.org.schema.object(target.object);
    if (!def || !ctx.access.canObject(def.name, 'read'))
      throw malformed(`sObject type '${target.object}' is not supported.`);
    const fields = target.fields.length > 0 ? target.fields : ['Id'];
    const soql = `SELECT ${fields.includes('Id') || fields.some((f) => f.toLowerCase() === 'id') ? '' : 'Id, '}${fields.join(', ')} FROM ${def.name} ${target.tail}`;
    const rows = ctx.org.query(ctx.access, soql.trim(), { apiVersion: ctx.apiVersion }).records;
    const readable = def.fields.filter((f) => searchable(f, scope) && ctx.access.canField(def.name, f.name, 'read'));
    for (const row of rows) {
      const stored = ctx.org.store.get(String(row.Id))?.record;
      if (!stored) continue;
      const values = readable.map((f) => stored[f.name]).filter((v): v is string => typeof v === 'string' && v !== '');
      if (!tests.every((test) => values.some(test))) continue;
      if (!fields.some((f) => f.toLowerCase() === 'id')) delete row.Id;
      out.push(row);
      if (out.length >= limit) return json(200, { searchRecords: out });
    }
  }
  return json(200, { searchRecords: out });
}
