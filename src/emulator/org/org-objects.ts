/**
 * The org's objects: standard objects, force-app's objects and field extensions, the seed's extra objects and
 * fields, validation rules and sharing overrides, roll-ups, share objects and key prefixes. Every dangling name is a
 * SeedError naming it.
 */
import { buildCustomField, buildNameField, FieldSpecError } from './custom-fields.ts';
import { QUEUE_OWNED, systemFields } from './field-factory.ts';
import { loadPackageMetadata, type PackageMetadata } from './metadata-loader.ts';
import type { ObjectDef, PermissionSetDef } from './model.ts';
import { resolveRollups } from './rollups.ts';
import { assignKeyPrefixes } from './schema.ts';
import { SeedError, type ObjectSeed, type Seed } from './seed.ts';
import { buildShareObjects } from './sharing.ts';
import { standardObjects } from './standard-objects.ts';
import { checkRule, type ValidationRuleDef } from './validation-rules.ts';

/** The objects being built, and the same by lower-cased name. */
interface Catalog {
  objects: ObjectDef[];
  byName: Map<string, ObjectDef>;
}

function build<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FieldSpecError) throw new SeedError(`${where}: ${error.message}`);
    throw error;
  }
}

const packageCache = new Map<string, PackageMetadata>();

/** force-app is read once per process (tests build many orgs); callers get a private copy they may mutate. */
function packageMetadata(dir: string): PackageMetadata {
  let cached = packageCache.get(dir);
  if (!cached) {
    cached = loadPackageMetadata(dir);
    packageCache.set(dir, cached);
  }
  return structuredClone(cached);
}

/** Every object of the org, with force-app's permission sets and custom permissions read on the way. */
export function buildObjects(
  seed: Seed,
  forceAppDir: string | undefined,
): { objects: ObjectDef[]; packageSets: PermissionSetDef[]; packagePermissions: string[] } {
  const objects = standardObjects();
  const catalog: Catalog = { objects, byName: new Map(objects.map((o) => [o.name.toLowerCase(), o])) };
  const pkg = forceAppDir
    ? packageMetadata(forceAppDir)
    : { objects: [], fieldExtensions: [], permissionSets: [], customPermissions: [] };
  for (const def of pkg.objects) add(catalog, def);
  for (const ext of pkg.fieldExtensions)
    addFields(catalog, ext.objectName, ext.fields, `force-app objects/${ext.objectName}`);
  addSeedObjects(seed, catalog);
  addValidationRules(seed, catalog);
  applySharingModels(seed, catalog);
  build('objects', () => resolveRollups(objects, (name) => catalog.byName.get(name.toLowerCase())));
  // Share objects (X__Share) for Private and Public Read Only custom objects, once the OWDs are final.
  objects.push(...buildShareObjects(objects));
  checkReferences(catalog);
  assignKeyPrefixes(objects);
  return { objects, packageSets: pkg.permissionSets, packagePermissions: pkg.customPermissions };
}

function add(catalog: Catalog, def: ObjectDef): void {
  catalog.objects.push(def);
  catalog.byName.set(def.name.toLowerCase(), def);
}

function addFields(catalog: Catalog, objectName: string, fields: ObjectDef['fields'], where: string): void {
  const def = catalog.byName.get(objectName.toLowerCase());
  if (!def) throw new SeedError(`${where}: unknown object '${objectName}'`);
  for (const f of fields) {
    if (def.fields.some((e) => e.name.toLowerCase() === f.name.toLowerCase()))
      throw new SeedError(`${where}: field ${def.name}.${f.name} is defined twice`);
    def.fields.push(f);
  }
}

