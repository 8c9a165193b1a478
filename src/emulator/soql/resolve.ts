/**
 * Resolves object names and field paths against the schema AS THE USER: an unreadable object or field is reported
 * exactly like a missing one. Every resolved path carries a precompiled getter that walks parent lookups through
 * the runtime Env (which applies record-level visibility).
 */
import { makeField } from '../org/field-factory.ts';
import { ApiError } from '../org/model.ts';
import type { FieldDef, FieldType, ObjectDef, Schema, SObjectRecord } from '../org/model.ts';
import { setupObjectRequires } from '../org/standard-objects.ts';
import type { AccessRecorder } from './access-recorder.ts';
import type { Env } from './env.ts';
import { locate, messages, queryError } from './query-error.ts';
import { subqueryOffsets } from './subquery-offsets.ts';
import { kindOf } from './values.ts';
import type { ValueKind } from './values.ts';

export interface ParentStep {
  lookup: FieldDef;
  /** Canonical relationship name, the key of the nested object in results. */
  relationshipName: string;
  /** Target object; null for a polymorphic lookup (resolved per record). */
  target: string | null;
}

export interface FieldRef {
  /** The path as written. */
  raw: string;
  steps: ParentStep[];
  field: FieldDef;
  /** Canonical owner object of the terminal field ('Name' for polymorphic parents). */
  object: string;
  kind: ValueKind;
  /** Lowercased canonical path, used to match SELECT fields against GROUP BY. */
  key: string;
  get: (rec: SObjectRecord, env: Env) => unknown;
}

/**
 * A field the query itself makes up (an aggregate's `expr`, a polymorphic `Name` field): a system field labelled with
 * its own name, 255 long (18 for an Id), nillable and with no default whatever its type.
 */
export function syntheticField(name: string, type: FieldType): FieldDef {
  return makeField(name, type, {
    label: name,
    custom: false,
    length: type === 'id' ? 18 : 255,
    nillable: true,
    defaultValue: null,
    system: true,
    nameField: name === 'Name',
    permissionable: false,
  });
}

/**
 * Fields of the polymorphic `Name` entity (Object Reference, "Name"): what `Owner.X` / `What.X` may select whatever the
 * parent's type. A field the actual parent lacks (a queue's Username) or hides by FLS reads as null.
 */
const POLY_FIELDS: Record<string, FieldDef> = Object.fromEntries(
  (
    [
      ['Id', 'id'],
      ['Name', 'string'],
      ['Type', 'string'],
      ['Alias', 'string'],
      ['Email', 'email'],
      ['FirstName', 'string'],
      ['LastName', 'string'],
      ['IsActive', 'boolean'],
      ['Phone', 'phone'],
      ['Title', 'string'],
      ['Username', 'string'],
      ['ProfileId', 'reference'],
      ['UserRoleId', 'reference'],
    ] as const
  ).map(([name, type]) => [name.toLowerCase(), syntheticField(name, type)]),
);

/** A Name-entity field read off the actual parent: null where that object has no such field or hides it. */
export function polymorphicValue(name: string, objectName: string, record: SObjectRecord, env: Env): unknown {
  // Name.Type is the parent's object, except that a queue owner reports 'Queue' (`WHERE Owner.Type = 'Queue'`).
  if (name === 'Type') return objectName === 'Group' && record['Type'] === 'Queue' ? 'Queue' : objectName;
  if (name === 'Id') return record.Id;
  return env.ctx.schema.field(objectName, name) && env.ctx.access.canField(objectName, name, 'read')
    ? (record[name] ?? null)
    : null;
}

export class Resolver {
  private readonly subqueries: number[];
  private cursor = 0;
  /** NOT nodes in every condition tree built so far (checked against the text once compiling ends). */
  notCount = 0;

  constructor(
    readonly soql: string,
    readonly schema: Schema,
    readonly access: AccessRecorder,
  ) {
    this.subqueries = subqueryOffsets(soql);
  }

  /** Offset of the next `(SELECT` in textual order: subqueries are compiled in the order they are written. */
  nextSubquery(): number {
    return this.subqueries[this.cursor++] ?? 0;
  }

