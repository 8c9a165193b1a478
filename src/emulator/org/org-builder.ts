/**
 * Assembles an org definition: its objects (org-objects.ts), then who may do what (org-access.ts): profiles,
 * permission sets, roles, users and connected apps. Every dangling name in the seed is a SeedError naming it.
 */
import { createHash } from 'node:crypto';
import { makeId } from './ids.ts';
import type { ConnectedAppDef, PermissionSetDef, PermissionSetGroupDef, RoleDef, UserDef } from './model.ts';
import { loadNotificationTypes, type NotificationTypeDef } from './notification-types.ts';
import { buildAccess, buildConnectedApps, buildUsers } from './org-access.ts';
import { buildObjects } from './org-objects.ts';
import { OrgSchema } from './schema.ts';
import type { Seed } from './seed.ts';

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

/**
 * Each seed is its own org: the ID is derived from the seed's content, so state kept per org (replay checkpoints,
 * de-duplication, dead letters) never leaks from one seed's org into another's.
 */
export function orgIdFor(seed: Seed): string {
  const digest = createHash('sha256').update(JSON.stringify(seed)).digest();
  return makeId('00D', Number(digest.readBigUInt64BE(0) % 13_537_086_546_263_552n) || 1); // 62^9: the ID's counter digits
}

const notificationTypeCache = new Map<string, NotificationTypeDef[]>();

function packageNotificationTypes(dir: string): NotificationTypeDef[] {
  let cached = notificationTypeCache.get(dir);
  if (!cached) {
    cached = loadNotificationTypes(dir);
    notificationTypeCache.set(dir, cached);
  }
  return cached;
}

/** Builds everything except records; throws SeedError/MetadataError on any inconsistency. */
export function buildOrgDefinition(
  seed: Seed,
  options: { forceAppDir?: string | undefined; baseDir: string },
): OrgDefinition {
  const { objects, packageSets, packagePermissions } = buildObjects(seed, options.forceAppDir);
  const schema = new OrgSchema(objects);
  const access = buildAccess(seed, schema, { packageSets, packagePermissions });
  const roles = new Map([...access.roleByName.values()].map((r) => [r.id, r]));
  const { users, userKeys } = buildUsers(seed, access);
  const connectedApps = buildConnectedApps(seed, access, options.baseDir);
  const notificationTypes = options.forceAppDir === undefined ? [] : packageNotificationTypes(options.forceAppDir);
  return {
    orgId: orgIdFor(seed),
    schema,
    profiles: access.profiles,
    permissionSets: access.permissionSets,
    permissionSetGroups: access.permissionSetGroups,
    customPermissions: access.customPermissions,
    packageCustomPermissions: packagePermissions,
    roles,
    users,
    userKeys,
    connectedApps,
    seed,
    notificationTypes,
  };
}
