/**
 * Materialises an org definition as records: Organization, roles, profiles, permission sets and assignments,
 * users (so they can be queried), groups and queues with their members, custom notification types, then the seed's
 * own records and shares, resolving `@ref` / `@user:key` / `@group:DeveloperName`.
 */
import type { DmlActor } from './dml-checks.ts';
import type { DmlEngine } from './dml.ts';
import { formatDateTime } from './field-values.ts';
import { makeId } from './ids.ts';
import { ApiError } from './model.ts';
import type { ObjectDef, SObjectRecord, UserAccess, UserDef } from './model.ts';
import type { OrgDefinition } from './org-builder.ts';
import type { MemoryRecordStore } from './record-store.ts';
import { SeedError } from './seed.ts';
import type { ShareAccess } from './security.ts';

export interface PopulateResult {
  refs: Map<string, string>;
  shares: Map<string, Map<string, ShareAccess>>;
}

interface Context {
  def: OrgDefinition;
  store: MemoryRecordStore;
  dml: DmlEngine;
  now: Date;
  access(userId: string): UserAccess;
}

/** Group IDs by lower-cased DeveloperName. */
type GroupIds = Map<string, string>;

function insertSetup(
  ctx: Context,
  objectName: string,
  id: string,
  values: Record<string, unknown>,
  creatorId: string,
): void {
  const def = ctx.def.schema.object(objectName) as ObjectDef;
  const now = formatDateTime(ctx.now);
  const record: SObjectRecord = { Id: id };
  for (const f of def.fields)
    record[f.name] = f.type === 'boolean' ? f.defaultValue === true : (f.defaultValue ?? null);
  Object.assign(record, values, {
    Id: id,
    IsDeleted: false,
    CreatedDate: now,
    CreatedById: creatorId,
    LastModifiedDate: now,
    LastModifiedById: creatorId,
    SystemModstamp: now,
  });
  ctx.store.insert(def, record);
}

function defaultOwner(def: OrgDefinition): UserDef {
  if (def.seed.defaultOwner !== undefined) {
    const user = def.userKeys.get(def.seed.defaultOwner);
    if (!user) throw new SeedError(`defaultOwner: unknown user key '${def.seed.defaultOwner}'`);
    return user;
  }
  const isAdmin = (u: UserDef): boolean =>
    [
      def.profiles.get(u.profile.toLowerCase()),
      ...u.permissionSets.map((p) => def.permissionSets.get(p.toLowerCase())),
    ].some((s) => s?.userPermissions.some((p) => p.toLowerCase() === 'modifyalldata'));
  return def.users.find(isAdmin) ?? (def.users[0] as UserDef);
}

/** Inserts one setup record as `creatorId` (the DML engine's checks do not apply to setup objects). */
type InsertSetup = (objectName: string, id: string, values: Record<string, unknown>) => void;

/** IDs handed out while the setup records go in; the DML engine reserves the counts afterwards. */
interface SetupIds {
  /** Profile IDs by lower-cased name. */
  profiles: Map<string, string>;
  /** PermissionSet IDs by lower-cased name, and `profile:<name>` for each profile's own set. */
  sets: Map<string, string>;
  /** Each permission set group's ID and its aggregate PermissionSet's, by lower-cased name. */
  groups: Map<string, { id: string; setId: string }>;
  setCount: number;
  components: number;
  assignments: number;
}

