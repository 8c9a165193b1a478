/**
 * Per-user access: object CRUD and FLS from the union of the profile and permission sets, and record access
 * from OWD, ownership, role hierarchy, share rows (to the user or a group they are in), View All / Modify All and
 * master-detail parents. Share rows themselves (`X__Share`) follow their parent record (sharing.ts).
 * Every unknown name is denied (fail closed).
 */
import { isReadOnlySetupObject, isSetupObject, setupObjectRequires } from './standard-objects.ts';
import type { OrgSchema } from './schema.ts';
import type {
  FieldOperation,
  FieldPermission,
  ObjectOperation,
  ObjectPermission,
  PermissionSetDef,
  RecordOperation,
  RecordStore,
  RoleDef,
  SObjectRecord,
  UserAccess,
  UserDef,
} from './model.ts';

export type ShareAccess = 'Read' | 'Edit' | 'All';

/** What access checks need from the org; kept narrow so security has no knowledge of DML. */
export interface SecurityModel {
  schema: OrgSchema;
  store: RecordStore;
  profile(name: string): PermissionSetDef | undefined;
  permissionSet(name: string): PermissionSetDef | undefined;
  /** The permission sets of these permission set groups (by group name). */
  permissionSetsOfGroups?(groups: readonly string[]): string[];
  userById(id: string): UserDef | undefined;
  role(id: string): RoleDef | undefined;
  share(recordId: string, userId: string): ShareAccess | undefined;
  /** True when `userId` belongs to group or queue `groupId`, directly or through nested groups. */
  isMember?(groupId: string, userId: string): boolean;
}

const NONE: ObjectPermission = {
  read: false,
  create: false,
  edit: false,
  delete: false,
  viewAll: false,
  modifyAll: false,
};

/** Salesforce's implied object permissions: edit/create/viewAll need read, delete needs edit, modifyAll grants all. */
function closeObjectPermission(p: Partial<ObjectPermission>): ObjectPermission {
  const modifyAll = p.modifyAll === true;
  const del = p.delete === true || modifyAll;
  const edit = p.edit === true || del;
  const viewAll = p.viewAll === true || modifyAll;
  return {
    read: p.read === true || edit || p.create === true || viewAll,
    create: p.create === true || modifyAll,
    edit,
    delete: del,
    viewAll,
    modifyAll,
  };
}

export class OrgUserAccess implements UserAccess {
  private readonly objectPerms = new Map<string, ObjectPermission>();
  private readonly fieldPerms = new Map<string, FieldPermission>();
  private readonly userPerms = new Set<string>();
  private readonly permissionSetNames = new Set<string>();
  private readonly viewAllData: boolean;
  private readonly modifyAllData: boolean;
  /** Role IDs strictly above this user's role are irrelevant; we need this user's role to test owners' ancestry. */
  private readonly roleId: string | null;

  constructor(
    readonly user: UserDef,
    private readonly model: SecurityModel,
  ) {
    const sets: PermissionSetDef[] = [];
    const profile = model.profile(user.profile);
    if (profile) sets.push(profile);
    for (const name of user.permissionSets) {
      const set = model.permissionSet(name);
      if (set) {
        sets.push(set);
        this.permissionSetNames.add(name.toLowerCase());
      }
    }
    // A permission set group grants the union of its sets' permissions (hasPermissionSet still names direct ones).
    for (const name of model.permissionSetsOfGroups?.(user.permissionSetGroups ?? []) ?? []) {
      const set = model.permissionSet(name);
      if (set) sets.push(set);
    }
    for (const set of sets) {
      for (const [obj, perm] of Object.entries(set.objects)) {
        const key = obj.toLowerCase();
        const prev = this.objectPerms.get(key) ?? NONE;
        const next = closeObjectPermission(perm);
        this.objectPerms.set(key, {
          read: prev.read || next.read,
          create: prev.create || next.create,
          edit: prev.edit || next.edit,
          delete: prev.delete || next.delete,
          viewAll: prev.viewAll || next.viewAll,
          modifyAll: prev.modifyAll || next.modifyAll,
        });
      }
      for (const [field, perm] of Object.entries(set.fields)) {
        const key = field.toLowerCase();
        const prev = this.fieldPerms.get(key) ?? { read: false, edit: false };
        const edit = prev.edit || perm.edit === true;
        this.fieldPerms.set(key, { read: prev.read || perm.read === true || edit, edit });
      }
      for (const p of set.userPermissions) this.userPerms.add(p.toLowerCase());
    }
    this.viewAllData = this.userPerms.has('viewalldata') || this.userPerms.has('modifyalldata');
    this.modifyAllData = this.userPerms.has('modifyalldata');
    this.roleId = user.roleId;
  }

