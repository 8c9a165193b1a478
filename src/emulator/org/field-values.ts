/**
 * Validates and normalises one incoming field value the way the REST API does: JSON type mismatches are
 * JSON_PARSER_ERROR; well-typed but invalid values get the field-specific codes (STRING_TOO_LONG, ...).
 * Stored forms: dates `YYYY-MM-DD`, datetimes `YYYY-MM-DDTHH:mm:ss.SSS+0000`, times `HH:mm:ss.SSSZ`, IDs 18 chars.
 */
import { canonicalId } from './ids.ts';
import { ApiError } from './model.ts';
import type { FieldDef } from './model.ts';

function jsonToken(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value !== null && typeof value === 'object') return 'START_OBJECT';
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (typeof value === 'number') return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  return 'VALUE_STRING';
}

function parserError(javaType: string, value: unknown): ApiError {
  const shown =
    typeof value === 'object' && value !== null ? jsonToken(value).replace('START_', '').toLowerCase() : String(value);
  return new ApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from ${jsonToken(value)} value ${shown} or request may be missing a required field`,
  );
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2024-01-02T03:04:05.000+0000`, the REST API's datetime format. */
export function formatDateTime(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+0000`
  );
}

export function formatDate(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

function parseDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return formatDate(date) === `${m[1]}-${m[2]}-${m[3]}` ? formatDate(date) : undefined;
}

function parseDateTime(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
    return undefined;
  let normalized = text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (/^\d{4}-\d{2}-\d{2}$/.test(normalized)) normalized += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:\d{2})$/.test(normalized)) normalized += 'Z';
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : formatDateTime(new Date(ms));
}

function parseTime(text: string): string | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return undefined;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '0').padEnd(3, '0')}Z`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function toText(field: FieldDef, value: unknown): string | null {
  if (typeof value === 'object' && value !== null) throw parserError('String', value);
  const text = String(value);
  if (text === '') return null;
  if (field.length > 0 && text.length > field.length) {
    const shown = text.length > 20 ? `${text.slice(0, 20)}...` : text;
    throw new ApiError(
      400,
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${shown} (max length=${field.length})`,
      [field.name],
    );
  }
  return text;
}

function checkPicklist(field: FieldDef, value: string): void {
  if (!field.restrictedPicklist) return;
  if (!field.picklistValues.some((v) => v.active && v.value === value)) {
    throw new ApiError(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    );
  }
}

function toNumber(field: FieldDef, value: unknown): number {
  const javaType = field.type === 'int' ? 'int' : 'double';
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) n = Number(value);
  else throw parserError(javaType, value);
  if (!Number.isFinite(n) || (field.type === 'int' && !Number.isInteger(n))) throw parserError(javaType, value);
  if (field.precision > 0) {
    const rounded = Number(n.toFixed(field.scale));
    if (Math.abs(Math.trunc(rounded)).toString().length > field.precision - field.scale && Math.trunc(rounded) !== 0) {
      throw new ApiError(
        400,
        'NUMBER_OUTSIDE_VALID_RANGE',
        `${field.label}: value outside of valid range on numeric field: ${n}`,
        [field.name],
      );
    }
    return rounded;
  }
  return n;
}

/**
 * The stored value for `value` on `field`, or an ApiError. References are only checked for shape here; the
 * DML layer checks the target exists and is visible. null/'' clear the field (checkboxes become false).
 */
export function coerceFieldValue(field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return field.type === 'boolean' ? false : null;
  switch (field.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw parserError('boolean', value);
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return toNumber(field, value);
    case 'date': {
      const parsed = typeof value === 'string' ? parseDate(value) : undefined;
      if (parsed === undefined) throw parserError('date', value);
      return parsed;
    }
    case 'datetime': {
      const parsed = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (parsed === undefined) throw parserError('datetime', value);
      return parsed;
    }
    case 'time': {
      const parsed = typeof value === 'string' ? parseTime(value) : undefined;
      if (parsed === undefined) throw parserError('time', value);
      return parsed;
    }
    case 'id':
    case 'reference': {
      if (typeof value !== 'string') throw parserError('String', value);
      if (value === '') return null;
      const id = canonicalId(value);
      if (id === undefined) {
        throw new ApiError(400, 'MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [field.name]);
      }
      return id;
    }
    case 'picklist': {
      const text = toText(field, value);
      if (text !== null) checkPicklist(field, text);
      return text;
    }
    case 'multipicklist': {
      const text = toText(field, value);
      if (text === null) return null;
      const parts = text
        .split(';')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      for (const part of parts) checkPicklist(field, part);
      return parts.join(';');
    }
    case 'email': {
      const text = toText(field, value);
      if (text !== null && !EMAIL.test(text)) {
        throw new ApiError(400, 'INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, [
          field.name,
        ]);
      }
      return text;
    }
    default:
      return toText(field, value);
  }
}
