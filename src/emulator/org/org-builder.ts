/**
 * Assembles an org definition: standard objects + force-app metadata + the seed's extra objects, sharing
 * overrides, key prefixes, profiles/permission sets, roles, users and connected apps. Every dangling name in
 * the seed is a SeedError naming it.
 */
import { createHash } from 'node:crypto';
import { buildCustomField, buildNameField, FieldSpecError } from './custom-fields.ts';
import { QUEUE_OWNED, systemFields } from './field-factory.ts';
import { makeId } from './ids.ts';
import { loadPackageMetadata } from './metadata-loader.ts';
import { resolveRollups } from './rollups.ts';
import type { PackageMetadata } from './metadata-loader.ts';
import type {
  ConnectedAppDef,
  ObjectDef,
  ObjectPermission,
  PermissionSetDef,
  PermissionSetGroupDef,
  RoleDef,
  UserDef,
} from './model.ts';
import { loadNotificationTypes, type NotificationTypeDef } from './notification-types.ts';
import { assignKeyPrefixes, OrgSchema } from './schema.ts';
import { buildShareObjects } from './sharing.ts';
import { resolveCertificate, SeedError } from './seed.ts';
import type { ObjectSeed, PermissionSetSeed, Seed } from './seed.ts';
import { standardObjects } from './standard-objects.ts';
import { checkRule, type ValidationRuleDef } from './validation-rules.ts';

export interface OrgDefinition {
  orgId: string;
  schema: OrgSchema;
  profiles: Map<string, PermissionSetDef>;
  permissionSets: Map<string, PermissionSetDef>;
  /** Permission set groups by lower-cased name. */
  permissionSetGroups: Map<string, PermissionSetGroupDef>;
  /** Every custom permission the org knows (force-app and seed), by lower-cased name to its API name. */
  customPermissions: Map<string, string>;
  /** The custom permissions force-app defines (API names). */
  packageCustomPermissions: string[];
  roles: Map<string, RoleDef>;
  users: UserDef[];
  userKeys: Map<string, UserDef>;
  connectedApps: ConnectedAppDef[];
  seed: Seed;
  /** Custom notification types from force-app (`CustomNotificationType` records). */
  notificationTypes?: NotificationTypeDef[];
}

function build<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FieldSpecError) throw new SeedError(`${where}: ${error.message}`);
    throw error;
  }
}

/**
 * Each seed is its own org: the ID is derived from the seed's content, so state kept per org (replay checkpoints,
 * de-duplication, dead letters) never leaks from one seed's org into another's.
 */
export function orgIdFor(seed: Seed): string {
  const digest = createHash('sha256').update(JSON.stringify(seed)).digest();
  return makeId('00D', Number(digest.readBigUInt64BE(0) % 13_537_086_546_263_552n) || 1); // 62^9: the ID's counter digits
}

const packageCache = new Map<string, PackageMetadata>();
const notificationTypeCache = new Map<string, NotificationTypeDef[]>();

/** force-app is read once per process (tests build many orgs); callers get a private copy they may mutate. */
function packageMetadata(dir: string): PackageMetadata {
  let cached = packageCache.get(dir);
  if (!cached) {
    cached = loadPackageMetadata(dir);
    packageCache.set(dir, cached);
  }
  return structuredClone(cached);
}

