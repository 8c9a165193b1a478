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
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      values: {},
      errors: [{ field: '(object)', message: 'field values must be an object of field name to value' }],
    };
  }
  const result: CoercionResult = { values: {}, errors: [] };
  try {
    checkObject(describe, operation, result.errors);
    const pass = new CoercionPass(describe, operation, options, result);
    for (const [name, raw] of Object.entries(input)) pass.checkField(name, raw);
    pass.checkRequired();
  } catch (error) {
    result.errors.push({
      field: '(object)',
      message: `internal error while checking field values: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return result;
}

/** The user must be allowed to create (or edit) records of the object at all. */
function checkObject(describe: DescribeSObject, operation: WriteOperation, errors: CoercionError[]): void {
  const allowedOnObject = operation === 'create' ? describe.createable : describe.updateable;
  if (!allowedOnObject) {
    errors.push({ field: '(object)', message: `You do not have permission to ${operation} ${describe.name} records.` });
  }
}

/** One call of `coerceFields`: adds to its result, and knows which describe fields were already given. */
class CoercionPass {
  private readonly values: Record<string, unknown>;
  private readonly errors: CoercionError[];
  private readonly byName: Map<string, DescribeField>;
  /** Canonical field name → the name the model wrote. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly describe: DescribeSObject,
    private readonly operation: WriteOperation,
    private readonly options: CoercionOptions,
    result: CoercionResult,
  ) {
    this.values = result.values;
    this.errors = result.errors;
    this.byName = new Map(describe.fields.map((field) => [field.name.toLowerCase(), field]));
  }

  /** One field as the model wrote it: known → given once → writable → empty or coerced to the field's type. */
  checkField(name: string, raw: unknown): void {
    const field = this.byName.get(name.toLowerCase());
    if (!field) return this.unknownField(name);
    const previous = this.seen.get(field.name);
    if (previous !== undefined) {
      this.errors.push({
        field: name,
        message: `Field '${name}' is given twice (also as '${previous}'); give it once.`,
      });
      return;
    }
    this.seen.set(field.name, name);
    if (!this.writable(field)) {
      const verb = this.operation === 'create' ? 'set when creating' : 'changed when updating';
      this.errors.push({
        field: name,
        message: `Field '${field.name}' on ${this.describe.name} is read-only for you and cannot be ${verb} a record.`,
      });
      return;
    }
    if (raw === null || raw === undefined || raw === '') return this.emptyValue(name, field);
    const coerced = coerceValue(raw, field, this.options.index);
    if (coerced.ok) this.values[field.name] = coerced.value;
    else this.errors.push({ field: name, message: `Field '${field.name}' (${field.type}): ${coerced.message}.` });
  }

  /** A create must give every field that is required and has no default (booleans default to false). */
  checkRequired(): void {
    const { describe } = this;
    if (this.operation !== 'create' || !describe.createable) return;
    for (const field of describe.fields) {
      const required = !field.nillable && field.createable && !field.defaultedOnCreate && field.type !== 'boolean';
      if (required && !this.seen.has(field.name)) {
        this.errors.push({
          field: field.name,
          message: `Field '${field.name}' is required to create a ${describe.name}.`,
        });
      }
    }
  }

  private writable(field: DescribeField): boolean {
    return this.operation === 'create' ? field.createable : field.updateable;
  }

  private unknownField(name: string): void {
    const suggestions = closeMatches(
      name,
      this.describe.fields.filter((field) => this.writable(field)).map((candidate) => candidate.name),
    );
    const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
    this.errors.push({
      field: name,
      message: `Field '${name}' does not exist on ${this.describe.name} or you cannot access it.${hint}`,
    });
  }

  private emptyValue(name: string, field: DescribeField): void {
    if (!field.nillable && field.type !== 'boolean') {
      this.errors.push({ field: name, message: `Field '${field.name}' is required and cannot be empty.` });
    } else this.values[field.name] = field.type === 'boolean' ? false : null;
  }
}
