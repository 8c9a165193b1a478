/**
 * The emulator's shared vocabulary: schema, security and record-store interfaces.
 * Every emulator module (metadata loader, SOQL engine, REST routes, CometD) codes against these types,
 * so they are deliberately small. Names are canonical API names; every lookup is case-insensitive.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url'
  | 'encryptedstring';

export interface PicklistValue {
  value: string;
  label: string;
  defaultValue: boolean;
  active: boolean;
}

export interface FieldDef {
  /** Canonical API name, e.g. `Risk_Tier__c`. */
  name: string;
  label: string;
  type: FieldType;
  custom: boolean;
  length: number;
  precision: number;
  scale: number;
  /** false when the field is required. */
  nillable: boolean;
  unique: boolean;
  externalId: boolean;
  caseSensitive: boolean;
  referenceTo: string[];
  /** e.g. `Applicant__r` for `Applicant__c`, `Owner` for `OwnerId`; null when not a lookup. */
  relationshipName: string | null;
  /** Master-detail lookups: the child is deleted with the parent and sharing is controlled by the parent. */
  masterDetail: boolean;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  calculated: boolean;
  autoNumber: boolean;
  /** Id, CreatedDate, SystemModstamp ...: set by the platform, never createable or updateable by anyone. */
  system: boolean;
  defaultValue: unknown;
  nameField: boolean;
  /** false for system and required fields: always readable (and editable unless system) when the object is. */
  permissionable: boolean;
  securityClassification: string | null;
  complianceGroup: string | null;
  inlineHelpText: string | null;
  description: string | null;
  /** Lookups: the child relationship name on the parent (`Loan_Applications__r`, `Contacts`); null when none. */
  childRelationshipName?: string | null;
  /** Auto-number fields: display format such as `LA-{00000}`. */
  displayFormat?: string | null;
  /** Auto-number fields: first number issued. */
  startingNumber?: number;
  /** Formula fields (calculated): the formula source, reported as `calculatedFormula`. */
  formula?: string | null;
  /** Roll-up summary fields (calculated, no formula): what they summarize over the master-detail children. */
  rollup?: RollupDef | null;
  /** Set on create only, never updateable (a share row's ParentId, UserOrGroupId and RowCause). */
  createOnly?: boolean;
}

export type RollupOperation = 'count' | 'sum' | 'min' | 'max';

/**
 * A roll-up summary: computed when read from the master's live children (system context: sharing does not apply),
 * never stored. Metadata `summaryForeignKey` is `ChildObject.ForeignKey`, `summarizedField` `ChildObject.Field`.
 */
export interface RollupDef {
  operation: RollupOperation;
  /** API name of the detail object, e.g. `ExecutionStep__c` (canonical once the org builder has resolved it). */
  childObject: string;
  /** The detail's master-detail field that points at the object holding the roll-up. */
  foreignKey: string;
  /** sum/min/max: the detail field summarized; null for count. */
  summarizedField: string | null;
}

export type ObjectKind = 'standard' | 'custom' | 'event' | 'setting';

/** Organization-wide default for internal users. */
export type SharingModel = 'Private' | 'Read' | 'ReadWrite' | 'ControlledByParent';

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  /** 3-character key prefix used in record IDs. */
  keyPrefix: string;
  custom: boolean;
  kind: ObjectKind;
  sharingModel: SharingModel;
  /** true when records have OwnerId (ControlledByParent objects do not). */
  hasOwner: boolean;
  fields: FieldDef[];
  description: string | null;
  /** Platform events: `PublishAfterCommit` or `PublishImmediately`. */
  publishBehavior?: 'PublishAfterCommit' | 'PublishImmediately';
  /** Share objects (`X__Share`): the object whose records these rows share (see sharing.ts). */
  shareOf?: string;
  /** Validation rules checked on every insert and update (validation-rules.ts). */
  validationRules?: ValidationRuleDef[];
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
}

/** Case-insensitive schema lookups over every object the org knows (standard, seed and force-app). */
export interface Schema {
  objects(): ObjectDef[];
  object(name: string): ObjectDef | undefined;
  field(objectName: string, fieldName: string): FieldDef | undefined;
  /** Resolve a parent relationship name (`Account`, `Applicant__r`, `Owner`) to its lookup field. */
  parentRelationship(objectName: string, relationshipName: string): FieldDef | undefined;
  /** Resolve a child relationship name (`Contacts`, `Steps__r`) on the parent object. */
  childRelationship(objectName: string, relationshipName: string): ChildRelationship | undefined;
  childRelationships(objectName: string): ChildRelationship[];
  /** The object whose key prefix starts this ID. */
  objectForId(id: string): ObjectDef | undefined;
}