function packageNotificationTypes(dir: string): NotificationTypeDef[] {
  let cached = notificationTypeCache.get(dir);
  if (!cached) {
    cached = loadNotificationTypes(dir);
    notificationTypeCache.set(dir, cached);
  }
  return cached;
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

function buildObjects(
  seed: Seed,
  forceAppDir: string | undefined,
): { objects: ObjectDef[]; packageSets: PermissionSetDef[]; packagePermissions: string[] } {
  const objects = standardObjects();
  const byName = new Map(objects.map((o) => [o.name.toLowerCase(), o]));
  const pkg = forceAppDir
    ? packageMetadata(forceAppDir)
    : { objects: [], fieldExtensions: [], permissionSets: [], customPermissions: [] };
  const addFields = (objectName: string, fields: ObjectDef['fields'], where: string): void => {
    const def = byName.get(objectName.toLowerCase());
    if (!def) throw new SeedError(`${where}: unknown object '${objectName}'`);
    for (const f of fields) {
      if (def.fields.some((e) => e.name.toLowerCase() === f.name.toLowerCase()))
        throw new SeedError(`${where}: field ${def.name}.${f.name} is defined twice`);
      def.fields.push(f);
    }
  };
  for (const def of pkg.objects) {
    objects.push(def);
    byName.set(def.name.toLowerCase(), def);
  }
  for (const ext of pkg.fieldExtensions) addFields(ext.objectName, ext.fields, `force-app objects/${ext.objectName}`);
  for (const [name, spec] of Object.entries(seed.objects)) {
    const existing = byName.get(name.toLowerCase());
    if (!existing) {
      const def = seedObject(name, spec);
      objects.push(def);
      byName.set(name.toLowerCase(), def);
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
    addFields(name, fields, `objects.${name}`);
  }
  for (const [name, spec] of Object.entries(seed.objects)) {
    const def = byName.get(name.toLowerCase());
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
  for (const [name, model] of Object.entries(seed.sharing)) {
    const def = byName.get(name.toLowerCase());
    if (!def) throw new SeedError(`sharing.${name}: unknown object '${name}'`);
    if (!def.hasOwner) throw new SeedError(`sharing.${name}: ${def.name} has no owner, its sharing cannot be set`);
    def.sharingModel = model;
  }
  build('objects', () => resolveRollups(objects, (name) => byName.get(name.toLowerCase())));
  // Share objects (X__Share) for Private and Public Read Only custom objects, once the OWDs are final.
  objects.push(...buildShareObjects(objects));
  for (const def of objects) {
    for (const f of def.fields) {
      for (const target of f.referenceTo) {
        if (!byName.has(target.toLowerCase()))
          throw new SeedError(`${def.name}.${f.name}: references unknown object '${target}'`);
      }
    }
  }
  assignKeyPrefixes(objects);
  return { objects, packageSets: pkg.permissionSets, packagePermissions: pkg.customPermissions };
}

function toPermission(access: PermissionSetSeed['objects'][string]): Partial<ObjectPermission> {
  if (typeof access !== 'string') {
    return Object.fromEntries(Object.entries(access).filter(([, v]) => v !== undefined)) as Partial<ObjectPermission>;
  }
  return {
    create: access.includes('C'),
    read: access.includes('R'),
    edit: access.includes('E'),
    delete: access.includes('D'),
    viewAll: access.includes('V'),
    modifyAll: access.includes('M'),
  };
}

function seedPermissionSet(
  spec: PermissionSetSeed,
  isProfile: boolean,
  schema: OrgSchema,
  where: string,
  customPermissions: Map<string, string>,
): PermissionSetDef {
  const enabled = spec.customPermissions.map((permission) => {
    const known = customPermissions.get(permission.toLowerCase());
    if (!known)
      throw new SeedError(
        `${where}.customPermissions: unknown custom permission '${permission}' (define it in force-app or the seed's customPermissions)`,
      );
    return known;
  });
  const objects: PermissionSetDef['objects'] = {};
  for (const [obj, access] of Object.entries(spec.objects)) {
    const def = schema.object(obj);
    if (!def) throw new SeedError(`${where}.objects: unknown object '${obj}'`);
    objects[def.name] = toPermission(access);
  }
  const fields: PermissionSetDef['fields'] = {};
  for (const [key, access] of Object.entries(spec.fields)) {
    const [obj = '', field = ''] = key.split('.');
    const def = schema.object(obj);
    if (!def) throw new SeedError(`${where}.fields: unknown object '${obj}' in '${key}'`);
    const fieldDef = field === '*' ? undefined : schema.field(def.name, field);
    if (field !== '*' && !fieldDef) throw new SeedError(`${where}.fields: unknown field '${key}'`);
    fields[`${def.name}.${fieldDef?.name ?? '*'}`] = { read: access !== 'none', edit: access === 'edit' };
  }
  return {
    name: spec.name,
    label: spec.label ?? spec.name,
    isProfile,
    objects,
    fields,
    userPermissions: spec.userPermissions,
    customPermissions: enabled,
    apexClasses: spec.apexClasses,
  };
}

function buildRoles(seed: Seed): Map<string, RoleDef> {
  const byName = new Map<string, RoleDef>();
  seed.roles.forEach((r, i) => {
    if (byName.has(r.name.toLowerCase())) throw new SeedError(`roles[${i}]: duplicate role '${r.name}'`);
    byName.set(r.name.toLowerCase(), { id: makeId('00E', i + 1), name: r.name, parentRoleId: null });
  });
  seed.roles.forEach((r, i) => {
    if (!r.parent) return;
    const parent = byName.get(r.parent.toLowerCase());
    if (!parent) throw new SeedError(`roles[${i}] (${r.name}): unknown parent role '${r.parent}'`);
    const role = byName.get(r.name.toLowerCase());
    if (role) role.parentRoleId = parent.id;
  });
  const byId = new Map([...byName.values()].map((r) => [r.id, r]));
  for (const role of byId.values()) {
    const seen = new Set<string>();
    for (let cur: RoleDef | undefined = role; cur; cur = cur.parentRoleId ? byId.get(cur.parentRoleId) : undefined) {
      if (seen.has(cur.id)) throw new SeedError(`roles: the hierarchy above '${role.name}' has a cycle`);
      seen.add(cur.id);
    }
  }
  return byName;
}

/** Builds everything except records; throws SeedError/MetadataError on any inconsistency. */
export function buildOrgDefinition(
  seed: Seed,
  options: { forceAppDir?: string | undefined; baseDir: string },
): OrgDefinition {
  const { objects, packageSets, packagePermissions } = buildObjects(seed, options.forceAppDir);
  const schema = new OrgSchema(objects);
  const customPermissions = new Map(packagePermissions.map((n) => [n.toLowerCase(), n]));
  seed.customPermissions.forEach((n, i) => {
    if (customPermissions.has(n.toLowerCase()))
      throw new SeedError(`customPermissions[${i}]: '${n}' already exists (force-app or seed)`);
    customPermissions.set(n.toLowerCase(), n);
  });
  const profiles = new Map<string, PermissionSetDef>();
  seed.profiles.forEach((p, i) => {
    if (profiles.has(p.name.toLowerCase())) throw new SeedError(`profiles[${i}]: duplicate profile '${p.name}'`);
    profiles.set(
      p.name.toLowerCase(),
      seedPermissionSet(p, true, schema, `profiles[${i}] (${p.name})`, customPermissions),
    );
  });
  const permissionSets = new Map<string, PermissionSetDef>();
  for (const set of packageSets) permissionSets.set(set.name.toLowerCase(), set);
  seed.permissionSets.forEach((p, i) => {
    if (permissionSets.has(p.name.toLowerCase()))
      throw new SeedError(`permissionSets[${i}]: '${p.name}' already exists (force-app or seed)`);
    permissionSets.set(
      p.name.toLowerCase(),
      seedPermissionSet(p, false, schema, `permissionSets[${i}] (${p.name})`, customPermissions),
    );
  });
  const permissionSetGroups = new Map<string, PermissionSetGroupDef>();
  seed.permissionSetGroups.forEach((g, i) => {
    const where = `permissionSetGroups[${i}] (${g.name})`;
    if (permissionSetGroups.has(g.name.toLowerCase()) || permissionSets.has(g.name.toLowerCase())) {
      throw new SeedError(`${where}: '${g.name}' already names a permission set or group`);
    }
    const sets = g.permissionSets.map((name) => {
      const set = permissionSets.get(name.toLowerCase());
      if (!set) throw new SeedError(`${where}: unknown permission set '${name}'`);
      return set.name;
    });
    permissionSetGroups.set(g.name.toLowerCase(), { name: g.name, label: g.label ?? g.name, permissionSets: sets });
  });
  const roleByName = buildRoles(seed);
  const roles = new Map([...roleByName.values()].map((r) => [r.id, r]));
  const userKeys = new Map<string, UserDef>();
  const usernames = new Set<string>();
  const users = seed.users.map((u, i): UserDef => {
    const where = `users[${i}] (${u.key})`;
    if (userKeys.has(u.key)) throw new SeedError(`${where}: duplicate user key`);
    if (usernames.has(u.username.toLowerCase())) throw new SeedError(`${where}: duplicate username ${u.username}`);
    usernames.add(u.username.toLowerCase());
    const profile = profiles.get(u.profile.toLowerCase());
    if (!profile) throw new SeedError(`${where}: unknown profile '${u.profile}'`);
    const sets = u.permissionSets.map((name) => {
      const set = permissionSets.get(name.toLowerCase());
      if (!set) {
        throw new SeedError(
          `${where}: unknown permission set '${name}' (permission sets come from force-app/**/permissionsets or the seed)`,
        );
      }
      return set.name;
    });
    const groups = u.permissionSetGroups.map((name) => {
      const group = permissionSetGroups.get(name.toLowerCase());
      if (!group)
        throw new SeedError(`${where}: unknown permission set group '${name}' (define it under permissionSetGroups)`);
      return group.name;
    });
    const role = u.role === undefined ? undefined : roleByName.get(u.role.toLowerCase());
    if (u.role !== undefined && !role) throw new SeedError(`${where}: unknown role '${u.role}'`);
    const user: UserDef = {
      id: makeId('005', i + 1),
      username: u.username,
      firstName: u.firstName ?? '',
      lastName: u.lastName,
      email: u.email ?? u.username,
      isActive: u.active,
      profile: profile.name,
      permissionSets: sets,
      permissionSetGroups: groups,
      roleId: role?.id ?? null,
      timeZoneSidKey: u.timeZone,
    };
    userKeys.set(u.key, user);
    return user;
  });
  seed.users.forEach((u, i) => {
    if (u.manager !== undefined && !userKeys.has(u.manager))
      throw new SeedError(`users[${i}] (${u.key}): unknown manager '${u.manager}'`);
  });
  const connectedApps = seed.connectedApps.map((app, i): ConnectedAppDef => {
    for (const p of app.preAuthorized.profiles) {
      if (!profiles.has(p.toLowerCase()))
        throw new SeedError(`connectedApps[${i}] (${app.name}): unknown profile '${p}'`);
    }
    for (const p of app.preAuthorized.permissionSets) {
      if (!permissionSets.has(p.toLowerCase()))
        throw new SeedError(`connectedApps[${i}] (${app.name}): unknown permission set '${p}'`);
    }
    return {
      name: app.name,
      consumerKey: app.consumerKey,
      certificatePem: resolveCertificate(app, options.baseDir),
      preAuthorizedProfiles: app.preAuthorized.profiles,
      preAuthorizedPermissionSets: app.preAuthorized.permissionSets,
    };
  });
  const notificationTypes = options.forceAppDir === undefined ? [] : packageNotificationTypes(options.forceAppDir);
  return {
    orgId: orgIdFor(seed),
    schema,
    profiles,
    permissionSets,
    permissionSetGroups,
    customPermissions,
    packageCustomPermissions: packagePermissions,
    roles,
    users,
    userKeys,
    connectedApps,
    seed,
    notificationTypes,
  };
}
