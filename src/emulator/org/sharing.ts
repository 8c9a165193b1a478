/**
 * Record sharing as rows, like Salesforce's share tables. Every custom object whose organization-wide default is
 * Private or Public Read Only has a share object `X__Share` (objects that are Public Read/Write or controlled by a
 * master-detail parent have none, so naming one is INVALID_TYPE). Its rows are Id, ParentId, UserOrGroupId,
 * AccessLevel (Read | Edit | All), RowCause (Owner | Manual | Rule), LastModifiedDate/ById and IsDeleted:
 *
 * - The platform keeps one Owner row (AccessLevel All) per record and moves it when the owner changes; changing the
 *   owner also removes the record's Manual rows ("user managed sharing is removed when the record owner changes").
 * - A user with full access to the record (its owner, someone above the owner in the role hierarchy, Modify All on
 *   the object or Modify All Data) may insert, update (AccessLevel only) and delete Manual rows with Read or Edit.
 *   Everyone else gets INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY on insert and INSUFFICIENT_ACCESS_OR_READONLY on
 *   update or delete. A second insert for the same user or group updates the existing Manual row and returns its Id.
 * - Rows are visible to whoever can read the parent record.
 * - Record access reads the rows (see `access`): a row naming a group or queue grants its members, nested groups
 *   included. Deleting a row removes the access it gave.
 */
import {
  cannotOperate,
  checkReferences,
  checkRequired,
  entityIsDeleted,
  insufficientAccess,
  notFound,
  validateFields,
} from './dml-checks.ts';
import type { DmlActor } from './dml-checks.ts';
import { makeField, makeReference } from './field-factory.ts';
import { formatDateTime } from './field-values.ts';
import { canonicalId, malformedId } from './ids.ts';
import { ApiError } from './model.ts';
import type { FieldDef, ObjectDef, PicklistValue, RecordStore, SObjectRecord, UserAccess } from './model.ts';
import type { MemoryRecordStore } from './record-store.ts';
import type { OrgSchema } from './schema.ts';
import type { ShareAccess } from './security.ts';

/** Every custom object's share rows carry this key prefix, as in Salesforce. */
export const SHARE_KEY_PREFIX = '02c';
export const GROUP_KEY_PREFIX = '00G';

const RANK: Record<ShareAccess, number> = { Read: 1, Edit: 2, All: 3 };

/** `Loan_Application__c` → `Loan_Application__Share`. */
export function shareObjectName(objectName: string): string {
  return objectName.replace(/__c$/i, '__Share');
}

/** Custom objects with a Private or Public Read Only OWD have a share object. */
export function hasShareObject(def: ObjectDef): boolean {
  return (
    def.kind === 'custom' &&
    def.shareOf === undefined &&
    /__c$/i.test(def.name) &&
    (def.sharingModel === 'Private' || def.sharingModel === 'Read')
  );
}

/** The share objects of `objects` (call once the OWDs are final: seed `sharing:` overrides change them). */
export function buildShareObjects(objects: readonly ObjectDef[]): ObjectDef[] {
  return objects.filter(hasShareObject).map(shareObjectDef);
}

function values(entries: Array<[string, string]>, defaultValue?: string): PicklistValue[] {
  return entries.map(([value, label]) => ({ value, label, defaultValue: value === defaultValue, active: true }));
}

