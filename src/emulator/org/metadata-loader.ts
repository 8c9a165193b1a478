/**
 * Loads the package's own objects and permission sets from SFDX source format (`force-app/`), so the emulator
 * and the package can never drift. Any file it cannot understand is an error naming that file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildCustomField, buildNameField, FieldSpecError } from './custom-fields.ts';
import type { CustomFieldSpec } from './custom-fields.ts';
import { eventSystemFields, makeField, QUEUE_OWNED, systemFields } from './field-factory.ts';
import { resolveRollup } from './rollups.ts';
import {
  CustomFieldXml,
  CustomObjectXml,
  GlobalValueSetXml,
  MetadataError,
  CustomPermissionXml,
  PermissionSetXml,
  readMetadata,
} from './metadata-xml.ts';
import type { FieldDef, ObjectDef, ObjectPermission, PermissionSetDef, SharingModel } from './model.ts';

export interface PackageMetadata {
  /** Custom objects, settings and platform events (key prefixes not yet assigned: ''). */
  objects: ObjectDef[];
  /** Custom fields the package adds to standard objects. */
  fieldExtensions: Array<{ objectName: string; fields: FieldDef[] }>;
  permissionSets: PermissionSetDef[];
  /** Custom permissions the package defines (API names); permission sets may only enable these or the seed's. */
  customPermissions: string[];
}

const SHARING: Record<string, SharingModel> = {
  Private: 'Private',
  Read: 'Read',
  ReadWrite: 'ReadWrite',
  ReadWriteTransfer: 'ReadWrite',
  FullAccess: 'ReadWrite',
  ControlledByParent: 'ControlledByParent',
};

function findDirs(root: string, name: string, out: string[] = []): string[] {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(root, entry.name);
    if (entry.name === name) out.push(full);
    else findDirs(full, name, out);
  }
  return out.sort();
}

function filesEnding(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => path.join(dir, f));
}

function loadGlobalValueSets(root: string): Map<string, CustomFieldSpec['values']> {
  const sets = new Map<string, CustomFieldSpec['values']>();
  for (const dir of findDirs(root, 'globalValueSets')) {
    for (const file of filesEnding(dir, '.globalValueSet-meta.xml')) {
      const xml = readMetadata(file, 'GlobalValueSet', GlobalValueSetXml);
      const name = path.basename(file).replace('.globalValueSet-meta.xml', '');
      sets.set(
        name,
        xml.customValue.map((v) => ({ value: v.fullName, label: v.label, default: v.default })),
      );
    }
  }
  return sets;
}

function fieldSpec(
  xml: CustomFieldXml,
  valueSets: Map<string, CustomFieldSpec['values']>,
  file: string,
): CustomFieldSpec {
  if (!xml.type) throw new MetadataError(file, 'custom field without <type>');
  let values: CustomFieldSpec['values'];
  if (xml.valueSet?.valueSetDefinition) {
    values = xml.valueSet.valueSetDefinition.value.map((v) => ({
      value: v.fullName,
      label: v.label,
      default: v.default,
    }));
  } else if (xml.valueSet?.valueSetName) {
    values = valueSets.get(xml.valueSet.valueSetName);
    if (!values) throw new MetadataError(file, `unknown global value set '${xml.valueSet.valueSetName}'`);
  }
  return {
    name: xml.fullName,
    type: xml.type,
    label: xml.label,
    length: xml.length,
    precision: xml.precision,
    scale: xml.scale,
    required: xml.required,
    unique: xml.unique,
    externalId: xml.externalId,
    caseSensitive: xml.caseSensitive,
    values,
    restricted: xml.valueSet?.restricted,
    referenceTo: xml.referenceTo,
    relationshipName: xml.relationshipName,
    formula: xml.formula,
    defaultValue: xml.defaultValue,
    displayFormat: xml.displayFormat,
    startingNumber: xml.startingNumber,
    securityClassification: xml.securityClassification,
    complianceGroup: xml.complianceGroup,
    inlineHelpText: xml.inlineHelpText,
    description: xml.description,
    summaryOperation: xml.summaryOperation,
    summaryForeignKey: xml.summaryForeignKey,
    summarizedField: xml.summarizedField,
    summaryFilterItems: xml.summaryFilterItems?.length,
  };
}