export type ObjectOperation = 'read' | 'create' | 'edit' | 'delete';
export type FieldOperation = 'read' | 'edit';
export type RecordOperation = 'read' | 'edit' | 'delete';

export interface ObjectPermission {
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
}

export interface FieldPermission {
  read: boolean;
  edit: boolean;
}

/** A profile or a permission set: both grant the same kinds of access; a user's access is their union. */
export interface PermissionSetDef {
  name: string;
  label: string;
  isProfile: boolean;
  /** Keyed by object API name. */
  objects: Record<string, Partial<ObjectPermission>>;
  /** Keyed by `Object.Field`. */
  fields: Record<string, Partial<FieldPermission>>;
  /** System permissions such as ApiEnabled, ViewAllData, ModifyAllData. */
  userPermissions: string[];
  /** Custom permissions enabled (API names), checked by `FeatureManagement.checkPermission`. */
  customPermissions?: string[];
  /** Apex classes the holder may invoke directly (Apex REST resources need this). */
  apexClasses?: string[];
}

/** A permission set group: its users hold the union of its permission sets (muting is not emulated). */
export interface PermissionSetGroupDef {
  name: string;
  label: string;
  permissionSets: string[];
}

export interface RoleDef {
  id: string;
  name: string;
  parentRoleId: string | null;
}

export interface UserDef {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isActive: boolean;
  profile: string;
  permissionSets: string[];
  /** Permission set groups assigned to the user (DeveloperNames). */
  permissionSetGroups?: string[];
  roleId: string | null;
  timeZoneSidKey: string;
}

/** A stored record: canonical field names, 18-character IDs, ISO date strings. */
export type SObjectRecord = { Id: string } & Record<string, unknown>;

export interface RecordStore {
  /** Live records of an object (deleted ones only when includeDeleted). */
  all(objectName: string, options?: { includeDeleted?: boolean }): SObjectRecord[];
  get(id: string, options?: { includeDeleted?: boolean }): { object: ObjectDef; record: SObjectRecord } | undefined;
  /**
   * Live records of `objectName` whose lookup `lookupField` holds `parentId`, from an index. Optional: callers scan
   * `all()` (once per query) for a store without one.
   */
  children?(objectName: string, lookupField: string, parentId: string): readonly SObjectRecord[];
}

/** What one user may do; every check is case-insensitive on names. */
export interface UserAccess {
  readonly user: UserDef;
  canObject(objectName: string, operation: ObjectOperation): boolean;
  /** Field-level security; implies object read access for 'read' and object edit-or-create for 'edit'. */
  canField(objectName: string, fieldName: string, operation: FieldOperation): boolean;
  /** Record-level access from OWD, ownership, role hierarchy, shares, View All / Modify All. */
  canRecord(objectName: string, record: SObjectRecord, operation: RecordOperation): boolean;
  hasPermissionSet(name: string): boolean;
  hasUserPermission(name: string): boolean;
  /**
   * Full access to a record, which sharing it needs: its owner, someone above the owner in the role hierarchy, Modify
   * All on the object or Modify All Data. Absent on system access (which may do anything).
   */
  canShare?(objectName: string, record: SObjectRecord): boolean;
}

/** A Salesforce REST error: serialized as `[{message, errorCode, fields?}]` with this HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): Array<{ message: string; errorCode: string; fields?: string[] }> {
    return [
      this.fields
        ? { message: this.message, errorCode: this.errorCode, fields: this.fields }
        : { message: this.message, errorCode: this.errorCode },
    ];
  }
}

/** 300 MULTIPLE_CHOICES from an upsert whose external id matched several records; `recordIds` are the matches. */
export class MultipleChoicesError extends ApiError {
  constructor(
    message: string,
    readonly recordIds: string[],
  ) {
    super(300, 'MULTIPLE_CHOICES', message);
    this.name = 'MultipleChoicesError';
  }
}

