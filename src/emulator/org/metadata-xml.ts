/** zod shapes of the SFDX source-format XML the loader reads (values arrive as strings: parseTagValue is off). */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class MetadataError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'MetadataError';
  }
}

const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const num = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number());
const str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());

export const PicklistValueXml = z.looseObject({ fullName: str, default: bool.optional(), label: str.optional() });

export const CustomFieldXml = z.looseObject({
  fullName: str,
  label: str.optional(),
  type: str.optional(),
  length: num.optional(),
  precision: num.optional(),
  scale: num.optional(),
  required: bool.optional(),
  unique: bool.optional(),
  externalId: bool.optional(),
  caseSensitive: bool.optional(),
  referenceTo: str.optional(),
  relationshipName: str.optional(),
  formula: str.optional(),
  defaultValue: str.optional(),
  displayFormat: str.optional(),
  startingNumber: num.optional(),
  securityClassification: str.optional(),
  complianceGroup: str.optional(),
  inlineHelpText: str.optional(),
  description: str.optional(),
  summaryOperation: str.optional(),
  summaryForeignKey: str.optional(),
  summarizedField: str.optional(),
  summaryFilterItems: z.array(z.looseObject({ field: str.optional(), operation: str.optional() })).optional(),
  valueSet: z
    .looseObject({
      restricted: bool.optional(),
      valueSetName: str.optional(),
      valueSetDefinition: z.looseObject({ value: z.array(PicklistValueXml) }).optional(),
    })
    .optional(),
});
export type CustomFieldXml = z.infer<typeof CustomFieldXml>;

export const CustomObjectXml = z.looseObject({
  label: str.optional(),
  pluralLabel: str.optional(),
  sharingModel: str.optional(),
  description: str.optional(),
  customSettingsType: str.optional(),
  publishBehavior: z.enum(['PublishAfterCommit', 'PublishImmediately']).optional(),
  nameField: z
    .looseObject({
      label: str.optional(),
      type: str.optional(),
      displayFormat: str.optional(),
      startingNumber: num.optional(),
    })
    .optional(),
});
export type CustomObjectXml = z.infer<typeof CustomObjectXml>;

const ObjectPermissionXml = z.looseObject({
  object: str,
  allowCreate: bool.optional(),
  allowRead: bool.optional(),
  allowEdit: bool.optional(),
  allowDelete: bool.optional(),
  viewAllRecords: bool.optional(),
  modifyAllRecords: bool.optional(),
});
const FieldPermissionXml = z.looseObject({ field: str, readable: bool.optional(), editable: bool.optional() });
const EnabledNameXml = z.looseObject({ name: str, enabled: bool.optional() });

export const PermissionSetXml = z.looseObject({
  label: str.optional(),
  description: str.optional(),
  objectPermissions: z.array(ObjectPermissionXml).default([]),
  fieldPermissions: z.array(FieldPermissionXml).default([]),
  userPermissions: z.array(EnabledNameXml).default([]),
  customSettingAccesses: z.array(EnabledNameXml).default([]),
  customMetadataTypeAccesses: z.array(EnabledNameXml).default([]),
  customPermissions: z.array(EnabledNameXml).default([]),
  classAccesses: z.array(z.looseObject({ apexClass: str, enabled: bool.optional() })).default([]),
});
export type PermissionSetXml = z.infer<typeof PermissionSetXml>;

export const CustomPermissionXml = z.looseObject({
  label: str.optional(),
  description: str.optional(),
  isLicensed: bool.optional(),
});

export const GlobalValueSetXml = z.looseObject({ customValue: z.array(PicklistValueXml).default([]) });

const ARRAY_TAGS = new Set([
  'value',
  'customValue',
  'objectPermissions',
  'fieldPermissions',
  'userPermissions',
  'customSettingAccesses',
  'customMetadataTypeAccesses',
  'customPermissions',
  'classAccesses',
  'values',
  'summaryFilterItems',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ARRAY_TAGS.has(name),
});

/** Parses one metadata file and validates its root element with `schema`; errors name the file and the path. */
export function readMetadata<T extends z.ZodType>(file: string, root: string, schema: T): z.infer<T> {
  const xml = readFileSync(file, 'utf8');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new MetadataError(file, `malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  const doc = parser.parse(xml) as Record<string, unknown>;
  const body = doc[root];
  if (body === undefined) throw new MetadataError(file, `expected a <${root}> root element`);
  const parsed = schema.safeParse(body === '' ? {} : body);
  if (!parsed.success) throw new MetadataError(file, z.prettifyError(parsed.error));
  return parsed.data;
}
