import { closeMatches } from '../describe.ts';
import type { DescribeField, DescribeIndex, DescribeSObject } from '../describe.ts';
import { coerceValue } from './scalars.ts';

export { normalizeId, idSuffix, STANDARD_KEY_PREFIXES } from './ids.ts';
export { parseDate, parseDateTime, parseTime } from './temporal.ts';

export type WriteOperation = 'create' | 'update';

export interface CoercionError {
  /** The field name as the model wrote it, or `(object)` for object-level refusals. */
  field: string;
  /** A message written for the model: what is wrong and what it can do instead. */
  message: string;
}

export interface CoercionResult {
  /** Coerced values keyed by canonical field API name. Only meaningful when `errors` is empty. */
  values: Record<string, unknown>;
  errors: CoercionError[];
}

export interface CoercionOptions {
  /** The user's describe index, used to verify key prefixes of IDs for custom-object lookups. */
  index?: DescribeIndex;
}

/**
 * Converts LLM-provided field values to the types of the user's describe. Unknown or hidden fields, fields the user
 * cannot create or edit, and values that do not fit are each reported as an error; nothing is silently dropped.
 */
export function coerceFields(
  input: Record<string, unknown>,
  describe: DescribeSObject,
  operation: WriteOperation,
  options: CoercionOptions = {},
): CoercionResult {
  const values: Record<string, unknown> = {};
  const errors: CoercionError[] = [];
  try {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return {
        values: {},
        errors: [{ field: '(object)', message: 'field values must be an object of field name to value' }],
      };
    }
    const allowedOnObject = operation === 'create' ? describe.createable : describe.updateable;
    if (!allowedOnObject) {
      errors.push({
        field: '(object)',
        message: `You do not have permission to ${operation} ${describe.name} records.`,
      });
    }
    const writable = (field: DescribeField): boolean => (operation === 'create' ? field.createable : field.updateable);
    const byName = new Map(describe.fields.map((field) => [field.name.toLowerCase(), field]));
    const seen = new Map<string, string>();
    for (const [name, raw] of Object.entries(input)) {
      const field = byName.get(name.toLowerCase());
      if (!field) {
        const suggestions = closeMatches(
          name,
          describe.fields.filter(writable).map((candidate) => candidate.name),
        );
        const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
        errors.push({
          field: name,
          message: `Field '${name}' does not exist on ${describe.name} or you cannot access it.${hint}`,
        });
        continue;
      }
      const previous = seen.get(field.name);
      if (previous !== undefined) {
        errors.push({ field: name, message: `Field '${name}' is given twice (also as '${previous}'); give it once.` });
        continue;
      }
      seen.set(field.name, name);
      if (!writable(field)) {
        const verb = operation === 'create' ? 'set when creating' : 'changed when updating';
        errors.push({
          field: name,
          message: `Field '${field.name}' on ${describe.name} is read-only for you and cannot be ${verb} a record.`,
        });
        continue;
      }
      if (raw === null || raw === undefined || raw === '') {
        if (!field.nillable && field.type !== 'boolean') {
          errors.push({ field: name, message: `Field '${field.name}' is required and cannot be empty.` });
        } else values[field.name] = field.type === 'boolean' ? false : null;
        continue;
      }
      const coerced = coerceValue(raw, field, options.index);
      if (coerced.ok) values[field.name] = coerced.value;
      else errors.push({ field: name, message: `Field '${field.name}' (${field.type}): ${coerced.message}.` });
    }
    if (operation === 'create' && describe.createable) {
      for (const field of describe.fields) {
        const required = !field.nillable && field.createable && !field.defaultedOnCreate && field.type !== 'boolean';
        if (required && !seen.has(field.name)) {
          errors.push({
            field: field.name,
            message: `Field '${field.name}' is required to create a ${describe.name}.`,
          });
        }
      }
    }
  } catch (error) {
    errors.push({
      field: '(object)',
      message: `internal error while checking field values: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return { values, errors };
}
