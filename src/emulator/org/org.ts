/**
 * The emulated org: schema, security, records and DML behind the OrgApi facade used by the REST and
 * streaming layers. Build one with `createOrg` (parsed seed or seed path) or `loadOrgFromSeedFile`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { executeQuery } from '../soql/index.ts';
import { isUserRecordAccessQuery, runUserRecordAccess } from '../soql/user-record-access.ts';
import { describeGlobal, describeSObject } from './describe.ts';
import type { DmlActor } from './dml-checks.ts';
import { DmlEngine } from './dml.ts';
import { canonicalId } from './ids.ts';
import { ApiError } from './model.ts';
import type {
  ConnectedAppDef,
  EventSink,
  OrgApi,
  OrgSettings,
  PermissionSetDef,
  QueryResult,
  RecordStore,
  UserAccess,
  UserDef,
} from './model.ts';
import { buildOrgDefinition } from './org-builder.ts';
import type { OrgDefinition } from './org-builder.ts';
import { MemoryRecordStore } from './record-store.ts';
import type { OrgSchema } from './schema.ts';
import { populate } from './seed-records.ts';
import { parseSeed, readSeedFile } from './seed.ts';
import type { SeedInput } from './seed.ts';
import { OrgUserAccess } from './security.ts';
import type { SecurityModel, ShareAccess } from './security.ts';

/** The repository's own package, used when no forceAppDir is given. */
export const DEFAULT_FORCE_APP_DIR = fileURLToPath(new URL('../../../force-app', import.meta.url));
/** The sample seed (`loom emulator` default). */
export const DEFAULT_SEED_PATH = fileURLToPath(new URL('../../../scripts/seeds/lending.yaml', import.meta.url));

export interface CreateOrgOptions {
  /** SFDX source folder with the package metadata; default the repository's `force-app/`; null for none. */
  forceAppDir?: string | null | undefined;
  /** A parsed seed object or the path of a YAML seed file. */
  seed: SeedInput | string;
  /** Folder that `certificateFile` paths of an inline seed resolve against (default: the working directory). */
  baseDir?: string;
  /** Clock for CreatedDate etc. (tests). */
  now?: () => Date;
}

export class Org implements OrgApi {
  readonly orgId: string;
  readonly orgName: string;
  readonly schema: OrgSchema;
  readonly store: RecordStore;
  private readonly records = new MemoryRecordStore();
  private readonly dml: DmlEngine;
  private readonly usersById: Map<string, UserDef>;
  private readonly usersByName: Map<string, UserDef>;
  private readonly accessCache = new Map<string, OrgUserAccess>();
  private readonly securityModel: SecurityModel;
  private refs = new Map<string, string>();
  private shares = new Map<string, Map<string, ShareAccess>>();
  private sink: EventSink | undefined;

  constructor(
    private readonly definition: OrgDefinition,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.orgId = definition.orgId;
    this.orgName = definition.seed.org.name;
    this.schema = definition.schema;
    this.store = this.records;
    this.usersById = new Map(definition.users.map((u) => [u.id, u]));
    this.usersByName = new Map(definition.users.map((u) => [u.username.toLowerCase(), u]));
    this.dml = new DmlEngine({ schema: this.schema, store: this.records, now: this.now, eventSink: () => this.sink });
    this.securityModel = {
      schema: this.schema,
      store: this.records,
      profile: (name) => definition.profiles.get(name.toLowerCase()),
      permissionSet: (name) => definition.permissionSets.get(name.toLowerCase()),
      permissionSetsOfGroups: (groups) =>
        groups.flatMap((g) => definition.permissionSetGroups.get(g.toLowerCase())?.permissionSets ?? []),
      userById: (id) => this.userById(id),
      role: (id) => definition.roles.get(id),
      share: (recordId, userId) => this.shareAccess(recordId, userId),
      isMember: (groupId, userId) => this.dml.sharing.groupsOf(userId).has(groupId),
    };
    this.populate();
  }

  private populate(): void {
    const result = populate({
      def: this.definition,
      store: this.records,
      dml: this.dml,
      now: this.now(),
      access: (id) => this.access(id),
    });
    this.refs = result.refs;
    this.shares = result.shares;
  }

  /** Org-wide settings from the seed (API limit, session timeout, edition). */
  get settings(): OrgSettings {
    return this.definition.seed.org;
  }

  /** Invocable actions declared in the seed (served by src/emulator/actions). */
  get actionDeclarations(): OrgDefinition['seed']['actions'] {
    return this.definition.seed.actions;
  }

  get dailyApiLimit(): number {
    return this.definition.seed.org.dailyApiLimit;
  }

