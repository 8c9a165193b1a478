/**
 * The validation half of DML: which fields a user may write, value coercion, lookups, required and unique
 * checks. Error codes and texts follow wire doc §2.5–2.6; choices the doc leaves open are noted inline.
 */
import { coerceFieldValue } from './field-values.ts';
import { isRequiredOnCreate } from './field-factory.ts';
import { ApiError } from './model.ts';
import type { FieldDef, ObjectDef, SObjectRecord, UserAccess } from './model.ts';
import type { MemoryRecordStore } from './record-store.ts';
import type { OrgSchema } from './schema.ts';

/** Audit fields a seed (system mode) may set explicitly, as with Salesforce's "Set Audit Fields" permission. */
const AUDIT_FIELDS = new Set(['createddate', 'createdbyid', 'lastmodifieddate', 'lastmodifiedbyid']);

export type DmlMode = 'create' | 'update';

export interface DmlActor {
  access: UserAccess;
  /** Seed loading: no CRUD/FLS/sharing checks, audit fields writable. */
  system: boolean;
}

export function noSuchColumn(objectName: string, fieldName: string): ApiError {
  return new ApiError(400, 'INVALID_FIELD', `No such column '${fieldName}' on sobject of type ${objectName}`);
}

/** A deleted record addressed by update or delete (a save error: `fields: []`). */
export function entityIsDeleted(): ApiError {
  return new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
}

export function notFound(): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/**
 * Save errors (a DML operation's `Error`: statusCode, message, fields) always carry `fields`, empty when no field is to
 * blame (SOAP API Developer Guide, "Error" data type; REST returns the same entries as `{message, errorCode, fields}`).
 * Request-level errors (NOT_FOUND, MALFORMED_QUERY, INVALID_SESSION_ID, ...) have no `fields` key.
 */
const NO_FIELDS: string[] = [];

/**
 * Object-level CRUD refusals. Salesforce's exact REST text is unverified; we use the record-level code
 * (INSUFFICIENT_ACCESS_OR_READONLY, 400, like every DML save error) with the SOAP-era "entity type cannot be ..." text.
 */
export function cannotOperate(def: ObjectDef, verb: 'inserted' | 'updated' | 'deleted'): ApiError {
  return new ApiError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', `entity type cannot be ${verb}: ${def.label}`, NO_FIELDS);
}

/** Record-level (sharing) refusal. */
export function insufficientAccess(): ApiError {
  return new ApiError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', NO_FIELDS);
}

/**
 * Resolves the body's keys to fields and coerces their values. Unknown or hidden fields → INVALID_FIELD;
 * visible but not writable fields → one INVALID_FIELD_FOR_INSERT_UPDATE naming all of them.
 */
export function validateFields(
  schema: OrgSchema,
  actor: DmlActor,
  def: ObjectDef,
  body: Record<string, unknown>,
  mode: DmlMode,
): Map<FieldDef, unknown> {
  const accepted: Array<[FieldDef, unknown]> = [];
  const readOnly: string[] = [];
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'attributes') continue;
    const field = schema.field(def.name, key);
    if (!field || (!actor.system && !actor.access.canField(def.name, field.name, 'read')))
      throw noSuchColumn(def.name, key);
    if (field.name === 'Id') {
      if (mode === 'create') throw new ApiError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
      continue; // update: the ID comes from the URL; REST ignores a body Id.
    }
    const writable =
      (mode === 'create' || field.createOnly !== true) &&
      (actor.system
        ? (!field.system || AUDIT_FIELDS.has(field.name.toLowerCase())) && !field.calculated && !field.autoNumber
        : actor.access.canField(def.name, field.name, 'edit'));
    if (!writable) readOnly.push(field.name);
    else accepted.push([field, raw]);
  }
  if (readOnly.length > 0) {
    throw new ApiError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  return new Map(accepted.map(([field, raw]) => [field, coerceFieldValue(field, raw)]));
}

/** Lookups must name an existing record of a referenced type that the user can see (edit it, for master-detail). */
export function checkReferences(
  schema: OrgSchema,
  store: MemoryRecordStore,
  actor: DmlActor,
  values: Map<FieldDef, unknown>,
): void {
  for (const [field, value] of values) {
    if (field.type !== 'reference' || typeof value !== 'string') continue;
    const target = schema.objectForId(value);
    if (!target || !field.referenceTo.some((t) => t.toLowerCase() === target.name.toLowerCase())) {
      throw new ApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [
        field.name,
      ]);
    }
    const entry = store.get(value, { includeDeleted: true });
    if (!entry) {
      throw new ApiError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
    }
    if (entry.record['IsDeleted'] === true)
      throw new ApiError(400, 'ENTITY_IS_DELETED', 'entity is deleted', [field.name]);
    // Only a queue can own records; a public group cannot (Salesforce Help, "Queues").
    if (field.name === 'OwnerId' && target.name === 'Group' && entry.record['Type'] !== 'Queue') {
      throw new ApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [
        field.name,
      ]);
    }
    if (actor.system) continue;
    const needed = field.masterDetail ? 'edit' : 'read';
    if (!actor.access.canRecord(target.name, entry.record, needed)) {
      throw new ApiError(
        400,
        'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        `insufficient access rights on cross-reference id: ${value}`,
        [field.name],
      );
    }
  }
}

/** REQUIRED_FIELD_MISSING for every required field that would end up empty. */
export function checkRequired(def: ObjectDef, record: Record<string, unknown>): void {
  const missing = def.fields.filter(
    (f) => isRequiredOnCreate(f) && (record[f.name] === null || record[f.name] === undefined),
  );
  if (missing.length > 0) {
    const names = missing.map((f) => f.name);
    throw new ApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
  }
}

/** DUPLICATE_VALUE when another live record holds the same value in a unique field. */
export function checkUnique(store: MemoryRecordStore, def: ObjectDef, record: SObjectRecord): void {
  for (const field of def.fields) {
    if (!field.unique) continue;
    const value = record[field.name];
    if (value === null || value === undefined || value === '') continue;
    const clash = store.findByIndexedField(def, field.name, value).find((r) => r.Id !== record.Id);
    if (clash) {
      throw new ApiError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${field.name} duplicates value on record with id: ${clash.Id}`,
        [field.name],
      );
    }
  }
}