/** Roll-up fields and their files: resolved once every object is loaded, so errors can name the file. */
type RollupFiles = Map<FieldDef, { master: string; file: string }>;

function loadFields(
  objectDir: string,
  valueSets: Map<string, CustomFieldSpec['values']>,
  rollups: RollupFiles,
): FieldDef[] {
  const fields: FieldDef[] = [];
  for (const file of filesEnding(path.join(objectDir, 'fields'), '.field-meta.xml')) {
    const xml = readMetadata(file, 'CustomField', CustomFieldXml);
    // Standard-field overrides (history tracking etc.) carry no type: the standard definition stays.
    if (!xml.fullName.includes('__')) continue;
    try {
      const field = buildCustomField(fieldSpec(xml, valueSets, file));
      if (field.rollup) rollups.set(field, { master: path.basename(objectDir), file });
      fields.push(field);
    } catch (error) {
      if (error instanceof FieldSpecError) throw new MetadataError(file, error.message);
      throw error;
    }
  }
  return fields;
}

function customMetadataFields(): FieldDef[] {
  const label = { nillable: false, permissionable: false };
  return [
    makeField('DeveloperName', 'string', { ...label, length: 40 }),
    makeField('MasterLabel', 'string', { ...label, length: 40, nameField: true }),
    makeField('Label', 'string', { ...label, length: 40 }),
    makeField('QualifiedApiName', 'string', { ...label, length: 70 }),
    makeField('NamespacePrefix', 'string', { length: 15 }),
  ];
}

function loadObject(
  objectDir: string,
  valueSets: Map<string, CustomFieldSpec['values']>,
  rollups: RollupFiles,
): ObjectDef {
  const name = path.basename(objectDir);
  const file = path.join(objectDir, `${name}.object-meta.xml`);
  const xml = readMetadata(file, 'CustomObject', CustomObjectXml);
  const custom = loadFields(objectDir, valueSets, rollups);
  const isEvent = name.endsWith('__e');
  const isMetadataType = name.endsWith('__mdt');
  const isSetting = xml.customSettingsType !== undefined || isMetadataType;
  let sharingModel: SharingModel = 'ReadWrite';
  if (!isEvent && !isSetting && xml.sharingModel !== undefined) {
    const mapped = SHARING[xml.sharingModel];
    if (!mapped) throw new MetadataError(file, `unsupported sharingModel '${xml.sharingModel}'`);
    sharingModel = mapped;
  }
  if (sharingModel === 'ControlledByParent' && !custom.some((f) => f.masterDetail)) {
    throw new MetadataError(file, 'sharingModel ControlledByParent requires a MasterDetail field');
  }
  const hasOwner = !isEvent && !isSetting && sharingModel !== 'ControlledByParent';
  let fields: FieldDef[];
  if (isEvent) fields = [...eventSystemFields(), ...custom];
  else if (isMetadataType) fields = [...systemFields({ owned: false }), ...customMetadataFields(), ...custom];
  else {
    let nameField: FieldDef;
    try {
      nameField = buildNameField(xml.nameField ?? {});
    } catch (error) {
      throw new MetadataError(file, (error as Error).message);
    }
    fields = [...systemFields({ owned: hasOwner, ownerTargets: QUEUE_OWNED }), nameField, ...custom];
  }
  if (xml.customSettingsType === 'Hierarchy') {
    fields.push(
      makeField('SetupOwnerId', 'reference', {
        referenceTo: ['Organization', 'Profile', 'User'],
        relationshipName: 'SetupOwner',
      }),
    );
  }
  // Custom setting fields have no field-level security: access is the setting definition's (customSettingAccesses).
  if (xml.customSettingsType !== undefined) fields = fields.map((field) => ({ ...field, permissionable: false }));
  const label = xml.label ?? name.replace(/__\w+$/, '').replace(/_/g, ' ');
  return {
    name,
    label,
    labelPlural: xml.pluralLabel ?? label,
    keyPrefix: '',
    custom: true,
    kind: isEvent ? 'event' : isSetting ? 'setting' : 'custom',
    sharingModel,
    hasOwner,
    fields,
    description: xml.description ?? null,
    ...(isEvent ? { publishBehavior: xml.publishBehavior ?? 'PublishImmediately' } : {}),
  };
}