  get sessionTimeoutSeconds(): number {
    return this.definition.seed.org.sessionTimeoutSeconds;
  }

  connectedApps(): ConnectedAppDef[] {
    return this.definition.connectedApps;
  }

  users(): UserDef[] {
    return this.definition.users;
  }

  userById(id: string): UserDef | undefined {
    const canonical = canonicalId(id);
    return canonical === undefined ? undefined : this.usersById.get(canonical);
  }

  userByUsername(username: string): UserDef | undefined {
    return this.usersByName.get(username.toLowerCase());
  }

  /** A seed user by its `key` (tests and demos). */
  userByKey(key: string): UserDef | undefined {
    return this.definition.userKeys.get(key);
  }

  /** The ID of a seed record by its `ref`; throws when unknown so tests fail loudly. */
  refId(ref: string): string {
    const id = this.refs.get(ref);
    if (!id) throw new Error(`unknown seed ref '${ref}'`);
    return id;
  }

  access(userId: string): UserAccess {
    const user = this.userById(userId);
    if (!user) throw new ApiError(404, 'NOT_FOUND', `Unknown user ${userId}`);
    let access = this.accessCache.get(user.id);
    if (!access) {
      access = new OrgUserAccess(user, this.securityModel);
      this.accessCache.set(user.id, access);
    }
    return access;
  }

  /**
   * Full access acting as `userId` (system context, like Apex without sharing): for test fixtures and the admin
   * surface only — no REST token ever resolves to it.
   */
  systemAccess(userId: string): UserAccess {
    const user = this.userById(userId);
    if (!user) throw new ApiError(404, 'NOT_FOUND', `Unknown user ${userId}`);
    return {
      user,
      canObject: () => true,
      canField: () => true,
      canRecord: () => true,
      hasPermissionSet: (name: string) => this.access(userId).hasPermissionSet(name),
      hasUserPermission: () => true,
    };
  }

  /**
   * The permission sets a user holds right now, as an org evaluates them: their profile plus every set named by their
   * live PermissionSetAssignment rows, a group assignment standing for every set of that group. Rows added by DML count.
   */
  private heldPermissionSets(userId: string): PermissionSetDef[] {
    const user = this.userById(userId);
    if (!user) return [];
    const held: PermissionSetDef[] = [];
    const profile = this.definition.profiles.get(user.profile.toLowerCase());
    if (profile) held.push(profile);
    const rows = this.records.all('PermissionSetAssignment').filter((row) => row['AssigneeId'] === user.id);
    for (const row of rows) {
      const set =
        typeof row['PermissionSetId'] === 'string' ? this.records.get(row['PermissionSetId'])?.record : undefined;
      if (!set || set['IsOwnedByProfile'] === true) continue;
      const groupId = set['PermissionSetGroupId'] ?? row['PermissionSetGroupId'];
      const names =
        typeof groupId === 'string'
          ? this.records
              .all('PermissionSetGroupComponent')
              .filter((c) => c['PermissionSetGroupId'] === groupId)
              .map((c) => this.records.get(String(c['PermissionSetId']))?.record['Name'])
          : [set['Name']];
      for (const name of names) {
        const def = typeof name === 'string' ? this.definition.permissionSets.get(name.toLowerCase()) : undefined;
        if (def) held.push(def);
      }
    }
    return held;
  }

  /** `FeatureManagement.checkPermission(name)` for this user: enabled by any permission set they hold (case-insensitive). */
  hasCustomPermission(userId: string, name: string): boolean {
    return this.heldPermissionSets(userId).some((set) =>
      (set.customPermissions ?? []).some((p) => p.toLowerCase() === name.toLowerCase()),
    );
  }

  /** Apex class access (profile or permission set), which a direct call such as Apex REST needs. */
  canInvokeApexClass(userId: string, className: string): boolean {
    return this.heldPermissionSets(userId).some((set) =>
      (set.apexClasses ?? []).some((c) => c.toLowerCase() === className.toLowerCase()),
    );
  }

  packageCustomPermissions(): string[] {
    return [...this.definition.packageCustomPermissions];
  }

  /** What share rows (or, for objects without a share object, the seed's plain grants) give a user on a record. */
  private shareAccess(recordId: string, userId: string): ShareAccess | undefined {
    const fromRows = this.dml.sharing.access(recordId, userId);
    const granted = this.shares.get(recordId)?.get(userId);
    if (fromRows === undefined || granted === undefined) return fromRows ?? granted;
    const rank = { Read: 1, Edit: 2, All: 3 } as const;
    return rank[fromRows] >= rank[granted] ? fromRows : granted;
  }