function shareObjectDef(parent: ObjectDef): ObjectDef {
  const system = { system: true, permissionable: false, nillable: false };
  const set = { nillable: false, permissionable: false, createOnly: true };
  const fields: FieldDef[] = [
    makeField('Id', 'id', { ...system, label: 'Share ID' }),
    makeReference('ParentId', [parent.name], {
      ...set,
      label: 'Parent ID',
      relationshipName: 'Parent',
      childRelationshipName: 'Shares',
    }),
    makeReference('UserOrGroupId', ['Group', 'User'], {
      ...set,
      label: 'User/Group ID',
      relationshipName: 'UserOrGroup',
    }),
    makeField('AccessLevel', 'picklist', {
      nillable: false,
      permissionable: false,
      label: 'Access Level',
      restrictedPicklist: true,
      picklistValues: values([
        ['Read', 'Read Only'],
        ['Edit', 'Read/Write'],
        ['All', 'Full Access'],
      ]),
    }),
    makeField('RowCause', 'picklist', {
      ...set,
      label: 'Sharing Reason',
      restrictedPicklist: true,
      defaultValue: 'Manual',
      picklistValues: values(
        [
          ['Owner', 'Owner'],
          ['Manual', 'Manual Sharing'],
          ['Rule', 'Sharing Rule'],
        ],
        'Manual',
      ),
    }),
    makeField('LastModifiedDate', 'datetime', { ...system, label: 'Last Modified Date' }),
    makeReference('LastModifiedById', ['User'], {
      ...system,
      label: 'Last Modified By ID',
      relationshipName: 'LastModifiedBy',
    }),
    makeField('IsDeleted', 'boolean', { ...system, label: 'Deleted', defaultValue: false }),
  ];
  return {
    name: shareObjectName(parent.name),
    label: `${parent.label} Share`,
    labelPlural: `${parent.label} Share`,
    keyPrefix: SHARE_KEY_PREFIX,
    custom: true,
    kind: 'custom',
    // Access to a row follows its parent record (security.ts); the OWD of the share object itself means nothing.
    sharingModel: 'ReadWrite',
    hasOwner: false,
    fields,
    description: null,
    shareOf: parent.name,
  };
}

/** Users in a group or queue, through nested groups (each group once), in membership order. */
export function usersInGroup(store: RecordStore, groupId: string): string[] {
  const members = store.all('GroupMember');
  const users: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const row of members) {
      if (row['GroupId'] !== id || typeof row['UserOrGroupId'] !== 'string') continue;
      const member = row['UserOrGroupId'];
      if (member.startsWith(GROUP_KEY_PREFIX)) visit(member);
      else if (!users.includes(member)) users.push(member);
    }
  };
  visit(groupId);
  return users;
}

export interface SharingEnvironment {
  schema: OrgSchema;
  store: MemoryRecordStore;
  now(): Date;
  nextId(keyPrefix: string): string;
}

type Entry = { object: ObjectDef; record: SObjectRecord };

function crossReference(id: string, field: string): ApiError {
  return new ApiError(
    400,
    'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
    `insufficient access rights on cross-reference id: ${id}`,
    [field],
  );
}

/**
 * Share rows for one org: the DML rules of `X__Share` objects, the Owner rows the platform maintains, and the access
 * the rows grant. Indexes are rebuilt whenever the store hands out a new array for a table (after any write to it).
 */
export class Sharing {
  private readonly byParent = new WeakMap<readonly SObjectRecord[], Map<string, SObjectRecord[]>>();
  private readonly memberships = new WeakMap<readonly SObjectRecord[], Map<string, Set<string>>>();
  private readonly shareDefs = new WeakMap<ObjectDef, ObjectDef | null>();

  constructor(private readonly env: SharingEnvironment) {}

  /** The share object of `def`'s records, if it has one (memoised: record access asks for every row it checks). */
  shareObjectOf(def: ObjectDef): ObjectDef | undefined {
    let share = this.shareDefs.get(def);
    if (share === undefined) {
      const candidate = this.env.schema.object(shareObjectName(def.name));
      share =
        candidate?.shareOf !== undefined && candidate.shareOf.toLowerCase() === def.name.toLowerCase()
          ? candidate
          : null;
      this.shareDefs.set(def, share);
    }
    return share ?? undefined;
  }