function populateSetup(ctx: Context, creatorId: string): void {
  const insert: InsertSetup = (objectName, id, values) => insertSetup(ctx, objectName, id, values, creatorId);
  const ids: SetupIds = {
    profiles: new Map(),
    sets: new Map(),
    groups: new Map(),
    setCount: 0,
    components: 0,
    assignments: 0,
  };
  insertOrganization(ctx, insert);
  for (const role of ctx.def.roles.values()) {
    insert('UserRole', role.id, {
      Name: role.name,
      DeveloperName: role.name.replace(/\W+/g, '_'),
      ParentRoleId: role.parentRoleId,
    });
  }
  insertProfiles(ctx, insert, ids);
  insertPermissionSets(ctx, insert, ids);
  insertPermissionSetGroups(ctx, insert, ids);
  insertUsers(ctx, insert, ids);
  const { def, dml } = ctx;
  dml.reserveIds('00D', 1);
  dml.reserveIds('00E', def.roles.size);
  dml.reserveIds('00e', def.profiles.size);
  dml.reserveIds('0PS', ids.setCount);
  dml.reserveIds('005', def.users.length);
  dml.reserveIds('0Pa', ids.assignments);
  dml.reserveIds('0PG', def.permissionSetGroups.size);
  dml.reserveIds('0PC', ids.components);
}

function insertOrganization(ctx: Context, insert: InsertSetup): void {
  const org = ctx.def.seed.org;
  insert('Organization', ctx.def.orgId, {
    Name: org.name,
    InstanceName: 'EM1',
    IsSandbox: false,
    NamespacePrefix: null,
    OrganizationType: org.edition,
    TimeZoneSidKey: 'America/Los_Angeles',
  });
}

/** Each profile, and the PermissionSet it owns (IsOwnedByProfile). */
function insertProfiles(ctx: Context, insert: InsertSetup, ids: SetupIds): void {
  [...ctx.def.profiles.values()].forEach((p, i) => {
    const id = makeId('00e', i + 1);
    ids.profiles.set(p.name.toLowerCase(), id);
    insert('Profile', id, { Name: p.name, UserType: 'Standard' });
    const setId = makeId('0PS', ++ids.setCount);
    ids.sets.set(`profile:${p.name.toLowerCase()}`, setId);
    insert('PermissionSet', setId, {
      Name: `X${id.slice(0, 15)}`,
      Label: p.name,
      IsOwnedByProfile: true,
      IsCustom: false,
      ProfileId: id,
    });
  });
}

function insertPermissionSets(ctx: Context, insert: InsertSetup, ids: SetupIds): void {
  for (const set of ctx.def.permissionSets.values()) {
    const setId = makeId('0PS', ++ids.setCount);
    ids.sets.set(set.name.toLowerCase(), setId);
    insert('PermissionSet', setId, {
      Name: set.name,
      Label: set.label,
      IsOwnedByProfile: false,
      IsCustom: true,
      Type: 'Regular',
    });
  }
}

/**
 * Each group has its own aggregate PermissionSet (Type Group): a group assignment points at it, never at the
 * included sets by name, which is why a name lookup misses users who get a set through a group.
 */
function insertPermissionSetGroups(ctx: Context, insert: InsertSetup, ids: SetupIds): void {
  [...ctx.def.permissionSetGroups.values()].forEach((group, i) => {
    const id = makeId('0PG', i + 1);
    const setId = makeId('0PS', ++ids.setCount);
    ids.groups.set(group.name.toLowerCase(), { id, setId });
    insert('PermissionSetGroup', id, { DeveloperName: group.name, MasterLabel: group.label, Status: 'Updated' });
    insert('PermissionSet', setId, {
      Name: `X${id.slice(0, 15)}`,
      Label: group.label,
      IsOwnedByProfile: false,
      IsCustom: true,
      Type: 'Group',
      PermissionSetGroupId: id,
    });
    for (const set of group.permissionSets) {
      insert('PermissionSetGroupComponent', makeId('0PC', ++ids.components), {
        PermissionSetGroupId: id,
        PermissionSetId: ids.sets.get(set.toLowerCase()),
      });
    }
  });
}

