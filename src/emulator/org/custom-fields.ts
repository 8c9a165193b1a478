/**
 * Metadata-API field types → emulator FieldDefs. Shared by the force-app loader (CustomField XML) and the seed's
 * compact `objects` section, so both describe a field the same way.
 */
import { makeField, makeReference } from './field-factory.ts';
import type { FieldDef, FieldType, PicklistValue, RollupDef, RollupOperation } from './model.ts';

export interface CustomFieldSpec {
  name: string;
  /** Metadata type: Text, TextArea, LongTextArea, Html, Number, Currency, Percent, Checkbox, Date, DateTime, Time,
   * Picklist, MultiselectPicklist, Lookup, MasterDetail, Email, Phone, Url, AutoNumber, EncryptedText, Summary. */
  type: string;
  label?: string | undefined;
  length?: number | undefined;
  precision?: number | undefined;
  scale?: number | undefined;
  required?: boolean | undefined;
  unique?: boolean | undefined;
  externalId?: boolean | undefined;
  caseSensitive?: boolean | undefined;
  values?: Array<{ value: string; label?: string | undefined; default?: boolean | undefined }> | undefined;
  restricted?: boolean | undefined;
  referenceTo?: string | undefined;
  /** Child relationship name on the parent (metadata `relationshipName`), `__r` appended when missing. */
  relationshipName?: string | undefined;
  formula?: string | undefined;
  defaultValue?: string | number | boolean | undefined;
  displayFormat?: string | undefined;
  startingNumber?: number | undefined;
  securityClassification?: string | undefined;
  complianceGroup?: string | undefined;
  inlineHelpText?: string | undefined;
  description?: string | undefined;
  /** Summary (roll-up) fields: count, sum, min or max. */
  summaryOperation?: string | undefined;
  /** Summary fields: the detail's master-detail field, `Child__c.Master__c`. */
  summaryForeignKey?: string | undefined;
  /** Summary fields with sum/min/max: the detail field summarized, `Child__c.Amount__c`. */
  summarizedField?: string | undefined;
  /** Summary fields: how many `summaryFilterItems` the metadata has (filtered roll-ups are refused). */
  summaryFilterItems?: number | undefined;
}

const SIMPLE_TYPES: Record<string, FieldType> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Time: 'time',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  MasterDetail: 'reference',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  AutoNumber: 'string',
  EncryptedText: 'encryptedstring',
  Summary: 'double',
};

export const SUPPORTED_FIELD_TYPES = Object.keys(SIMPLE_TYPES);

export class FieldSpecError extends Error {}

/**
 * Metadata default values are formulas: `"Open"`, `false`, `0`, `TODAY()`. Literals are evaluated here;
 * TODAY()/NOW() stay as markers evaluated at insert time; anything else is rejected.
 */
function parseDefault(raw: string | number | boolean | undefined, type: FieldType, field: string): unknown {
  if (raw === undefined) return type === 'boolean' ? false : null;
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(text) || /^'(?:[^'\\]|\\.)*'$/.test(text)) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (/^(TODAY|NOW)\(\)$/i.test(text)) return text.toUpperCase();
  if (type === 'string' || type === 'textarea' || type === 'picklist') return text;
  throw new FieldSpecError(`field ${field}: unsupported defaultValue formula ${raw}`);
}

function picklist(spec: CustomFieldSpec): PicklistValue[] {
  if (!spec.values || spec.values.length === 0) throw new FieldSpecError(`field ${spec.name}: picklist without values`);
  return spec.values.map((v) => ({
    value: v.value,
    label: v.label ?? v.value,
    defaultValue: v.default === true,
    active: true,
  }));
}

const ROLLUP_OPERATIONS: readonly RollupOperation[] = ['count', 'sum', 'min', 'max'];
const SUMMARY_REF = /^(\w+)\.(\w+)$/;

/**
 * The roll-up a Summary field declares, checked on its own (the detail object and fields are checked once the
 * schema is assembled, see rollups.ts). Summary fields are calculated: the Metadata API refuses the value options
 * of an ordinary number on them, and so does the emulator.
 */
function summarySpec(spec: CustomFieldSpec): RollupDef {
  const where = `field ${spec.name}`;
  const refused: Array<[string, boolean]> = [
    ['formula', spec.formula !== undefined],
    ['defaultValue', spec.defaultValue !== undefined],
    ['precision', spec.precision !== undefined],
    ['scale', spec.scale !== undefined],
    ['length', spec.length !== undefined],
    ['required', spec.required === true],
    ['unique', spec.unique === true],
    ['externalId', spec.externalId === true],
  ];
  const bad = refused.filter(([, present]) => present).map(([name]) => name);
  if (bad.length > 0) {
    throw new FieldSpecError(`${where}: a Summary (roll-up) field is calculated and takes no ${bad.join(', ')}`);
  }
  const operation = ROLLUP_OPERATIONS.find((op) => op === spec.summaryOperation);
  if (!operation) {
    throw new FieldSpecError(
      `${where}: a Summary field needs summaryOperation count, sum, min or max (got ${spec.summaryOperation === undefined ? 'none' : `'${spec.summaryOperation}'`})`,
    );
  }
  const fk = SUMMARY_REF.exec(spec.summaryForeignKey ?? '');
  if (!fk) {
    throw new FieldSpecError(
      `${where}: a Summary field needs summaryForeignKey as Child__c.MasterField__c (got ${spec.summaryForeignKey === undefined ? 'none' : `'${spec.summaryForeignKey}'`})`,
    );
  }
  const [, childObject = '', foreignKey = ''] = fk;
  let summarizedField: string | null = null;
  if (operation === 'count') {
    if (spec.summarizedField !== undefined)
      throw new FieldSpecError(`${where}: a count roll-up takes no summarizedField`);
  } else {
    const summarized = SUMMARY_REF.exec(spec.summarizedField ?? '');
    if (!summarized)
      throw new FieldSpecError(`${where}: a ${operation} roll-up needs summarizedField as Child__c.Field__c`);
    if (summarized[1]!.toLowerCase() !== childObject.toLowerCase()) {
      throw new FieldSpecError(
        `${where}: summarizedField ${spec.summarizedField ?? ''} is not a field of the summarized object ${childObject}`,
      );
    }
    summarizedField = summarized[2]!;
  }
  if ((spec.summaryFilterItems ?? 0) > 0) {
    throw new FieldSpecError(
      `${where}: filtered roll-ups (summaryFilterItems) are not supported by the emulator; summarize every child or drop the filter`,
    );
  }
  return { operation, childObject, foreignKey, summarizedField };
}