  /** Live share rows of one parent record (insertion order). */
  rowsOf(shareDef: ObjectDef, parentId: string): readonly SObjectRecord[] {
    // The store's incremental index when it has one: every record has an Owner row, so a per-table index rebuilt
    // after each write would cost a scan of all share rows per created record.
    if (this.env.store.children) return this.env.store.children(shareDef.name, 'ParentId', parentId);
    const table = this.env.store.all(shareDef.name);
    let index = this.byParent.get(table);
    if (!index) {
      index = new Map();
      for (const row of table) {
        const key = String(row['ParentId']);
        const list = index.get(key);
        if (list) list.push(row);
        else index.set(key, [row]);
      }
      this.byParent.set(table, index);
    }
    return index.get(parentId) ?? [];
  }

  /** Groups and queues `userOrGroupId` belongs to, directly or through nested groups. */
  groupsOf(userOrGroupId: string): Set<string> {
    const table = this.env.store.all('GroupMember');
    let cache = this.memberships.get(table);
    if (!cache) {
      cache = new Map();
      this.memberships.set(table, cache);
    }
    const known = cache.get(userOrGroupId);
    if (known) return known;
    const direct = new Map<string, string[]>();
    for (const row of table) {
      const member = row['UserOrGroupId'];
      const group = row['GroupId'];
      if (typeof member !== 'string' || typeof group !== 'string') continue;
      const list = direct.get(member);
      if (list) list.push(group);
      else direct.set(member, [group]);
    }
    const groups = new Set<string>();
    const pending = [...(direct.get(userOrGroupId) ?? [])];
    while (pending.length > 0) {
      const group = pending.pop() as string;
      if (groups.has(group)) continue;
      groups.add(group);
      pending.push(...(direct.get(group) ?? []));
    }
    cache.set(userOrGroupId, groups);
    return groups;
  }

  /** The strongest access share rows give `userId` on `recordId` (rows to the user or to a group they are in). */
  access(recordId: string, userId: string): ShareAccess | undefined {
    const entry = this.env.store.get(recordId);
    const shareDef = entry && this.shareObjectOf(entry.object);
    if (!entry || !shareDef) return undefined;
    const rows = this.rowsOf(shareDef, entry.record.Id);
    if (rows.length === 0) return undefined;
    let best: ShareAccess | undefined;
    let groups: Set<string> | undefined;
    for (const row of rows) {
      const who = row['UserOrGroupId'];
      if (typeof who !== 'string') continue;
      if (who !== userId) {
        if (!who.startsWith(GROUP_KEY_PREFIX)) continue;
        groups ??= this.groupsOf(userId);
        if (!groups.has(who)) continue;
      }
      const level = row['AccessLevel'] as ShareAccess;
      if (RANK[level] !== undefined && (best === undefined || RANK[level] > RANK[best])) best = level;
    }
    return best;
  }

  /** Full access to a parent record: what inserting, changing or deleting its Manual shares needs. */
  private fullAccess(access: UserAccess, parent: Entry): boolean {
    if (access.canShare) return access.canShare(parent.object.name, parent.record);
    return access.canRecord(parent.object.name, parent.record, 'delete');
  }