  /** The effective object permission (with View All Data / Modify All Data folded in). */
  objectPermission(objectName: string): ObjectPermission {
    const def = this.model.schema.object(objectName);
    if (!def) return NONE;
    if (def.shareOf !== undefined) {
      // No profile grants share objects: whoever reads the parent object may query its shares and try DML on them;
      // whether a row may be written is decided per parent record (canRecord / canShare).
      const parent = this.objectPermission(def.shareOf);
      return {
        read: parent.read,
        create: parent.read,
        edit: parent.read,
        delete: parent.read,
        viewAll: parent.viewAll,
        modifyAll: parent.modifyAll,
      };
    }
    if (isSetupObject(def.name)) {
      const requires = setupObjectRequires(def.name);
      // Modify All Data depends on View Setup in a real org, so an admin always passes.
      if (requires && !this.modifyAllData && !requires.some((p) => this.userPerms.has(p.toLowerCase()))) return NONE;
      const all = this.modifyAllData && !isReadOnlySetupObject(def.name);
      return { read: true, create: all, edit: all, delete: all, viewAll: true, modifyAll: all };
    }
    const granted = this.objectPerms.get(def.name.toLowerCase()) ?? NONE;
    if (def.kind === 'event') {
      // Events know only Read (subscribe) and Create (publish). Modify All Data reads and creates every object's records,
      // View All Data reads them ("View All and Modify All Permissions Overview", Salesforce Help), events included:
      // an admin describes, subscribes to and publishes the package's events without an explicit grant.
      const read = granted.read || this.viewAllData;
      return {
        read,
        create: granted.create || this.modifyAllData,
        edit: false,
        delete: false,
        viewAll: false,
        modifyAll: false,
      };
    }
    if (this.modifyAllData)
      return { read: true, create: true, edit: true, delete: true, viewAll: true, modifyAll: true };
    if (this.viewAllData) return { ...granted, read: true, viewAll: true };
    return granted;
  }

  canObject(objectName: string, operation: ObjectOperation): boolean {
    return this.objectPermission(objectName)[operation];
  }

  canField(objectName: string, fieldName: string, operation: FieldOperation): boolean {
    const def = this.model.schema.object(objectName);
    const field = def && this.model.schema.field(def.name, fieldName);
    if (!def || !field) return false;
    const perm = this.objectPermission(def.name);
    if (operation === 'read') {
      if (!perm.read) return false;
      if (!field.permissionable || def.kind === 'event') return true;
      return this.fieldGrant(def.name, field.name).read;
    }
    if (!(perm.edit || perm.create)) return false;
    if (field.system || field.calculated || field.autoNumber) return false;
    // FLS does not apply to platform-event fields; required and other non-permissionable fields follow the object.
    if (!field.permissionable || def.kind === 'event') return true;
    return this.fieldGrant(def.name, field.name).edit;
  }

  private fieldGrant(objectName: string, fieldName: string): FieldPermission {
    const exact = this.fieldPerms.get(`${objectName}.${fieldName}`.toLowerCase());
    const wildcard = this.fieldPerms.get(`${objectName}.*`.toLowerCase());
    return {
      read: (exact?.read ?? false) || (wildcard?.read ?? false),
      edit: (exact?.edit ?? false) || (wildcard?.edit ?? false),
    };
  }

