/**
 * Typed comparison semantics shared by WHERE and HAVING: validates literals against the field type (with
 * Salesforce's error texts) and builds a matcher closure over a raw stored value.
 */
import type { FieldDef } from '../org/model.ts';
import { dateLiteralRange } from './date-literals.ts';
import type { Env } from './env.ts';
import { comparable, dateMs, datetimeMs, idKey, isValidId, likeRegExp, multiSet, unquote } from './values.ts';
import type { ValueKind } from './values.ts';

export type Lit =
  | { t: 'null' }
  | { t: 'value'; v: string | number | boolean; set?: Set<string>; like?: RegExp }
  | { t: 'range'; literal: string; n: number | undefined };

export interface LiteralSpec {
  value?: string | string[];
  literalType?: string | string[];
  dateLiteralVariable?: number | number[];
}

/** Raises an error at the condition; provided by the caller so it can point the caret at the right token. */
export type Fail = (errorCode: string, message: string) => never;

export type Matcher = (raw: unknown, env: Env) => boolean;

const ALLOWED: Record<ValueKind, readonly string[]> = {
  text: ['STRING'],
  multi: ['STRING'],
  id: ['STRING'],
  number: ['INTEGER', 'DECIMAL'],
  boolean: ['BOOLEAN'],
  date: ['DATE', 'DATE_LITERAL', 'DATE_N_LITERAL'],
  datetime: ['DATETIME', 'DATE_LITERAL', 'DATE_N_LITERAL'],
  time: [],
};

function typeName(kind: ValueKind, field: FieldDef): string {
  switch (kind) {
    case 'number':
      return field.type === 'int' ? 'int' : 'double';
    case 'datetime':
      return 'dateTime';
    case 'multi':
      return 'multipicklist';
    case 'text':
      return 'string';
    default:
      return kind;
  }
}

const QUOTED: ReadonlySet<ValueKind> = new Set(['text', 'multi', 'id', 'time']);

export function parseLiterals(
  spec: LiteralSpec,
  kind: ValueKind,
  field: FieldDef,
  path: string,
  op: string,
  fail: Fail,
): Lit[] {
  const values = Array.isArray(spec.value) ? spec.value : spec.value === undefined ? [] : [spec.value];
  const types = Array.isArray(spec.literalType)
    ? spec.literalType
    : values.map(() => spec.literalType as string | undefined);
  const ns = Array.isArray(spec.dateLiteralVariable)
    ? spec.dateLiteralVariable
    : values.map(() => spec.dateLiteralVariable as number | undefined);
  const isLike = op === 'LIKE';
  return values.map((value, i) => {
    const type = (types[i] ?? types[0] ?? 'STRING').toUpperCase();
    if (type === 'NULL') return { t: 'null' } as const;
    if (!ALLOWED[kind].includes(type)) {
      const quoted = QUOTED.has(kind);
      fail(
        'INVALID_FIELD',
        `value of filter criterion for field '${path}' must be of type ${typeName(kind, field)} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
      );
    }
    switch (type) {
      case 'STRING': {
        const text = unquote(value, isLike);
        if (kind === 'id' && !isLike) {
          if (!isValidId(text)) fail('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${text}`);
          return { t: 'value', v: idKey(text) };
        }
        if (isLike) return { t: 'value', v: text, like: likeRegExp(text) };
        if (kind === 'multi') return { t: 'value', v: text.toLowerCase(), set: multiSet(text) };
        return { t: 'value', v: text.toLowerCase() };
      }
      case 'INTEGER':
      case 'DECIMAL':
        return { t: 'value', v: Number(value) };
      case 'BOOLEAN':
        return { t: 'value', v: value.toUpperCase() === 'TRUE' };
      case 'DATE':
        return { t: 'value', v: dateMs(value) };
      case 'DATETIME': {
        const ms = datetimeMs(value);
        if (Number.isNaN(ms)) fail('MALFORMED_QUERY', `invalid dateTime: ${value}`);
        return { t: 'value', v: ms };
      }
      default: {
        const n = ns[i] ?? ns[0];
        if (dateLiteralRange(value, n, new Date(0)) === undefined)
          fail('MALFORMED_QUERY', `unexpected token: '${value}'`);
        return { t: 'range', literal: value.replace(/:.*$/, '').toUpperCase(), n };
      }
    }
  });
}

