/**
 * Single-record DML with Salesforce's error semantics (wire doc §2.5–2.6). Unknown and unreadable objects are
 * 404 NOT_FOUND, as the REST resource paths (`/sobjects/{Type}`) answer; collections map codes themselves.
 */
import {
  cannotOperate,
  checkReferences,
  checkRequired,
  checkUnique,
  entityIsDeleted,
  insufficientAccess,
  notFound,
  validateFields,
} from './dml-checks.ts';
import type { DmlActor } from './dml-checks.ts';
import { enforceValidationRules } from './validation-rules.ts';
import { formatDate, formatDateTime } from './field-values.ts';
import { IdGenerator, canonicalId, malformedId } from './ids.ts';
import { ApiError, MultipleChoicesError } from './model.ts';
import type { EventSink, FieldDef, ObjectDef, SObjectRecord } from './model.ts';
import type { MemoryRecordStore } from './record-store.ts';
import { rollupValue } from './rollups.ts';
import type { ChildLookup } from './rollups.ts';
import type { OrgSchema } from './schema.ts';
import { Sharing } from './sharing.ts';
import { COMPUTED_NAMES } from './standard-objects.ts';

export interface DmlEnvironment {
  schema: OrgSchema;
  store: MemoryRecordStore;
  now(): Date;
  eventSink(): EventSink | undefined;
}

export class DmlEngine {
  private ids = new IdGenerator();
  private autoNumbers = new Map<string, number>();
  /** Share rows: `X__Share` DML, the Owner rows kept with each record, and the access rows grant. */
  readonly sharing: Sharing;

  constructor(private readonly env: DmlEnvironment) {
    this.sharing = new Sharing({
      schema: env.schema,
      store: env.store,
      now: () => env.now(),
      nextId: (prefix) => this.ids.next(prefix),
    });
  }

  /** Forgets ID and auto-number counters (org reset). */
  resetCounters(): void {
    this.ids = new IdGenerator();
    this.autoNumbers.clear();
  }

  /** Records inserted outside DML (setup objects) took the first n IDs of this prefix. */
  reserveIds(keyPrefix: string, n: number): void {
    this.ids.reserve(keyPrefix, n);
  }

  /** The object as this user may address it; unknown or unreadable → 404 NOT_FOUND. */
  visibleObject(actor: DmlActor, objectName: string): ObjectDef {
    const def = this.env.schema.object(objectName);
    if (!def || (!actor.system && !actor.access.canObject(def.name, 'read'))) throw notFound();
    return def;
  }

  private recordId(def: ObjectDef, id: string): string {
    const canonical = canonicalId(id);
    if (canonical === undefined || canonical.slice(0, 3) !== def.keyPrefix) throw malformedId(id, def.name);
    return canonical;
  }

  create(actor: DmlActor, objectName: string, body: Record<string, unknown>): { id: string; eventUuid?: string } {
    const def = this.visibleObject(actor, objectName);
    if (def.shareOf !== undefined) return { id: this.sharing.create(actor, def, body) };
    if (!actor.system && !actor.access.canObject(def.name, 'create')) throw cannotOperate(def, 'inserted');
    const values = validateFields(this.env.schema, actor, def, body, 'create');
    checkReferences(this.env.schema, this.env.store, actor, values);
    const now = formatDateTime(this.env.now());
    const userId = actor.access.user.id;
    if (def.kind === 'event') return this.publish(def, values, now, userId);

    const record: SObjectRecord = { Id: '' };
    for (const field of def.fields) record[field.name] = this.initialValue(field);
    for (const [field, value] of values) record[field.name] = value;
    checkRequired(def, record);
    Object.assign(record, {
      IsDeleted: false,
      CreatedDate: record['CreatedDate'] ?? now,
      CreatedById: record['CreatedById'] ?? userId,
      LastModifiedDate: record['LastModifiedDate'] ?? now,
      LastModifiedById: record['LastModifiedById'] ?? userId,
      SystemModstamp: now,
    });
    if (def.hasOwner && record['OwnerId'] == null) record['OwnerId'] = userId;
    this.validate(def, record, undefined, actor);
    this.computeName(def, record);
    checkUnique(this.env.store, def, record);
    // Auto-numbers and the ID are issued last so failed inserts leave no gaps in seeded data.
    for (const field of def.fields) if (field.autoNumber) record[field.name] = this.autoNumber(def, field);
    record.Id = this.ids.next(def.keyPrefix);
    this.env.store.insert(def, record);
    this.sharing.afterInsert(def, record);
    return { id: record.Id };
  }