/** Converts one custom-field spec; throws FieldSpecError naming the field on unknown types or missing parts. */
export function buildCustomField(spec: CustomFieldSpec): FieldDef {
  const type = SIMPLE_TYPES[spec.type];
  if (!type) {
    throw new FieldSpecError(
      `field ${spec.name}: unsupported field type '${spec.type}' (supported: ${SUPPORTED_FIELD_TYPES.join(', ')})`,
    );
  }
  const summaryKeys = [spec.summaryOperation, spec.summaryForeignKey, spec.summarizedField, spec.summaryFilterItems];
  if (spec.type !== 'Summary' && summaryKeys.some((v) => v !== undefined)) {
    throw new FieldSpecError(`field ${spec.name}: summary options belong to a Summary field, not a ${spec.type}`);
  }
  const rollup = spec.type === 'Summary' ? summarySpec(spec) : null;
  const required = spec.required === true || spec.type === 'MasterDetail';
  const common = {
    ...(spec.label !== undefined ? { label: spec.label } : {}),
    custom: true,
    nillable: type === 'boolean' ? false : !required,
    permissionable: !required,
    unique: spec.unique === true,
    externalId: spec.externalId === true,
    caseSensitive: spec.caseSensitive === true,
    securityClassification: spec.securityClassification ?? null,
    complianceGroup: spec.complianceGroup ?? null,
    inlineHelpText: spec.inlineHelpText ?? null,
    description: spec.description ?? null,
    defaultValue: parseDefault(spec.defaultValue, type, spec.name),
  };
  if (type === 'reference') {
    if (!spec.referenceTo) throw new FieldSpecError(`field ${spec.name}: ${spec.type} without referenceTo`);
    const child = spec.relationshipName ? spec.relationshipName.replace(/(__r)?$/, '__r') : null;
    return makeReference(spec.name, [spec.referenceTo], {
      ...common,
      masterDetail: spec.type === 'MasterDetail',
      childRelationshipName: child,
    });
  }
  const field = makeField(spec.name, type, common);
  if (spec.length !== undefined) field.length = spec.length;
  if (spec.type === 'LongTextArea' || spec.type === 'Html') field.length = spec.length ?? 32768;
  if (spec.type === 'TextArea') field.length = 255;
  if (type === 'double' || type === 'currency' || type === 'percent') {
    field.precision = spec.precision ?? 18;
    field.scale = spec.scale ?? 0;
    field.length = 0;
  }
  if (type === 'picklist' || type === 'multipicklist') {
    field.picklistValues = picklist(spec);
    field.restrictedPicklist = spec.restricted === true;
    const def = field.picklistValues.find((v) => v.defaultValue);
    if (def && field.defaultValue === null) field.defaultValue = def.value;
  }
  if (spec.type === 'AutoNumber') {
    field.autoNumber = true;
    field.nillable = false;
    field.permissionable = true;
    field.length = 30;
    field.displayFormat = spec.displayFormat ?? '{0}';
    field.startingNumber = spec.startingNumber ?? 1;
  }
  if (spec.formula !== undefined || rollup) {
    field.calculated = true;
    field.formula = spec.formula ?? null;
    field.nillable = true;
  }
  if (rollup) {
    // Settled by resolveRollup once the detail object is known: count stays a double (18, 0).
    field.rollup = rollup;
    field.precision = 18;
    field.scale = 0;
  }
  return field;
}

/** The object's Name field from a metadata `nameField` (Text or AutoNumber). */
export function buildNameField(spec: {
  label?: string | undefined;
  type?: string | undefined;
  displayFormat?: string | undefined;
  startingNumber?: number | undefined;
}): FieldDef {
  if (spec.type === 'AutoNumber') {
    return makeField('Name', 'string', {
      label: spec.label ?? 'Name',
      custom: false,
      nameField: true,
      autoNumber: true,
      nillable: false,
      permissionable: false,
      length: 30,
      displayFormat: spec.displayFormat ?? '{0}',
      startingNumber: spec.startingNumber ?? 1,
      unique: false,
    });
  }
  if (spec.type !== undefined && spec.type !== 'Text')
    throw new FieldSpecError(`nameField: unsupported type '${spec.type}'`);
  return makeField('Name', 'string', {
    label: spec.label ?? 'Name',
    custom: false,
    nameField: true,
    nillable: false,
    permissionable: false,
    length: 80,
  });
}