function inRange(c: number, lit: Extract<Lit, { t: 'range' }>, env: Env): boolean {
  const r = env.dateRange(lit.literal, lit.n);
  return c >= r.start && c < r.end;
}

/** Equality of a normalized value against one literal (null handled by the caller). */
function equals(kind: ValueKind, raw: unknown, lit: Lit, env: Env): boolean {
  if (lit.t === 'null') return raw === null || raw === undefined || raw === '';
  if (kind === 'multi') {
    const have = multiSet(raw);
    const want = lit.t === 'value' ? (lit.set ?? new Set<string>()) : new Set<string>();
    if (have.size === 0 || have.size !== want.size) return false;
    for (const w of want) if (!have.has(w)) return false;
    return true;
  }
  const c = comparable(kind, raw === '' ? null : raw);
  if (c === null) return false;
  if (lit.t === 'range') return typeof c === 'number' && inRange(c, lit, env);
  return c === lit.v;
}

function ordered(kind: ValueKind, op: string, raw: unknown, lit: Lit, env: Env): boolean {
  const c = comparable(kind, raw === '' ? null : raw);
  if (c === null || lit.t === 'null') return false;
  if (lit.t === 'range') {
    if (typeof c !== 'number') return false;
    const r = env.dateRange(lit.literal, lit.n);
    switch (op) {
      case '<':
        return c < r.start;
      case '<=':
        return c < r.end;
      case '>':
        return c >= r.end;
      default:
        return c >= r.start;
    }
  }
  const v = lit.v;
  switch (op) {
    case '<':
      return c < v;
    case '<=':
      return c <= v;
    case '>':
      return c > v;
    default:
      return c >= v;
  }
}

function includes(raw: unknown, lits: Lit[]): boolean {
  const have = multiSet(raw);
  return lits.some((lit) => {
    if (lit.t !== 'value' || !lit.set || lit.set.size === 0) return false;
    for (const w of lit.set) if (!have.has(w)) return false;
    return true;
  });
}

/** Operator/type compatibility, checked before the literals (Salesforce reports the operator first). */
export function checkOperator(kind: ValueKind, op: string, fieldName: string, fail: Fail): void {
  if ((op === '<' || op === '<=' || op === '>' || op === '>=') && (kind === 'boolean' || kind === 'multi')) {
    fail(
      'INVALID_QUERY_FILTER_OPERATOR',
      `invalid operator on ${kind === 'multi' ? 'multipicklist' : kind} field: ${fieldName}`,
    );
  }
  if (op === 'LIKE' && kind !== 'text')
    fail('INVALID_QUERY_FILTER_OPERATOR', `invalid operator on field: ${fieldName}`);
  if ((op === 'INCLUDES' || op === 'EXCLUDES') && kind !== 'multi') {
    fail('INVALID_QUERY_FILTER_OPERATOR', 'includes or excludes operator only valid on multipicklist field');
  }
}

export function buildMatcher(kind: ValueKind, op: string, lits: Lit[], fieldName: string, fail: Fail): Matcher {
  checkOperator(kind, op, fieldName, fail);
  const single = (): Lit => {
    if (lits.length !== 1) fail('MALFORMED_QUERY', `unexpected token: '('`);
    return lits[0]!;
  };
  switch (op) {
    case '=': {
      const lit = single();
      return (raw, env) => equals(kind, raw, lit, env);
    }
    case '!=': {
      const lit = single();
      return (raw, env) => !equals(kind, raw, lit, env);
    }
    case 'IN':
      return (raw, env) =>
        lits.some((lit) => lit.t !== 'null' && equals(kind, raw, lit, env)) ||
        (lits.some((l) => l.t === 'null') && (raw === null || raw === undefined));
    case 'NOT IN':
      return (raw, env) => !lits.some((lit) => equals(kind, raw, lit, env));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const lit = single();
      return (raw, env) => ordered(kind, op, raw, lit, env);
    }
    case 'LIKE': {
      const lit = single();
      const re = lit.t === 'value' ? lit.like : undefined;
      if (!re) return () => false;
      return (raw) => raw !== null && raw !== undefined && re.test(String(raw));
    }
    case 'INCLUDES':
    case 'EXCLUDES': {
      return op === 'INCLUDES' ? (raw) => includes(raw, lits) : (raw) => !includes(raw, lits);
    }
    default:
      return fail('MALFORMED_QUERY', `unexpected token: '${op}'`);
  }
}