  /** The FROM object, or INVALID_TYPE when it does not exist or the user cannot read it. */
  object(name: string, from: number): ObjectDef {
    const def = this.schema.object(name);
    const requires = def ? setupObjectRequires(def.name) : undefined;
    if (def && requires && !this.access.canReadObject(def.name)) {
      // Summer '20 special access rule (object reference): the object exists but needs one of these permissions. The
      // rule is documented; the error code is not, so the emulator names the missing permission plainly.
      throw new ApiError(
        400,
        'INSUFFICIENT_ACCESS',
        `Insufficient access to ${def.name}: the user needs one of these permissions: ${requires.join(', ')}`,
      );
    }
    if (!def || !this.access.canReadObject(def.name)) {
      throw queryError(this.soql, locate(this.soql, name, from), 'INVALID_TYPE', messages.unsupportedType(name));
    }
    return def;
  }

  /** Resolves a lookup's target for parent traversal; null target means polymorphic. */
  parentStep(object: string, relationship: string, raw: string, from: number): ParentStep {
    const lookup = this.schema.parentRelationship(object, relationship);
    const fail = (): never => {
      throw queryError(
        this.soql,
        locate(this.soql, raw, from),
        'INVALID_FIELD',
        messages.relationshipInPath(relationship),
      );
    };
    if (!lookup || !lookup.relationshipName || !this.access.canReadField(object, lookup.name)) return fail();
    let target: string | null;
    if (lookup.referenceTo.length === 1) target = lookup.referenceTo[0]!;
    else if (lookup.referenceTo.length === 0) target = 'User';
    else target = null;
    if (target !== null) {
      const def = this.schema.object(target);
      if (!def || !this.access.canReadObject(def.name)) return fail();
      target = def.name;
    }
    return { lookup, relationshipName: lookup.relationshipName, target };
  }

  /** Resolves `Field` or `Rel.Rel.Field` on `object`; `alias` is the FROM alias to strip, if any. */
  field(object: string, rawPath: string, from: number, alias?: string): FieldRef {
    let segments = rawPath.split('.');
    if (alias && segments.length > 1 && segments[0]!.toLowerCase() === alias.toLowerCase())
      segments = segments.slice(1);
    const steps: ParentStep[] = [];
    let current: string | null = object;
    for (const seg of segments.slice(0, -1)) {
      if (current === null) {
        throw queryError(
          this.soql,
          locate(this.soql, rawPath, from),
          'INVALID_FIELD',
          messages.relationshipInPath(seg),
        );
      }
      const step = this.parentStep(current, seg, rawPath, from);
      steps.push(step);
      current = step.target;
    }
    const last = segments[segments.length - 1]!;
    let field: FieldDef | undefined;
    let owner: string;
    if (current === null) {
      field = POLY_FIELDS[last.toLowerCase()];
      owner = 'Name';
    } else {
      const def = this.schema.field(current, last);
      field = def && this.access.canReadField(current, def.name) ? def : undefined;
      owner = current;
    }
    if (!field) {
      throw queryError(
        this.soql,
        locate(this.soql, rawPath, from),
        'INVALID_FIELD',
        messages.noSuchColumn(last, owner),
      );
    }
    const key = [...steps.map((s) => s.relationshipName), field.name].join('.').toLowerCase();
    return { raw: rawPath, steps, field, object: owner, kind: kindOf(field.type), key, get: getter(steps, field) };
  }
}

/**
 * How a field's value is read off a record: the stored property, or for a roll-up summary (never stored) its value
 * computed from the record's children. Every read of a field in a query (SELECT, WHERE, ORDER BY, GROUP BY,
 * aggregates, child subqueries) goes through this.
 */
export function fieldReader(field: FieldDef): (rec: SObjectRecord, env: Env) => unknown {
  const name = field.name;
  const rollup = field.rollup;
  if (rollup) return (rec, env) => env.rollup(field, rollup, rec);
  return (rec) => rec[name];
}

/** Precompiled accessor: direct property read, or a walk through visible parents. */
function getter(steps: ParentStep[], field: FieldDef): (rec: SObjectRecord, env: Env) => unknown {
  const name = field.name;
  const read = fieldReader(field);
  if (steps.length === 0) return read;
  const poly = steps[steps.length - 1]!.target === null;
  return (rec, env) => {
    let cur: SObjectRecord = rec;
    let objectName = '';
    for (const step of steps) {
      const parent = env.parent(cur[step.lookup.name], step.target);
      if (!parent) return null;
      cur = parent.record;
      objectName = parent.object.name;
    }
    if (poly) return polymorphicValue(name, objectName, cur, env);
    return read(cur, env);
  };
}