/** Each user, then their assignments: the profile's set, their permission sets, their groups. */
function insertUsers(ctx: Context, insert: InsertSetup, ids: SetupIds): void {
  const { def } = ctx;
  const managers = new Map(def.seed.users.map((u) => [u.username.toLowerCase(), u.manager]));
  for (const user of def.users) {
    const managerKey = managers.get(user.username.toLowerCase());
    insert('User', user.id, {
      Username: user.username,
      FirstName: user.firstName || null,
      LastName: user.lastName,
      Name: [user.firstName, user.lastName].filter((p) => p).join(' '),
      Email: user.email,
      Alias: (user.firstName.slice(0, 1) + user.lastName).slice(0, 8).toLowerCase(),
      IsActive: user.isActive,
      ProfileId: ids.profiles.get(user.profile.toLowerCase()),
      UserRoleId: user.roleId,
      ManagerId: managerKey ? (def.userKeys.get(managerKey)?.id ?? null) : null,
      TimeZoneSidKey: user.timeZoneSidKey,
    });
    for (const key of [`profile:${user.profile.toLowerCase()}`, ...user.permissionSets.map((p) => p.toLowerCase())]) {
      insert('PermissionSetAssignment', makeId('0Pa', ++ids.assignments), {
        AssigneeId: user.id,
        PermissionSetId: ids.sets.get(key),
        PermissionSetGroupId: null,
      });
    }
    for (const name of user.permissionSetGroups ?? []) {
      const group = ids.groups.get(name.toLowerCase()) as { id: string; setId: string };
      insert('PermissionSetAssignment', makeId('0Pa', ++ids.assignments), {
        AssigneeId: user.id,
        PermissionSetId: group.setId,
        PermissionSetGroupId: group.id,
      });
    }
  }
}

/** Seed groups and queues (type Regular or Queue) and their members, users or nested groups. */
function populateGroups(ctx: Context, creatorId: string): GroupIds {
  const groups: GroupIds = new Map();
  ctx.def.seed.groups.forEach((group, i) => {
    const key = group.developerName.toLowerCase();
    if (groups.has(key)) throw new SeedError(`groups[${i}]: duplicate group '${group.developerName}'`);
    groups.set(key, makeId('00G', i + 1));
  });
  let members = 0;
  ctx.def.seed.groups.forEach((group, i) => {
    const id = groups.get(group.developerName.toLowerCase()) as string;
    insertSetup(
      ctx,
      'Group',
      id,
      {
        Name: group.name,
        DeveloperName: group.developerName,
        Type: group.type,
        Email: group.email ?? null,
        DoesSendEmailToMembers: false,
        DoesIncludeBosses: group.type === 'Regular',
        RelatedId: null,
        OwnerId: creatorId,
      },
      creatorId,
    );
    const seen = new Set<string>();
    group.members.forEach((member, j) => {
      const where = `groups[${i}] (${group.developerName}).members[${j}]`;
      const isUser = member.startsWith('@user:');
      const memberId = isUser
        ? ctx.def.userKeys.get(member.slice('@user:'.length))?.id
        : groups.get(member.slice('@group:'.length).toLowerCase());
      if (!memberId) throw new SeedError(`${where}: unknown ${isUser ? 'user' : 'group'} '${member}'`);
      if (memberId === id) throw new SeedError(`${where}: a group cannot contain itself`);
      if (seen.has(memberId)) throw new SeedError(`${where}: '${member}' is listed twice`);
      seen.add(memberId);
      insertSetup(ctx, 'GroupMember', makeId('011', ++members), { GroupId: id, UserOrGroupId: memberId }, creatorId);
    });
  });
  ctx.dml.reserveIds('00G', groups.size);
  ctx.dml.reserveIds('011', members);
  return groups;
}

/** The package's custom notification types (`force-app/**\/notificationtypes`). */
function populateNotificationTypes(ctx: Context, creatorId: string): void {
  const types = ctx.def.notificationTypes ?? [];
  types.forEach((type, i) => {
    insertSetup(
      ctx,
      'CustomNotificationType',
      makeId('0ML', i + 1),
      {
        DeveloperName: type.developerName,
        MasterLabel: type.masterLabel,
        CustomNotifTypeName: type.customNotifTypeName,
        Description: type.description,
        Desktop: type.desktop,
        Mobile: type.mobile,
        Language: 'en_US',
        NamespacePrefix: null,
      },
      creatorId,
    );
  });
  ctx.dml.reserveIds('0ML', types.length);
}

