import type { DescribeField, DescribeIndex } from '../describe.ts';
import { normalizeId, STANDARD_KEY_PREFIXES } from './ids.ts';
import { parseDate, parseDateTime, parseTime } from './temporal.ts';
import type { Parsed } from './temporal.ts';

const TEXT_TYPES = new Set(['string', 'textarea', 'encryptedstring', 'combobox']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on', 'checked']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'unchecked']);
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Converts one non-null LLM-provided value to the field's describe type, or says precisely why it cannot. */
export function coerceValue(value: unknown, field: DescribeField, index?: DescribeIndex): Parsed<unknown> {
  const type = field.type;
  if (TEXT_TYPES.has(type)) return withinLength(asText(value), field);
  if (NUMBER_TYPES.has(type)) return number(value, field);
  switch (type) {
    case 'picklist':
      return picklist(value, field);
    case 'multipicklist':
      return multiPicklist(value, field);
    case 'boolean':
      return boolean(value);
    case 'date':
      return textThen(value, parseDate);
    case 'datetime':
      return textThen(value, parseDateTime);
    case 'time':
      return textThen(value, parseTime);
    case 'reference':
      return reference(value, field, index);
    case 'email':
      return email(value, field);
    case 'phone':
      return phone(value, field);
    case 'url':
      return url(value, field);
    default:
      return { ok: false, message: `fields of type '${type}' cannot be set by the agent` };
  }
}

function asText(value: unknown): Parsed<string> {
  if (typeof value === 'string') return { ok: true, value };
  if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
  if (typeof value === 'boolean') return { ok: true, value: String(value) };
  return { ok: false, message: `expected text, got ${describeValue(value)}` };
}

function textThen(value: unknown, parse: (text: string) => Parsed<string>): Parsed<string> {
  const text = asText(value);
  return text.ok ? parse(text.value) : text;
}

function withinLength(text: Parsed<string>, field: DescribeField): Parsed<string> {
  if (!text.ok) return text;
  if (field.length > 0 && text.value.length > field.length) {
    return { ok: false, message: `is ${text.value.length} characters; the maximum is ${field.length}` };
  }
  return text;
}

function number(value: unknown, field: DescribeField): Parsed<number> {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    // Accept what people write for money and percentages: "$1,250.50", "7.5%", "1 000".
    const cleaned = value
      .trim()
      .replace(/^[$€£¥]\s*/, '')
      .replace(/\s*%$/, '')
      .replace(/(\d)[,\s](?=\d{3}\b)/g, '$1');
    if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(cleaned))
      return { ok: false, message: `'${value}' is not a number` };
    if (value.trim().endsWith('%') && field.type !== 'percent')
      return { ok: false, message: `'${value}' is a percentage; this field is ${field.type}` };
    n = Number(cleaned);
  } else return { ok: false, message: `expected a number, got ${describeValue(value)}` };
  if (!Number.isFinite(n)) return { ok: false, message: 'is not a finite number' };
  if (field.type === 'int' || field.type === 'long') {
    if (!Number.isSafeInteger(n)) return { ok: false, message: `${n} is not a whole number` };
    if (field.digits > 0 && Math.abs(n) >= 10 ** field.digits)
      return { ok: false, message: `${n} has more than ${field.digits} digits` };
    return { ok: true, value: n };
  }
  // Salesforce rounds to the field's scale on save; do it here so the recorded value is the stored one.
  const rounded = field.scale >= 0 ? Number(n.toFixed(Math.min(field.scale, 20))) : n;
  const integerDigits = field.precision - field.scale;
  if (field.precision > 0 && Math.abs(Math.trunc(rounded)) >= 10 ** integerDigits) {
    return { ok: false, message: `${n} is too large: at most ${integerDigits} digits before the decimal point` };
  }
  return { ok: true, value: rounded };
}

function activeValues(field: DescribeField): string[] {
  return field.picklistValues.filter((entry) => entry.active).map((entry) => entry.value);
}