  /**
   * Grants a manual share, as the system (test fixtures); `null` removes it. For objects with a share object this is
   * a Manual `X__Share` row (queryable, and removed by an owner change like any); `userId` may also be a group's ID.
   */
  setShare(recordId: string, userId: string, access: ShareAccess | null): void {
    const record = canonicalId(recordId);
    const entry = record === undefined ? undefined : this.records.get(record);
    if (record === undefined || !entry) throw new Error(`setShare: unknown record ${recordId}`);
    if (this.dml.sharing.shareObjectOf(entry.object)) {
      const who = canonicalId(userId);
      const known =
        who !== undefined && (this.userById(who) !== undefined || this.records.get(who)?.object.name === 'Group');
      if (!known) throw new Error(`setShare: unknown user or group ${userId}`);
      const owner =
        typeof entry.record['OwnerId'] === 'string' ? entry.record['OwnerId'] : (this.definition.users[0]?.id ?? who);
      this.dml.sharing.setManual(entry, who, access, owner);
      return;
    }
    const user = this.userById(userId);
    if (!user) throw new Error(`setShare: unknown user ${userId}`);
    let forRecord = this.shares.get(record);
    if (!forRecord) this.shares.set(record, (forRecord = new Map()));
    if (access === null) forRecord.delete(user.id);
    else forRecord.set(user.id, access);
  }

  describeGlobal(access: UserAccess, apiVersion: string): Record<string, unknown> {
    return describeGlobal(this.schema, access, apiVersion);
  }

  describeSObject(access: UserAccess, objectName: string, apiVersion: string): Record<string, unknown> {
    return describeSObject(this.schema, access, objectName, apiVersion);
  }

  query(access: UserAccess, soql: string, options: { apiVersion: string; includeDeleted?: boolean }): QueryResult {
    if (isUserRecordAccessQuery(soql)) {
      const accessOf = (userId: string): UserAccess | undefined =>
        this.userById(userId) ? this.access(userId) : undefined;
      return runUserRecordAccess(soql, {
        schema: this.schema,
        store: this.records,
        access,
        accessOf,
        apiVersion: options.apiVersion,
      });
    }
    return executeQuery(soql, {
      schema: this.schema,
      store: this.records,
      access,
      apiVersion: options.apiVersion,
      now: this.now(),
      ...(options.includeDeleted !== undefined ? { includeDeleted: options.includeDeleted } : {}),
    });
  }

  private actor(access: UserAccess): DmlActor {
    return { access, system: false };
  }

  retrieve(
    access: UserAccess,
    objectName: string,
    id: string,
    options: { apiVersion: string; fields?: string[] },
  ): Record<string, unknown> {
    return this.dml.retrieve(this.actor(access), objectName, id, options);
  }

  create(access: UserAccess, objectName: string, fields: Record<string, unknown>): { id: string; eventUuid?: string } {
    return this.dml.create(this.actor(access), objectName, fields);
  }

  update(access: UserAccess, objectName: string, id: string, fields: Record<string, unknown>): void {
    this.dml.update(this.actor(access), objectName, id, fields);
  }

  delete(access: UserAccess, objectName: string, id: string): void {
    this.dml.delete(this.actor(access), objectName, id);
  }

  upsert(
    access: UserAccess,
    objectName: string,
    externalIdField: string,
    value: string,
    fields: Record<string, unknown>,
  ): { id: string; created: boolean } {
    return this.dml.upsert(this.actor(access), objectName, externalIdField, value, fields);
  }

  setEventSink(sink: EventSink): void {
    this.sink = sink;
  }

  transaction<T>(fn: () => T): T {
    return this.records.transaction(fn);
  }

  reset(): void {
    this.records.clear();
    this.dml.resetCounters();
    this.accessCache.clear();
    this.populate();
  }
}

/** Builds an org from a parsed seed or a seed file, with the package metadata from `forceAppDir`. */
export function createOrg(options: CreateOrgOptions): Org {
  const { seed, baseDir } =
    typeof options.seed === 'string'
      ? readSeedFile(options.seed)
      : { seed: parseSeed(options.seed, 'inline seed'), baseDir: options.baseDir ?? process.cwd() };
  const forceAppDir =
    options.forceAppDir === null
      ? undefined
      : (options.forceAppDir ?? (existsSync(DEFAULT_FORCE_APP_DIR) ? DEFAULT_FORCE_APP_DIR : undefined));
  return new Org(buildOrgDefinition(seed, { forceAppDir, baseDir }), options.now);
}

/** The org described by a YAML seed file (default: the lending sample), with the repository's force-app. */
export function loadOrgFromSeedFile(
  seedPath: string = DEFAULT_SEED_PATH,
  options: Omit<CreateOrgOptions, 'seed'> = {},
): Org {
  return createOrg({ ...options, seed: seedPath });
}
