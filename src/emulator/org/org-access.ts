/**
 * Who may do what in the org: custom permissions, profiles, permission sets and groups, the role hierarchy, users and
 * connected apps, built from the seed and force-app. Every dangling name is a SeedError naming it.
 */
import { makeId } from './ids.ts';
import type {
  ConnectedAppDef,
  ObjectPermission,
  PermissionSetDef,
  PermissionSetGroupDef,
  RoleDef,
  UserDef,
} from './model.ts';
import type { OrgSchema } from './schema.ts';
import { resolveCertificate, SeedError } from './seed.ts';
import type { PermissionSetSeed, Seed } from './seed.ts';

/** The org's permission model, by lower-cased name. */
export interface OrgAccess {
  customPermissions: Map<string, string>;
  profiles: Map<string, PermissionSetDef>;
  permissionSets: Map<string, PermissionSetDef>;
  permissionSetGroups: Map<string, PermissionSetGroupDef>;
  roleByName: Map<string, RoleDef>;
}

export function buildAccess(
  seed: Seed,
  schema: OrgSchema,
  pkg: { packageSets: PermissionSetDef[]; packagePermissions: string[] },
): OrgAccess {
  const customPermissions = buildCustomPermissions(seed, pkg.packagePermissions);
  const profiles = buildProfiles(seed, schema, customPermissions);
  const permissionSets = buildPermissionSets(seed, schema, pkg.packageSets, customPermissions);
  const permissionSetGroups = buildPermissionSetGroups(seed, permissionSets);
  return { customPermissions, profiles, permissionSets, permissionSetGroups, roleByName: buildRoles(seed) };
}

/** force-app's custom permissions and the seed's, by lower-cased name to the API name. */
function buildCustomPermissions(seed: Seed, packagePermissions: string[]): Map<string, string> {
  const customPermissions = new Map(packagePermissions.map((n) => [n.toLowerCase(), n]));
  seed.customPermissions.forEach((n, i) => {
    if (customPermissions.has(n.toLowerCase()))
      throw new SeedError(`customPermissions[${i}]: '${n}' already exists (force-app or seed)`);
    customPermissions.set(n.toLowerCase(), n);
  });
  return customPermissions;
}

function buildProfiles(
  seed: Seed,
  schema: OrgSchema,
  customPermissions: Map<string, string>,
): Map<string, PermissionSetDef> {
  const profiles = new Map<string, PermissionSetDef>();
  seed.profiles.forEach((p, i) => {
    if (profiles.has(p.name.toLowerCase())) throw new SeedError(`profiles[${i}]: duplicate profile '${p.name}'`);
    profiles.set(
      p.name.toLowerCase(),
      seedPermissionSet(p, true, schema, `profiles[${i}] (${p.name})`, customPermissions),
    );
  });
  return profiles;
}

/** force-app's permission sets, then the seed's (a name may not come twice). */
function buildPermissionSets(
  seed: Seed,
  schema: OrgSchema,
  packageSets: PermissionSetDef[],
  customPermissions: Map<string, string>,
): Map<string, PermissionSetDef> {
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
  return permissionSets;
}

function buildPermissionSetGroups(
  seed: Seed,
  permissionSets: Map<string, PermissionSetDef>,
): Map<string, PermissionSetGroupDef> {
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
  return permissionSetGroups;
}

/** The seed's users (IDs in seed order), each profile, permission set, group, role and manager resolved. */
export function buildUsers(seed: Seed, access: OrgAccess): { users: UserDef[]; userKeys: Map<string, UserDef> } {
  const userKeys = new Map<string, UserDef>();
  const usernames = new Set<string>();
  const users = seed.users.map((u, i): UserDef => {
    const where = `users[${i}] (${u.key})`;
    if (userKeys.has(u.key)) throw new SeedError(`${where}: duplicate user key`);
    if (usernames.has(u.username.toLowerCase())) throw new SeedError(`${where}: duplicate username ${u.username}`);
    usernames.add(u.username.toLowerCase());
    const user = seedUser(u, i, where, access);
    userKeys.set(u.key, user);
    return user;
  });
  seed.users.forEach((u, i) => {
    if (u.manager !== undefined && !userKeys.has(u.manager))
      throw new SeedError(`users[${i}] (${u.key}): unknown manager '${u.manager}'`);
  });
  return { users, userKeys };
}

function seedUser(u: Seed['users'][number], i: number, where: string, access: OrgAccess): UserDef {
  const profile = access.profiles.get(u.profile.toLowerCase());
  if (!profile) throw new SeedError(`${where}: unknown profile '${u.profile}'`);
  const sets = u.permissionSets.map((name) => {
    const set = access.permissionSets.get(name.toLowerCase());
    if (!set) {
      throw new SeedError(
        `${where}: unknown permission set '${name}' (permission sets come from force-app/**/permissionsets or the seed)`,
      );
    }
    return set.name;
  });
  const groups = u.permissionSetGroups.map((name) => {
    const group = access.permissionSetGroups.get(name.toLowerCase());
    if (!group)
      throw new SeedError(`${where}: unknown permission set group '${name}' (define it under permissionSetGroups)`);
    return group.name;
  });
  const role = u.role === undefined ? undefined : access.roleByName.get(u.role.toLowerCase());
  if (u.role !== undefined && !role) throw new SeedError(`${where}: unknown role '${u.role}'`);
  return {
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
}

/** The seed's connected apps, pre-authorized for profiles and permission sets that exist. */
export function buildConnectedApps(seed: Seed, access: OrgAccess, baseDir: string): ConnectedAppDef[] {
  return seed.connectedApps.map((app, i): ConnectedAppDef => {
    for (const p of app.preAuthorized.profiles) {
      if (!access.profiles.has(p.toLowerCase()))
        throw new SeedError(`connectedApps[${i}] (${app.name}): unknown profile '${p}'`);
    }
    for (const p of app.preAuthorized.permissionSets) {
      if (!access.permissionSets.has(p.toLowerCase()))
        throw new SeedError(`connectedApps[${i}] (${app.name}): unknown permission set '${p}'`);
    }
    return {
      name: app.name,
      consumerKey: app.consumerKey,
      certificatePem: resolveCertificate(app, baseDir),
      preAuthorizedProfiles: app.preAuthorized.profiles,
      preAuthorizedPermissionSets: app.preAuthorized.permissionSets,
    };
  });
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