function matchPicklist(text: string, field: DescribeField): string | undefined {
  const wanted = text.trim().toLowerCase();
  const entry = field.picklistValues.find(
    (candidate) =>
      candidate.active && (candidate.value.toLowerCase() === wanted || candidate.label?.toLowerCase() === wanted),
  );
  return entry?.value;
}

function picklist(value: unknown, field: DescribeField): Parsed<string> {
  const text = asText(value);
  if (!text.ok) return text;
  const match = matchPicklist(text.value, field);
  if (match !== undefined) return { ok: true, value: match };
  if (field.restrictedPicklist || field.picklistValues.length > 0) {
    return {
      ok: false,
      message: `'${text.value}' is not an allowed value; use one of: ${activeValues(field).join(', ')}`,
    };
  }
  return withinLength(text, field);
}

function multiPicklist(value: unknown, field: DescribeField): Parsed<string> {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') items = value.split(';');
  else return { ok: false, message: `expected a list of values, got ${describeValue(value)}` };
  const result: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return { ok: false, message: `expected text values, got ${describeValue(item)}` };
    if (item.trim() === '') continue;
    const match = matchPicklist(item, field);
    if (match === undefined) {
      return {
        ok: false,
        message: `'${item.trim()}' is not an allowed value; use any of: ${activeValues(field).join(', ')}`,
      };
    }
    if (!result.includes(match)) result.push(match);
  }
  return withinLength({ ok: true, value: result.join(';') }, field);
}

function boolean(value: unknown): Parsed<boolean> {
  if (typeof value === 'boolean') return { ok: true, value };
  const word = typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : undefined;
  if (word !== undefined && TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (word !== undefined && FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, message: `expected true or false, got ${describeValue(value)}` };
}

function reference(value: unknown, field: DescribeField, index?: DescribeIndex): Parsed<string> {
  if (typeof value !== 'string') return { ok: false, message: `expected a record ID, got ${describeValue(value)}` };
  const id = normalizeId(value.trim());
  if (!id.ok) return { ok: false, message: `'${value}' is not a record ID: ${id.message}` };
  const prefix = id.id.slice(0, 3);
  const expected = field.referenceTo.map((target) => index?.object(target)?.keyPrefix ?? STANDARD_KEY_PREFIXES[target]);
  if (expected.some((known) => known === prefix)) return { ok: true, value: id.id };
  if (expected.every((known) => known)) {
    return {
      ok: false,
      message: `'${value}' is not an ID of ${field.referenceTo.join(' or ')} (expected prefix ${expected.join(' or ')})`,
    };
  }
  // Unknown prefixes (custom objects without their describe) cannot be verified, so the value is refused, not trusted.
  return { ok: false, message: `cannot verify that '${value}' is an ID of ${field.referenceTo.join(' or ')}` };
}

function email(value: unknown, field: DescribeField): Parsed<string> {
  const text = asText(value);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  if (!EMAIL.test(trimmed)) return { ok: false, message: `'${trimmed}' is not an email address` };
  return withinLength({ ok: true, value: trimmed }, field);
}

function phone(value: unknown, field: DescribeField): Parsed<string> {
  const text = asText(value);
  if (!text.ok) return text;
  const trimmed = text.value.trim();
  const digits = trimmed.replace(/\D/g, '').length;
  if (!/^\+?[\d\s().-]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?$/i.test(trimmed) || digits < 7 || digits > 20) {
    return { ok: false, message: `'${trimmed}' is not a phone number` };
  }
  return withinLength({ ok: true, value: trimmed }, field);
}

function url(value: unknown, field: DescribeField): Parsed<string> {
  const text = asText(value);
  if (!text.ok) return text;
  let trimmed = text.value.trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && /^[\w-]+(\.[\w-]+)+(?:[/?#:]|$)/.test(trimmed))
    trimmed = `https://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return { ok: false, message: `'${text.value.trim()}' is not a URL` };
  }
  // javascript:, data: and file: URLs render as links in Salesforce; only web links are accepted.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, message: `'${text.value.trim()}' must be an http or https URL` };
  }
  return withinLength({ ok: true, value: trimmed }, field);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
