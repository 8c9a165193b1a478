/**
 * Reads the package's objects and fields from SFDX source format (`objects/<Name>/...-meta.xml`), validated with zod.
 * The generator, the consistency test and the inline-SOQL check all use this one reader.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

export type ObjectKind = 'custom' | 'event' | 'setting';

export interface FieldMeta {
  name: string;
  label: string;
  type: string;
  description: string | null;
  inlineHelpText: string | null;
  required: boolean;
  unique: boolean;
  externalId: boolean;
  referenceTo: string | null;
  /** Parent relationship name without the `__r` suffix, e.g. `AgentExecution`. */
  relationshipName: string | null;
  length: number | null;
  precision: number | null;
  scale: number | null;
  picklistValues: string[];
}

export interface ObjectMeta {
  name: string;
  kind: ObjectKind;
  label: string;
  description: string | null;
  sharingModel: string | null;
  publishBehavior: string | null;
  file: string;
  fields: FieldMeta[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'value' || name === 'referenceTo',
});

const text = z.string();
const optText = z.string().optional();
const bool = z.enum(['true', 'false']).optional();

const ObjectXml = z.object({
  CustomObject: z.object({
    label: text,
    description: optText,
    sharingModel: optText,
    eventType: optText,
    publishBehavior: optText,
    customSettingsType: optText,
  }),
});

const FieldXml = z.object({
  CustomField: z.object({
    fullName: text,
    label: text,
    type: text,
    description: optText,
    inlineHelpText: optText,
    required: bool,
    unique: bool,
    externalId: bool,
    referenceTo: z.array(text).optional(),
    relationshipName: optText,
    length: optText,
    precision: optText,
    scale: optText,
    valueSet: z
      .object({
        valueSetDefinition: z.object({ value: z.array(z.object({ fullName: text })) }).optional(),
      })
      .optional(),
  }),
});

/** Every `*.object-meta.xml` below root (any package folder layout). */
export function findObjectFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.object-meta.xml')) found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

function parseFile<T>(schema: z.ZodType<T>, file: string): T {
  const result = schema.safeParse(parser.parse(readFileSync(file, 'utf8')));
  if (!result.success) throw new Error(`${file}: unexpected metadata shape\n${z.prettifyError(result.error)}`);
  return result.data;
}

const num = (value: string | undefined): number | null => (value === undefined ? null : Number(value));

export function readField(file: string): FieldMeta {
  const f = parseFile(FieldXml, file).CustomField;
  if (`${f.fullName}.field-meta.xml` !== basename(file))
    throw new Error(`${file}: fullName ${f.fullName} does not match the file name`);
  return {
    name: f.fullName,
    label: f.label,
    type: f.type,
    description: f.description ?? null,
    inlineHelpText: f.inlineHelpText ?? null,
    required: f.required === 'true',
    unique: f.unique === 'true',
    externalId: f.externalId === 'true',
    referenceTo: f.referenceTo?.[0] ?? null,
    relationshipName: f.relationshipName ?? null,
    length: num(f.length),
    precision: num(f.precision),
    scale: num(f.scale),
    picklistValues: f.valueSet?.valueSetDefinition?.value.map((v) => v.fullName) ?? [],
  };
}

/** All objects under root with their fields, sorted by name. */
export function readForceAppMetadata(root: string): ObjectMeta[] {
  return findObjectFiles(root).map((file) => {
    const name = basename(file, '.object-meta.xml');
    const o = parseFile(ObjectXml, file).CustomObject;
    const kind: ObjectKind = name.endsWith('__e') ? 'event' : o.customSettingsType ? 'setting' : 'custom';
    const fieldDir = join(file, '..', 'fields');
    let fieldFiles: string[];
    try {
      fieldFiles = readdirSync(fieldDir).filter((f) => f.endsWith('.field-meta.xml'));
    } catch {
      fieldFiles = [];
    }
    return {
      name,
      kind,
      label: o.label,
      description: o.description ?? null,
      sharingModel: o.sharingModel ?? null,
      publishBehavior: o.publishBehavior ?? null,
      file,
      fields: fieldFiles.sort().map((f) => readField(join(fieldDir, f))),
    };
  });
}

/** Fields the platform adds to every object of a kind (not in source). */
export function systemFields(object: Pick<ObjectMeta, 'kind' | 'sharingModel'>): Record<string, string> {
  if (object.kind === 'event')
    return { ReplayId: 'Text', EventUuid: 'Text', CreatedById: 'Lookup', CreatedDate: 'DateTime' };
  const common: Record<string, string> = {
    Id: 'Id',
    Name: 'Text',
    CreatedById: 'Lookup',
    CreatedDate: 'DateTime',
    LastModifiedById: 'Lookup',
    LastModifiedDate: 'DateTime',
    SystemModstamp: 'DateTime',
    IsDeleted: 'Checkbox',
  };
  if (object.kind === 'setting') return { ...common, SetupOwnerId: 'Lookup' };
  if (object.sharingModel !== 'ControlledByParent') common['OwnerId'] = 'Lookup';
  return common;
}
