/** Value semantics: how stored values compare, how literals parse, and how values are rendered in REST results. */
import type { FieldDef, FieldType } from '../org/model.ts';

export type ValueKind = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'multi' | 'time';

export function kindOf(type: FieldType): ValueKind {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    case 'multipicklist':
      return 'multi';
    default:
      return 'text';
  }
}

const ID_SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function isValidId(value: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value);
}

/** 15- or 18-character ID to its case-insensitive 18-character form (lowercased for comparisons). */
export function idKey(value: string): string {
  if (value.length !== 15) return value.toLowerCase();
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = value.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += ID_SUFFIX[bits];
  }
  return (value + suffix).toLowerCase();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` (or a longer ISO string) to UTC midnight milliseconds; NaN when unparsable. */
export function dateMs(value: string): number {
  const m = DATE_RE.exec(value.slice(0, 10));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
}

export function datetimeMs(value: string): number {
  // Salesforce's own format `+0000` is not understood by Date.parse: add the colon.
  const iso = /[+-]\d{4}$/.test(value) ? `${value.slice(0, -2)}:${value.slice(-2)}` : value;
  return Date.parse(iso);
}

/** A stored value normalized for comparison, or null. Strings are lowercased: SOQL text comparison ignores case. */
export function comparable(kind: ValueKind, raw: unknown): string | number | boolean | null {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return raw === true || raw === 'true';
    case 'date': {
      const ms = raw instanceof Date ? raw.getTime() : dateMs(String(raw));
      return Number.isNaN(ms) ? null : ms;
    }
    case 'datetime': {
      const ms = raw instanceof Date ? raw.getTime() : datetimeMs(String(raw));
      return Number.isNaN(ms) ? null : ms;
    }
    case 'id':
      return idKey(String(raw));
    default:
      return String(raw).toLowerCase();
  }
}

/** Multipicklist value as a set of lowercased selections. */
export function multiSet(raw: unknown): Set<string> {
  if (raw === null || raw === undefined || raw === '') return new Set();
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(';');
  return new Set(parts.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Salesforce's REST datetime rendering: `2026-03-01T12:00:00.000+0000`. */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export type Formatter = (raw: unknown) => unknown;

/** How a stored value of this field appears in a query result. */
export function formatterFor(field: FieldDef): Formatter {
  switch (kindOf(field.type)) {
    case 'datetime':
      return (raw) => {
        if (raw === null || raw === undefined) return null;
        const ms = comparable('datetime', raw) as number | null;
        return ms === null ? raw : formatDatetime(ms);
      };
    case 'date':
      return (raw) => {
        if (raw === null || raw === undefined) return null;
        const ms = comparable('date', raw) as number | null;
        return ms === null ? raw : formatDate(ms);
      };
    case 'number':
      return (raw) => (raw === null || raw === undefined ? null : comparable('number', raw));
    case 'boolean':
      return (raw) => (raw === null || raw === undefined ? false : raw === true || raw === 'true');
    case 'multi':
      return (raw) =>
        raw === null || raw === undefined || raw === '' ? null : Array.isArray(raw) ? raw.join(';') : raw;
    default:
      return (raw) => (raw === undefined ? null : raw);
  }
}

/** Unquotes a SOQL string literal. LIKE keeps `\%` and `\_` escaped so the pattern compiler can see them. */
export function unquote(literal: string, keepLikeEscapes = false): string {
  const body = literal.startsWith("'") && literal.endsWith("'") && literal.length >= 2 ? literal.slice(1, -1) : literal;
  return body.replace(/\\(.)/g, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case '%':
      case '_':
        return keepLikeEscapes ? `\\${c}` : c;
      default:
        return c;
    }
  });
}

/** Compiles a LIKE pattern (`%`, `_`, `\%`, `\_`) into an anchored case-insensitive RegExp. */
export function likeRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      out += pattern[++i];
    } else if (c === '%') out += '[\\s\\S]*';
    else if (c === '_') out += '[\\s\\S]';
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

/** 15-character ID to its 18-character form, case preserved (18-character IDs pass through). */
export function to18(value: string): string {
  if (value.length !== 15) return value;
  const lower = idKey(value);
  return value + lower.slice(15).toUpperCase();
}
