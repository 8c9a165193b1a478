/**
 * What a logged error may say. An error's message can echo the data that caused it: the org's error text quotes field
 * values ("invalid email address: …", "duplicate value found: … duplicates value …"), and a tool or library error can
 * carry whatever it was given. Logs are outside Salesforce, so they keep the error's shape (type, code, category,
 * field names, stack frames) and lose the values: the org's own text is withheld whole, and every other message and
 * stack has the PII patterns of the masker replaced by their type.
 */
import pino from 'pino';
import { BUILTIN_DETECTORS, detectAll } from './governance/pii/detectors.ts';

const MAX_CAUSES = 8;

/** A SalesforceError (src/salesforce/rest-client.ts): its message is the org's text; `errorCode` and `fields` are safe. */
type OrgError = Error & { errorCode: string; fields?: unknown };

function isOrgError(value: unknown): value is OrgError {
  return value instanceof Error && typeof (value as { errorCode?: unknown }).errorCode === 'string';
}

/** Replaces each PII value the masker's built-in detectors find with `[TYPE]` (one way: logs keep no tokens). */
export function maskPatterns(text: string): string {
  const found = detectAll(text, BUILTIN_DETECTORS);
  if (found.length === 0) return text;
  let out = '';
  let cursor = 0;
  for (const detection of found) {
    out += `${text.slice(cursor, detection.start)}[${detection.type}]`;
    cursor = detection.end;
  }
  return out + text.slice(cursor);
}

function withheld(error: OrgError): string {
  const fields =
    Array.isArray(error.fields) && error.fields.length > 0
      ? ` on ${error.fields.filter((field) => typeof field === 'string').join(', ')}`
      : '';
  return `[org error text withheld: ${error.errorCode}${fields}]`;
}

function cleanDeep(value: unknown, clean: (text: string) => string): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((item) => cleanDeep(item, clean));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanDeep(item, clean)]));
  return value;
}

/** pino's error serializer, then the org's text (in the error and its causes) withheld and PII patterns masked. */
export function redactedError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? maskPatterns(err) : err;
  const replacements: Array<[string, string]> = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSES; depth++, current = current.cause) {
    if (isOrgError(current) && current.message.trim() !== '') replacements.push([current.message, withheld(current)]);
  }
  const clean = (text: string): string =>
    maskPatterns(replacements.reduce((out, [from, to]) => out.split(from).join(to), text));
  return cleanDeep(pino.stdSerializers.err(err), clean);
}