  private initialValue(field: FieldDef): unknown {
    if (field.system || field.calculated || field.autoNumber) return field.type === 'boolean' ? false : null;
    const value = field.defaultValue;
    if (value === 'TODAY()') return formatDate(this.env.now());
    if (value === 'NOW()') return formatDateTime(this.env.now());
    return value ?? null;
  }

  private computeName(def: ObjectDef, record: SObjectRecord): void {
    const compute = COMPUTED_NAMES[def.name.toLowerCase()];
    if (compute) record['Name'] = compute(record);
  }

  private autoNumber(def: ObjectDef, field: FieldDef): string {
    const key = `${def.name}.${field.name}`.toLowerCase();
    const n = this.autoNumbers.get(key) ?? field.startingNumber ?? 1;
    this.autoNumbers.set(key, n + 1);
    const now = this.env.now();
    return (field.displayFormat ?? '{0}')
      .replace(/\{(0+)\}/g, (_m, zeros: string) => String(n).padStart(zeros.length, '0'))
      .replace(/\{YYYY\}/g, String(now.getUTCFullYear()))
      .replace(/\{YY\}/g, String(now.getUTCFullYear()).slice(2))
      .replace(/\{MM\}/g, String(now.getUTCMonth() + 1).padStart(2, '0'))
      .replace(/\{DD\}/g, String(now.getUTCDate()).padStart(2, '0'));
  }

  private publish(
    def: ObjectDef,
    values: Map<FieldDef, unknown>,
    now: string,
    userId: string,
  ): { id: string; eventUuid: string } {
    const sink = this.env.eventSink();
    if (!sink) throw new ApiError(503, 'SERVICE_UNAVAILABLE', `No event bus is attached: cannot publish ${def.name}`);
    const payload: Record<string, unknown> = {};
    for (const field of def.fields) if (!field.system) payload[field.name] = field.type === 'boolean' ? false : null;
    for (const [field, value] of values) payload[field.name] = value;
    const missing = def.fields.filter(
      (f) => !f.nillable && !f.system && f.type !== 'boolean' && payload[f.name] == null,
    );
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      throw new ApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    payload['CreatedDate'] = now;
    payload['CreatedById'] = userId;
    const { eventUuid } = sink.publish(def.name, payload);
    return { id: this.ids.next(def.keyPrefix), eventUuid };
  }

  /** The object's validation rules, run whoever saves (system context included, as on a data load). */
  private validate(def: ObjectDef, record: SObjectRecord, prior: SObjectRecord | undefined, actor: DmlActor): void {
    if (!def.validationRules?.length) return;
    const user = actor.access.user;
    const profileId = this.env.store.get(user.id)?.record['ProfileId'] ?? null;
    enforceValidationRules(def.validationRules, {
      object: def,
      record,
      prior,
      user: { Id: user.id, ProfileId: profileId, Username: user.username },
    });
  }

  /** Looks a record up for update/delete: malformed → MALFORMED_ID, missing → 404, deleted → ENTITY_IS_DELETED. */
  private existing(def: ObjectDef, id: string): SObjectRecord {
    const canonical = this.recordId(def, id);
    const entry = this.env.store.get(canonical, { includeDeleted: true });
    if (!entry || entry.object !== def) throw notFound();
    if (entry.record['IsDeleted'] === true) throw entityIsDeleted();
    return entry.record;
  }

  update(actor: DmlActor, objectName: string, id: string, body: Record<string, unknown>): void {
    const def = this.visibleObject(actor, objectName);
    if (def.shareOf !== undefined) return this.sharing.update(actor, def, id, body);
    if (def.kind === 'event') throw cannotOperate(def, 'updated');
    if (!actor.system && !actor.access.canObject(def.name, 'edit')) throw cannotOperate(def, 'updated');
    const current = this.existing(def, id);
    if (!actor.system && !actor.access.canRecord(def.name, current, 'edit')) throw insufficientAccess();
    const values = validateFields(this.env.schema, actor, def, body, 'update');
    checkReferences(this.env.schema, this.env.store, actor, values);
    const next: SObjectRecord = { ...current };
    for (const [field, value] of values) next[field.name] = value;
    checkRequired(def, next);
    if (def.hasOwner && next['OwnerId'] == null)
      throw new ApiError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [OwnerId]', ['OwnerId']);
    const now = formatDateTime(this.env.now());
    const auditSet = actor.system && [...values.keys()].some((f) => f.name === 'LastModifiedDate');
    if (!auditSet) next['LastModifiedDate'] = now;
    next['LastModifiedById'] = actor.access.user.id;
    next['SystemModstamp'] = now;
    this.validate(def, next, current, actor);
    this.computeName(def, next);
    checkUnique(this.env.store, def, next);
    this.env.store.replace(def, next);
    this.sharing.afterUpdate(def, current, next, actor.access.user.id);
  }