  private parent(shareDef: ObjectDef, row: SObjectRecord): Entry {
    const parent =
      typeof row['ParentId'] === 'string' ? this.env.store.get(row['ParentId'], { includeDeleted: true }) : undefined;
    if (!parent || parent.object.name !== shareDef.shareOf)
      throw new ApiError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['ParentId']);
    return parent;
  }

  /** What a Manual row may grant: Read or Edit, more than the OWD, never to the owner. */
  private checkGrant(actor: DmlActor, parent: Entry, row: SObjectRecord): void {
    if (actor.system) return;
    if (!this.fullAccess(actor.access, parent)) throw crossReference(parent.record.Id, 'ParentId');
    if (row['RowCause'] !== 'Manual') {
      // Unverified wording: Owner and Rule rows are the platform's own; Apex sharing reasons are not modelled.
      throw new ApiError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `field integrity exception: RowCause (${String(row['RowCause'])} sharing is maintained by the platform; insert Manual shares)`,
        ['RowCause'],
      );
    }
    const level = row['AccessLevel'];
    if (level === 'All') {
      // "The All access level is an internal value and can't be granted" (Apex Developer Guide); wording unverified.
      throw new ApiError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        "field integrity exception: AccessLevel (All is the record owner's access and cannot be granted)",
        ['AccessLevel'],
      );
    }
    if (parent.object.sharingModel === 'Read' && level === 'Read') {
      throw new ApiError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'field integrity exception: AccessLevel (trivial share level Read, for organization with default level Read)',
        ['AccessLevel'],
      );
    }
    // The owner already has All: sharing the record with them is refused like any conflicting grant.
    if (row['UserOrGroupId'] === parent.record['OwnerId'])
      throw crossReference(String(row['UserOrGroupId']), 'UserOrGroupId');
  }

  /** Looks a row up for update/delete: malformed → MALFORMED_ID, missing → 404, deleted → ENTITY_IS_DELETED. */
  private existing(shareDef: ObjectDef, id: string): SObjectRecord {
    const canonical = canonicalId(id);
    if (canonical === undefined || canonical.slice(0, 3) !== shareDef.keyPrefix) throw malformedId(id, shareDef.name);
    const entry = this.env.store.get(canonical, { includeDeleted: true });
    if (!entry || entry.object !== shareDef) throw notFound();
    if (entry.record['IsDeleted'] === true) throw entityIsDeleted();
    return entry.record;
  }

  /** POST /sobjects/X__Share: a Manual row (or the existing one for that user or group, updated); returns its Id. */
  create(actor: DmlActor, shareDef: ObjectDef, body: Record<string, unknown>): string {
    if (!actor.system && !actor.access.canObject(shareDef.name, 'create')) throw cannotOperate(shareDef, 'inserted');
    const fields = validateFields(this.env.schema, actor, shareDef, body, 'create');
    checkReferences(this.env.schema, this.env.store, actor, fields);
    const row: SObjectRecord = { Id: '', ParentId: null, UserOrGroupId: null, AccessLevel: null, RowCause: null };
    for (const [field, value] of fields) row[field.name] = value;
    row['RowCause'] ??= 'Manual';
    checkRequired(shareDef, row);
    const parent = this.parent(shareDef, row);
    this.checkGrant(actor, parent, row);
    const now = formatDateTime(this.env.now());
    const same = this.rowsOf(shareDef, parent.record.Id).find(
      (r) => r['UserOrGroupId'] === row['UserOrGroupId'] && r['RowCause'] === row['RowCause'],
    );
    if (same) {
      this.env.store.replace(shareDef, {
        ...same,
        AccessLevel: row['AccessLevel'],
        LastModifiedDate: now,
        LastModifiedById: actor.access.user.id,
      });
      return same.Id;
    }
    return this.insert(shareDef, { ...row, LastModifiedDate: now, LastModifiedById: actor.access.user.id });
  }

  /** PATCH /sobjects/X__Share/{Id}: only AccessLevel changes, only on Manual rows, only with full access. */
  update(actor: DmlActor, shareDef: ObjectDef, id: string, body: Record<string, unknown>): void {
    if (!actor.system && !actor.access.canObject(shareDef.name, 'edit')) throw cannotOperate(shareDef, 'updated');
    const current = this.existing(shareDef, id);
    if (!actor.system && !actor.access.canRecord(shareDef.name, current, 'edit')) throw insufficientAccess();
    if (!actor.system && current['RowCause'] !== 'Manual') throw insufficientAccess();
    const fields = validateFields(this.env.schema, actor, shareDef, body, 'update');
    const next: SObjectRecord = { ...current };
    for (const [field, value] of fields) next[field.name] = value;
    checkRequired(shareDef, next);
    this.checkGrant(actor, this.parent(shareDef, next), next);
    this.env.store.replace(shareDef, {
      ...next,
      LastModifiedDate: formatDateTime(this.env.now()),
      LastModifiedById: actor.access.user.id,
    });
  }

  /** DELETE /sobjects/X__Share/{Id}: Manual rows only, by someone with full access to the record. */
  delete(actor: DmlActor, shareDef: ObjectDef, id: string): void {
    if (!actor.system && !actor.access.canObject(shareDef.name, 'delete')) throw cannotOperate(shareDef, 'deleted');
    const current = this.existing(shareDef, id);
    if (!actor.system && !actor.access.canRecord(shareDef.name, current, 'delete')) throw insufficientAccess();
    if (!actor.system && current['RowCause'] !== 'Manual') throw insufficientAccess();
    this.remove(shareDef, current, actor.access.user.id, formatDateTime(this.env.now()));
  }

  /** Fixture and seed grants (system): sets or (null) removes `userOrGroupId`'s Manual row on a record. */
  setManual(parent: Entry, userOrGroupId: string, level: ShareAccess | null, byUserId: string): void {
    const shareDef = this.shareObjectOf(parent.object);
    if (!shareDef) throw new Error(`${parent.object.name} has no share object`);
    const row = this.rowsOf(shareDef, parent.record.Id).find(
      (r) => r['UserOrGroupId'] === userOrGroupId && r['RowCause'] === 'Manual',
    );
    const now = formatDateTime(this.env.now());
    if (level === null) {
      if (row) this.remove(shareDef, row, byUserId, now);
      return;
    }
    if (row)
      this.env.store.replace(shareDef, {
        ...row,
        AccessLevel: level,
        LastModifiedDate: now,
        LastModifiedById: byUserId,
      });
    else
      this.insert(shareDef, {
        Id: '',
        ParentId: parent.record.Id,
        UserOrGroupId: userOrGroupId,
        AccessLevel: level,
        RowCause: 'Manual',
        LastModifiedDate: now,
        LastModifiedById: byUserId,
      });
  }

  /** A record was inserted: the platform adds its Owner row. */
  afterInsert(def: ObjectDef, record: SObjectRecord): void {
    const shareDef = this.shareObjectOf(def);
    const owner = record['OwnerId'];
    if (!shareDef || typeof owner !== 'string') return;
    this.insert(shareDef, {
      Id: '',
      ParentId: record.Id,
      UserOrGroupId: owner,
      AccessLevel: 'All',
      RowCause: 'Owner',
      LastModifiedDate: record['LastModifiedDate'] ?? formatDateTime(this.env.now()),
      LastModifiedById: record['LastModifiedById'] ?? owner,
    });
  }

  /** A record was updated: a new owner moves the Owner row and removes the Manual rows. */
  afterUpdate(def: ObjectDef, before: SObjectRecord, after: SObjectRecord, byUserId: string): void {
    const shareDef = this.shareObjectOf(def);
    if (!shareDef || before['OwnerId'] === after['OwnerId'] || typeof after['OwnerId'] !== 'string') return;
    const now = formatDateTime(this.env.now());
    for (const row of [...this.rowsOf(shareDef, after.Id)]) {
      if (row['RowCause'] === 'Owner')
        this.env.store.replace(shareDef, {
          ...row,
          UserOrGroupId: after['OwnerId'],
          LastModifiedDate: now,
          LastModifiedById: byUserId,
        });
      else if (row['RowCause'] === 'Manual') this.remove(shareDef, row, byUserId, now);
    }
  }

  /** A record was deleted: its share rows go with it. */
  afterDelete(def: ObjectDef, record: SObjectRecord, byUserId: string, now: string): void {
    const shareDef = this.shareObjectOf(def);
    if (!shareDef) return;
    for (const row of [...this.rowsOf(shareDef, record.Id)]) this.remove(shareDef, row, byUserId, now);
  }

  private insert(shareDef: ObjectDef, row: SObjectRecord): string {
    const record: SObjectRecord = { ...row, Id: this.env.nextId(shareDef.keyPrefix), IsDeleted: false };
    this.env.store.insert(shareDef, record);
    return record.Id;
  }

  private remove(shareDef: ObjectDef, row: SObjectRecord, byUserId: string, now: string): void {
    this.env.store.replace(shareDef, { ...row, IsDeleted: true, LastModifiedDate: now, LastModifiedById: byUserId });
  }
}