function loadPermissionSet(file: string): PermissionSetDef {
  const xml = readMetadata(file, 'PermissionSet', PermissionSetXml);
  const name = path.basename(file).replace('.permissionset-meta.xml', '');
  const objects: Record<string, Partial<ObjectPermission>> = {};
  for (const o of xml.objectPermissions) {
    objects[o.object] = {
      read: o.allowRead === true,
      create: o.allowCreate === true,
      edit: o.allowEdit === true,
      delete: o.allowDelete === true,
      viewAll: o.viewAllRecords === true,
      modifyAll: o.modifyAllRecords === true,
    };
  }
  // Custom settings and metadata types are granted by name, read-only.
  for (const access of [...xml.customSettingAccesses, ...xml.customMetadataTypeAccesses]) {
    if (access.enabled !== false) objects[access.name] = { ...objects[access.name], read: true };
  }
  const fields: PermissionSetDef['fields'] = {};
  for (const f of xml.fieldPermissions)
    fields[f.field] = { read: f.readable === true || f.editable === true, edit: f.editable === true };
  return {
    name,
    label: xml.label ?? name,
    isProfile: false,
    objects,
    fields,
    userPermissions: xml.userPermissions.filter((p) => p.enabled !== false).map((p) => p.name),
    customPermissions: xml.customPermissions.filter((p) => p.enabled !== false).map((p) => p.name),
    apexClasses: xml.classAccesses.filter((c) => c.enabled !== false).map((c) => c.apexClass),
  };
}

/** The package's custom permissions (`customPermissions/*.customPermission-meta.xml`), by API name. */
function loadCustomPermissionNames(root: string): string[] {
  const names: string[] = [];
  for (const dir of findDirs(root, 'customPermissions')) {
    for (const file of filesEnding(dir, '.customPermission-meta.xml')) {
      readMetadata(file, 'CustomPermission', CustomPermissionXml);
      names.push(path.basename(file).replace('.customPermission-meta.xml', ''));
    }
  }
  return names;
}

/** Reads every object, field and permission set under `root`; a missing root yields empty metadata. */
export function loadPackageMetadata(root: string): PackageMetadata {
  const result: PackageMetadata = { objects: [], fieldExtensions: [], permissionSets: [], customPermissions: [] };
  if (!existsSync(root)) return result;
  const valueSets = loadGlobalValueSets(root);
  const rollups: RollupFiles = new Map();
  for (const objectsDir of findDirs(root, 'objects')) {
    for (const entry of readdirSync(objectsDir).sort()) {
      const objectDir = path.join(objectsDir, entry);
      if (!statSync(objectDir).isDirectory()) continue;
      if (entry.includes('__')) {
        if (!/__(c|e|mdt)$/.test(entry)) throw new MetadataError(objectDir, `unsupported object kind '${entry}'`);
        result.objects.push(loadObject(objectDir, valueSets, rollups));
      } else {
        const fields = loadFields(objectDir, valueSets, rollups);
        if (fields.length > 0) result.fieldExtensions.push({ objectName: entry, fields });
      }
    }
  }
  // Roll-ups over the package's own detail objects are checked here, naming the file; the org builder resolves the
  // rest (a detail object from the seed) and re-checks these against the whole schema.
  const byName = new Map(result.objects.map((o) => [o.name.toLowerCase(), o]));
  for (const [field, { master, file }] of rollups) {
    if (!field.rollup || !byName.has(field.rollup.childObject.toLowerCase())) continue;
    try {
      resolveRollup(master, field, (name) => byName.get(name.toLowerCase()));
    } catch (error) {
      if (error instanceof FieldSpecError) throw new MetadataError(file, error.message);
      throw error;
    }
  }
  for (const dir of findDirs(root, 'permissionsets')) {
    for (const file of filesEnding(dir, '.permissionset-meta.xml')) result.permissionSets.push(loadPermissionSet(file));
  }
  result.customPermissions = loadCustomPermissionNames(root);
  const known = new Set(result.customPermissions.map((n) => n.toLowerCase()));
  for (const set of result.permissionSets) {
    const unknown = (set.customPermissions ?? []).filter((n) => !known.has(n.toLowerCase()));
    // A real deploy fails the same way: a permission set cannot enable a custom permission the org does not have.
    if (unknown.length > 0)
      throw new MetadataError(`permissionsets/${set.name}`, `unknown custom permission ${unknown.join(', ')}`);
  }
  return result;
}