function resolveValue(
  ctx: Context,
  refs: Map<string, string>,
  value: unknown,
  where: string,
  groups: GroupIds = new Map(),
): unknown {
  if (typeof value !== 'string' || !value.startsWith('@')) return value;
  if (value.startsWith('@@')) return value.slice(1);
  if (value.startsWith('@user:')) {
    const user = ctx.def.userKeys.get(value.slice(6));
    if (!user) throw new SeedError(`${where}: unknown user '${value}'`);
    return user.id;
  }
  if (value.startsWith('@group:')) {
    const id = groups.get(value.slice('@group:'.length).toLowerCase());
    if (!id) throw new SeedError(`${where}: unknown group '${value}'`);
    return id;
  }
  const id = refs.get(value.slice(1));
  if (!id) throw new SeedError(`${where}: unknown ref '${value}' (records must be defined before they are referenced)`);
  return id;
}

/** Inserts every seed record through DML in system mode, so values are validated exactly like API writes. */
export function populate(ctx: Context): PopulateResult {
  const owner = defaultOwner(ctx.def);
  populateSetup(ctx, owner.id);
  const groups = populateGroups(ctx, owner.id);
  populateNotificationTypes(ctx, owner.id);
  const refs = new Map<string, string>();
  for (const [objectName, records] of Object.entries(ctx.def.seed.records)) {
    if (!ctx.def.schema.object(objectName))
      throw new SeedError(`records.${objectName}: unknown object '${objectName}'`);
    records.forEach((raw, i) => {
      const where = `records.${objectName}[${i}]`;
      const { ref, ...fields } = raw;
      if (ref !== undefined && (typeof ref !== 'string' || refs.has(ref)))
        throw new SeedError(`${where}: ref must be a unique string, got ${String(ref)}`);
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) values[k] = resolveValue(ctx, refs, v, `${where}.${k}`, groups);
      // The owner creates the record; a queue cannot act, so the default owner creates records a queue owns.
      const creator =
        typeof values['OwnerId'] === 'string' && ctx.def.users.some((u) => u.id === values['OwnerId'])
          ? values['OwnerId']
          : owner.id;
      const actor: DmlActor = { access: ctx.access(creator), system: true };
      try {
        const { id } = ctx.dml.create(actor, objectName, values);
        if (typeof ref === 'string') refs.set(ref, id);
      } catch (error) {
        if (error instanceof ApiError) throw new SeedError(`${where}: ${error.errorCode}: ${error.message}`);
        throw error;
      }
    });
  }
  // Shares of records whose object has a share table become Manual share rows; other objects (standard ones, or
  // Public Read/Write custom objects) keep a plain grant that only record access reads.
  const shares = new Map<string, Map<string, ShareAccess>>();
  ctx.def.seed.shares.forEach((s, i) => {
    const recordId = resolveValue(ctx, refs, s.record, `shares[${i}].record`) as string;
    const userId = resolveValue(ctx, refs, s.user, `shares[${i}].user`, groups) as string;
    const entry = ctx.store.get(recordId);
    if (entry && ctx.dml.sharing.shareObjectOf(entry.object)) {
      ctx.dml.sharing.setManual(entry, userId, s.access, owner.id);
      return;
    }
    if (s.user.startsWith('@group:'))
      throw new SeedError(
        `shares[${i}]: ${entry?.object.name ?? 'the record'} has no share object, so it cannot be shared with a group`,
      );
    let forRecord = shares.get(recordId);
    if (!forRecord) shares.set(recordId, (forRecord = new Map()));
    forRecord.set(userId, s.access);
  });
  return { refs, shares };
}