/** A connected app / External Client App that may mint tokens with the JWT bearer flow. */
export interface ConnectedAppDef {
  name: string;
  consumerKey: string;
  /** PEM X.509 certificate whose public key verifies RS256 assertions. */
  certificatePem: string;
  /** Users are pre-authorized when their profile or one of their permission sets is listed. */
  preAuthorizedProfiles: string[];
  preAuthorizedPermissionSets: string[];
}

/** Receives platform events published through DML on an `__e` object (implemented by the streaming module). */
export interface EventSink {
  /**
   * `publisher` is the publishing user: the sink stamps it as `CreatedById` (a payload `CreatedById` that disagrees
   * is refused). Without it the org must put the publisher's id in the payload's `CreatedById`.
   */
  publish(
    eventObject: string,
    payload: Record<string, unknown>,
    publisher?: { userId: string },
  ): { replayId: number; eventUuid: string };
}

export interface QueryResult {
  totalSize: number;
  /** Every matching row, already shaped as REST returns it (attributes, nested parents, child result sets). */
  records: Array<Record<string, unknown>>;
}

/** Everything the SOQL engine needs: it runs as `access.user` and sees only what that user may see. */
export interface QueryContext {
  schema: Schema;
  store: RecordStore;
  access: UserAccess;
  /** API version used to build `attributes.url`, e.g. '62.0'. */
  apiVersion: string;
  now?: Date;
  includeDeleted?: boolean;
}

/** The seed's org-wide `org:` section: what Setup's Company Information and Session Settings pages show. */
export interface OrgSettings {
  readonly name: string;
  readonly dailyApiLimit: number;
  readonly sessionTimeoutSeconds: number;
  readonly edition: string;
}

/**
 * The org facade used by the REST and streaming layers. Every data method runs as the given user and throws
 * `ApiError` with Salesforce's status, code and message on refusal.
 */
export interface OrgApi {
  readonly orgId: string;
  readonly orgName: string;
  readonly schema: Schema;
  readonly store: RecordStore;
  /** Org-wide settings (API limit, session timeout, edition), read-only. */
  readonly settings: OrgSettings;
  connectedApps(): ConnectedAppDef[];
  users(): UserDef[];
  userById(id: string): UserDef | undefined;
  userByUsername(username: string): UserDef | undefined;
  access(userId: string): UserAccess;
  /** Full access acting as the user (Apex in system context, `without sharing`); never reachable by a REST token. */
  systemAccess(userId: string): UserAccess;
  describeGlobal(access: UserAccess, apiVersion: string): unknown;
  describeSObject(access: UserAccess, objectName: string, apiVersion: string): unknown;
  query(access: UserAccess, soql: string, options: { apiVersion: string; includeDeleted?: boolean }): QueryResult;
  retrieve(
    access: UserAccess,
    objectName: string,
    id: string,
    options: { apiVersion: string; fields?: string[] },
  ): Record<string, unknown>;
  /** For `__e` objects this publishes through the event sink and returns the event UUID as well. */
  create(access: UserAccess, objectName: string, fields: Record<string, unknown>): { id: string; eventUuid?: string };
  update(access: UserAccess, objectName: string, id: string, fields: Record<string, unknown>): void;
  delete(access: UserAccess, objectName: string, id: string): void;
  upsert(
    access: UserAccess,
    objectName: string,
    externalIdField: string,
    value: string,
    fields: Record<string, unknown>,
  ): { id: string; created: boolean };
  setEventSink(sink: EventSink): void;
  /** `FeatureManagement.checkPermission` for a user (profile, permission sets and groups); absent means never. */
  hasCustomPermission?(userId: string, name: string): boolean;
  /** Whether the user may call this Apex class directly (Apex REST); absent means never. */
  canInvokeApexClass?(userId: string, className: string): boolean;
  /** The custom permissions the package (force-app) defines, API names. */
  packageCustomPermissions?(): string[];
  /** Runs fn atomically: any throw restores the records as they were (allOrNone, composite). */
  transaction<T>(fn: () => T): T;
  /** Restores the seed state. */
  reset(): void;
}

export interface ValidationRuleDef {
  name: string;
  /** The error condition: the save fails when this is true. */
  formula: string;
  message: string;
  /** Field the error is shown next to; null = top of page (`fields: []`). */
  field: string | null;
  active: boolean;
}
