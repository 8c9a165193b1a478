/**
 * Builds complete FieldDefs: standard fields from a few options, custom fields from a metadata-style spec
 * (the same spec is produced by the force-app loader and by the seed's compact `objects` section).
 */
import type { FieldDef, FieldType, PicklistValue } from './model.ts';

export type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099,
  email: 80,
  phone: 40,
  url: 255,
  encryptedstring: 175,
};

function labelFor(name: string): string {
  return name
    .replace(/__c$|__r$/, '')
    .replace(/Id$/, (m) => (name.length > 2 ? '' : m))
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

/** A field with every key filled; `options` override the defaults. */
export function makeField(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return {
    name,
    label: labelFor(name) || name,
    type,
    custom: name.endsWith('__c'),
    length: DEFAULT_LENGTH[type] ?? 0,
    precision: 0,
    scale: 0,
    nillable: true,
    unique: false,
    externalId: false,
    caseSensitive: false,
    referenceTo: [],
    relationshipName: null,
    masterDetail: false,
    picklistValues: [],
    restrictedPicklist: false,
    calculated: false,
    autoNumber: false,
    system: false,
    defaultValue: null,
    nameField: false,
    permissionable: true,
    securityClassification: null,
    complianceGroup: null,
    inlineHelpText: null,
    description: null,
    childRelationshipName: null,
    ...(type === 'boolean' ? { nillable: false, defaultValue: false } : {}),
    ...options,
  };
}

/** A lookup field; `OwnerId` → `Owner`, `AccountId` → `Account`. */
export function makeReference(name: string, referenceTo: string[], options: FieldOptions = {}): FieldDef {
  return makeField(name, 'reference', {
    referenceTo,
    relationshipName: name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, ''),
    ...options,
  });
}

export function picklistValues(values: string[], defaultValue?: string): PicklistValue[] {
  return values.map((value) => ({ value, label: value, defaultValue: value === defaultValue, active: true }));
}

/**
 * OwnerId targets of objects a queue may own (custom objects, Case, Lead): describe reports `referenceTo: ["Group",
 * "User"]` and `Owner` is polymorphic (Object Reference, "Case" and custom objects: OwnerId "ID of the user or group that
 * owns the record"). Account and Contact owners are users only.
 */
export const QUEUE_OWNED = ['Group', 'User'];

/** Id, IsDeleted and the audit fields every object has; plus OwnerId when owned. */
export function systemFields(options: { owned: boolean; ownerTargets?: string[] }): FieldDef[] {
  const sys: FieldOptions = { system: true, permissionable: false, nillable: false };
  const fields = [
    makeField('Id', 'id', { ...sys, label: 'Record ID' }),
    makeField('IsDeleted', 'boolean', { ...sys, label: 'Deleted', defaultValue: false }),
    makeField('CreatedDate', 'datetime', { ...sys, label: 'Created Date' }),
    makeReference('CreatedById', ['User'], { ...sys, label: 'Created By ID', relationshipName: 'CreatedBy' }),
    makeField('LastModifiedDate', 'datetime', { ...sys, label: 'Last Modified Date' }),
    makeReference('LastModifiedById', ['User'], {
      ...sys,
      label: 'Last Modified By ID',
      relationshipName: 'LastModifiedBy',
    }),
    makeField('SystemModstamp', 'datetime', { ...sys, label: 'System Modstamp' }),
  ];
  if (options.owned) {
    // OwnerId is editable (ownership transfer) but not permissionable; it defaults to the creating user.
    fields.splice(
      1,
      0,
      makeReference('OwnerId', options.ownerTargets ?? ['User'], {
        label: 'Owner ID',
        nillable: false,
        permissionable: false,
      }),
    );
  }
  return fields;
}

/** Event objects carry ReplayId, EventUuid, CreatedDate and CreatedById only. */
export function eventSystemFields(): FieldDef[] {
  const sys: FieldOptions = { system: true, permissionable: false, nillable: true };
  return [
    makeField('ReplayId', 'string', { ...sys, label: 'Replay ID' }),
    makeField('EventUuid', 'string', { ...sys, label: 'Event UUID', length: 36 }),
    makeField('CreatedDate', 'datetime', { ...sys, nillable: false, label: 'Created Date' }),
    makeReference('CreatedById', ['User'], {
      ...sys,
      nillable: false,
      label: 'Created By ID',
      relationshipName: 'CreatedBy',
    }),
  ];
}

/** True when a create must supply this field (no default, not platform-set). */
export function isRequiredOnCreate(field: FieldDef): boolean {
  return (
    !field.nillable &&
    !field.system &&
    !field.calculated &&
    !field.autoNumber &&
    field.type !== 'boolean' &&
    field.name !== 'OwnerId' &&
    (field.defaultValue === null || field.defaultValue === undefined)
  );
}