/** The seed's `objects:`: a new custom object, or extra custom fields on an object that exists. */
function addSeedObjects(seed: Seed, catalog: Catalog): void {
  for (const [name, spec] of Object.entries(seed.objects)) {
    const existing = catalog.byName.get(name.toLowerCase());
    if (!existing) {
      add(catalog, seedObject(name, spec));
      continue;
    }
    if (spec.nameField || spec.sharingModel)
      throw new SeedError(`objects.${name}: existing objects accept only extra fields (use sharing: for OWD)`);
    const fields = Object.entries(spec.fields).map(([fieldName, f]) => {
      if (!fieldName.endsWith('__c'))
        throw new SeedError(`objects.${name}.fields.${fieldName}: extra fields must end in __c`);
      return build(`objects.${name}.fields.${fieldName}`, () =>
        buildCustomField({
          ...f,
          name: fieldName,
          values: f.values?.map((v) => (typeof v === 'string' ? { value: v } : v)),
        }),
      );
    });
    addFields(catalog, name, fields, `objects.${name}`);
  }
}

function seedObject(name: string, spec: ObjectSeed): ObjectDef {
  if (!name.endsWith('__c')) throw new SeedError(`objects.${name}: new objects must be custom (end in __c)`);
  const fields = Object.entries(spec.fields).map(([fieldName, f]) =>
    build(`objects.${name}.fields.${fieldName}`, () =>
      buildCustomField({
        ...f,
        name: fieldName,
        values: f.values?.map((v) => (typeof v === 'string' ? { value: v } : v)),
      }),
    ),
  );
  const sharingModel = spec.sharingModel ?? 'ReadWrite';
  if (sharingModel === 'ControlledByParent' && !fields.some((f) => f.masterDetail)) {
    throw new SeedError(`objects.${name}: sharingModel ControlledByParent requires a MasterDetail field`);
  }
  const hasOwner = sharingModel !== 'ControlledByParent';
  const label = spec.label ?? name.replace(/__c$/, '').replace(/_/g, ' ');
  return {
    name,
    label,
    labelPlural: spec.pluralLabel ?? `${label}s`,
    keyPrefix: '',
    custom: true,
    kind: 'custom',
    sharingModel,
    hasOwner,
    fields: [
      ...systemFields({ owned: hasOwner, ownerTargets: QUEUE_OWNED }),
      build(`objects.${name}.nameField`, () => buildNameField(spec.nameField ?? {})),
      ...fields,
    ],
    description: spec.description ?? null,
  };
}

/** The seed's validation rules, each checked against its object's fields. */
function addValidationRules(seed: Seed, catalog: Catalog): void {
  for (const [name, spec] of Object.entries(seed.objects)) {
    const def = catalog.byName.get(name.toLowerCase());
    if (!def || spec.validationRules.length === 0) continue;
    def.validationRules = spec.validationRules.map((rule, i) => {
      const built: ValidationRuleDef = {
        name: rule.name,
        formula: rule.formula,
        message: rule.message,
        field: rule.field ?? null,
        active: rule.active,
      };
      try {
        checkRule(built, def);
      } catch (error) {
        throw new SeedError(`objects.${name}.validationRules[${i}] (${rule.name}): ${(error as Error).message}`);
      }
      return built;
    });
  }
}

/** The seed's `sharing:` overrides of organization-wide defaults. */
function applySharingModels(seed: Seed, catalog: Catalog): void {
  for (const [name, model] of Object.entries(seed.sharing)) {
    const def = catalog.byName.get(name.toLowerCase());
    if (!def) throw new SeedError(`sharing.${name}: unknown object '${name}'`);
    if (!def.hasOwner) throw new SeedError(`sharing.${name}: ${def.name} has no owner, its sharing cannot be set`);
    def.sharingModel = model;
  }
}

/** Every lookup points at an object the catalog has. */
function checkReferences(catalog: Catalog): void {
  for (const def of catalog.objects) {
    for (const f of def.fields) {
      for (const target of f.referenceTo) {
        if (!catalog.byName.has(target.toLowerCase()))
          throw new SeedError(`${def.name}.${f.name}: references unknown object '${target}'`);
      }
    }
  }
}