  canRecord(objectName: string, record: SObjectRecord, operation: RecordOperation): boolean {
    const def = this.model.schema.object(objectName);
    if (!def) return false;
    const perm = this.objectPermission(def.name);
    if (!perm[operation]) return false;
    if (perm.modifyAll) return true;
    if (operation === 'read' && perm.viewAll) return true;
    if (isSetupObject(def.name)) return operation === 'read';
    if (def.shareOf !== undefined) return this.canShareRow(def.shareOf, record, operation);
    if (def.sharingModel === 'ControlledByParent') return this.canParent(def.name, record, operation);
    if (!def.hasOwner) return true;
    const ownerId = record['OwnerId'];
    if (typeof ownerId === 'string') {
      if (ownerId === this.user.id) return true;
      if (this.isAboveOwner(ownerId)) return true;
      // A queue's members work its records as the owner would (Salesforce Help, "Queues": members take and work items).
      if (this.isQueueMember(ownerId)) return true;
    }
    if (operation === 'read' && (def.sharingModel === 'Read' || def.sharingModel === 'ReadWrite')) return true;
    if (operation === 'edit' && def.sharingModel === 'ReadWrite') return true;
    const share = this.model.share(record.Id, this.user.id);
    if (share === 'All') return true;
    if (share === 'Edit') return operation !== 'delete';
    return share === 'Read' && operation === 'read';
  }

  /**
   * Full access to a record, which sharing it needs: Modify All (on the object or Modify All Data), ownership, a role
   * above the owner's, or an All share. Edit access alone is not enough.
   */
  canShare(objectName: string, record: SObjectRecord): boolean {
    const def = this.model.schema.object(objectName);
    if (!def || !this.canRecord(def.name, record, 'read')) return false;
    if (this.objectPermission(def.name).modifyAll) return true;
    if (!def.hasOwner) return false;
    const ownerId = record['OwnerId'];
    if (
      typeof ownerId === 'string' &&
      (ownerId === this.user.id || this.isAboveOwner(ownerId) || this.isQueueMember(ownerId))
    )
      return true;
    return this.model.share(record.Id, this.user.id) === 'All';
  }

  /** A share row: readable with the parent record; written only with full access to it. */
  private canShareRow(parentObject: string, row: SObjectRecord, operation: RecordOperation): boolean {
    const parentId = row['ParentId'];
    const parent = typeof parentId === 'string' ? this.model.store.get(parentId, { includeDeleted: true }) : undefined;
    if (!parent) return false;
    return operation === 'read'
      ? this.canRecord(parentObject, parent.record, 'read')
      : this.canShare(parentObject, parent.record);
  }

  /** Master-detail: reading a detail needs read on the master; changing it needs edit on the master. */
  private canParent(objectName: string, record: SObjectRecord, operation: RecordOperation): boolean {
    const master = this.model.schema.masterField(objectName);
    const parentId = master ? record[master.name] : undefined;
    if (typeof parentId !== 'string') return false;
    const parent = this.model.store.get(parentId, { includeDeleted: true });
    if (!parent) return false;
    return this.canRecord(parent.object.name, parent.record, operation === 'read' ? 'read' : 'edit');
  }

  private isQueueMember(ownerId: string): boolean {
    return ownerId.startsWith('00G') && this.model.isMember?.(ownerId, this.user.id) === true;
  }

  /** True when this user's role is a strict ancestor of the owner's role. */
  private isAboveOwner(ownerId: string): boolean {
    if (!this.roleId) return false;
    let roleId = this.model.userById(ownerId)?.roleId ?? null;
    const seen = new Set<string>();
    while (roleId && !seen.has(roleId)) {
      seen.add(roleId);
      const parent = this.model.role(roleId)?.parentRoleId ?? null;
      if (parent === this.roleId) return true;
      roleId = parent;
    }
    return false;
  }

  hasPermissionSet(name: string): boolean {
    return this.permissionSetNames.has(name.toLowerCase());
  }

  hasUserPermission(name: string): boolean {
    return this.userPerms.has(name.toLowerCase());
  }
}