  delete(actor: DmlActor, objectName: string, id: string): void {
    const def = this.visibleObject(actor, objectName);
    if (def.shareOf !== undefined) return this.sharing.delete(actor, def, id);
    if (!actor.system && !actor.access.canObject(def.name, 'delete')) throw cannotOperate(def, 'deleted');
    const current = this.existing(def, id);
    if (!actor.system && !actor.access.canRecord(def.name, current, 'delete')) throw insufficientAccess();
    this.cascadeDelete(def, current, actor.access.user.id, formatDateTime(this.env.now()));
  }

  /** Marks the record deleted, then its master-detail children (in system mode, as Salesforce does). */
  private cascadeDelete(def: ObjectDef, record: SObjectRecord, userId: string, now: string): void {
    this.env.store.replace(def, {
      ...record,
      IsDeleted: true,
      LastModifiedById: userId,
      LastModifiedDate: now,
      SystemModstamp: now,
    });
    this.sharing.afterDelete(def, record, userId, now);
    for (const rel of this.env.schema.childRelationships(def.name)) {
      if (!rel.cascadeDelete) continue;
      const childDef = this.env.schema.object(rel.childSObject);
      if (!childDef) continue;
      for (const child of this.env.store.all(childDef.name).filter((c) => c[rel.field] === record.Id)) {
        this.cascadeDelete(childDef, child, userId, now);
      }
    }
  }

  upsert(
    actor: DmlActor,
    objectName: string,
    externalIdField: string,
    value: string,
    body: Record<string, unknown>,
  ): { id: string; created: boolean } {
    const def = this.visibleObject(actor, objectName);
    const field = this.env.schema.field(def.name, externalIdField);
    const visible = field && (actor.system || actor.access.canField(def.name, field.name, 'read'));
    if (!field || !visible || !(field.externalId || field.name === 'Id')) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${externalIdField}`,
      );
    }
    if (field.name === 'Id') {
      this.update(actor, def.name, value, body);
      return { id: this.recordId(def, value), created: false };
    }
    const { [field.name]: bodyValue, ...rest } = Object.fromEntries(
      Object.entries(body).map(([k, v]) => [k.toLowerCase() === field.name.toLowerCase() ? field.name : k, v]),
    );
    if (bodyValue !== undefined && String(bodyValue).toLowerCase() !== value.toLowerCase()) {
      throw new ApiError(
        400,
        'INVALID_FIELD',
        `The value of ${field.name} in the body does not match the external ID in the URL: ${value}`,
        [field.name],
      );
    }
    const matches = this.env.store.findByIndexedField(def, field.name, value);
    if (matches.length > 1) {
      throw new MultipleChoicesError(
        `More than one record found for external id field ${field.name} with value ${value}`,
        matches.map((r) => r.Id),
      );
    }
    const match = matches[0];
    if (match) {
      this.update(actor, def.name, match.Id, rest);
      return { id: match.Id, created: false };
    }
    return { id: this.create(actor, def.name, { ...rest, [field.name]: value }).id, created: true };
  }

  /** GET /sobjects/{Type}/{Id}[?fields=]: the readable fields in describe order, with `attributes`. */
  retrieve(
    actor: DmlActor,
    objectName: string,
    id: string,
    options: { apiVersion: string; fields?: string[] },
  ): Record<string, unknown> {
    const def = this.visibleObject(actor, objectName);
    const canonical = this.recordId(def, id);
    const entry = this.env.store.get(canonical);
    if (!entry || entry.object !== def) throw notFound();
    if (!actor.system && !actor.access.canRecord(def.name, entry.record, 'read')) throw notFound();
    let fields: FieldDef[];
    if (options.fields && options.fields.length > 0) {
      fields = options.fields.map((name) => {
        const field = this.env.schema.field(def.name, name.trim());
        if (!field || (!actor.system && !actor.access.canField(def.name, field.name, 'read'))) {
          throw new ApiError(
            400,
            'INVALID_FIELD',
            `No such column '${name.trim()}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          );
        }
        return field;
      });
    } else {
      fields = def.fields.filter((f) => actor.system || actor.access.canField(def.name, f.name, 'read'));
    }
    const out: Record<string, unknown> = {
      attributes: {
        type: def.name,
        url: `/services/data/v${options.apiVersion}/sobjects/${def.name}/${entry.record.Id}`,
      },
    };
    const children: ChildLookup = (child, lookup, parentId) => this.env.store.children(child, lookup, parentId);
    for (const field of fields) {
      // Roll-up summaries are never stored: computed from the live children, whatever the caller may see of them.
      out[field.name] = field.rollup
        ? rollupValue(field, field.rollup, entry.record, children)
        : (entry.record[field.name] ?? null);
    }
    return out;
  }
}
