/**
 * A small in-memory org for SOQL engine tests, independent of the emulator's org core: a schema with standard and
 * custom objects, a privileged and a restricted user (hidden object, hidden fields, hidden records), and records.
 */
import type {
  ChildRelationship,
  FieldDef,
  FieldType,
  ObjectDef,
  QueryContext,
  RecordStore,
  Schema,
  SObjectRecord,
  UserAccess,
  UserDef,
} from '../../src/emulator/org/model.ts';

function field(name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  const system = ['Id', 'CreatedDate', 'LastModifiedDate'].includes(name);
  return {
    name,
    label: name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    custom: name.endsWith('__c'),
    length: 255,
    precision: 0,
    scale: 0,
    nillable: true,
    unique: false,
    externalId: false,
    caseSensitive: false,
    referenceTo: [],
    relationshipName: null,
    masterDetail: false,
    picklistValues: [],
    restrictedPicklist: false,
    calculated: false,
    autoNumber: false,
    system,
    defaultValue: null,
    nameField: name === 'Name',
    permissionable: !system && name !== 'Name' && name !== 'OwnerId',
    securityClassification: null,
    complianceGroup: null,
    inlineHelpText: null,
    description: null,
    ...extra,
  };
}

function lookup(name: string, to: string[], relationshipName: string): FieldDef {
  return field(name, 'reference', { referenceTo: to, relationshipName, length: 18 });
}

function picklist(name: string, values: Array<[string, string]>, type: FieldType = 'picklist'): FieldDef {
  return field(name, type, {
    picklistValues: values.map(([value, label]) => ({ value, label, defaultValue: false, active: true })),
  });
}

function object(name: string, keyPrefix: string, fields: FieldDef[], hasOwner = true): ObjectDef {
  const custom = name.endsWith('__c');
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix,
    custom,
    kind: custom ? 'custom' : 'standard',
    sharingModel: 'Private',
    hasOwner,
    fields: [
      field('Id', 'id'),
      ...fields,
      ...(hasOwner ? [lookup('OwnerId', ['User'], 'Owner')] : []),
      field('CreatedDate', 'datetime'),
    ],
    description: null,
  };
}

export const OBJECTS: ObjectDef[] = [
  object('User', '005', [field('Name', 'string'), field('Username', 'string'), field('IsActive', 'boolean')], false),
  object('Account', '001', [
    field('Name', 'string'),
    picklist('Industry', [
      ['Banking', 'Banking'],
      ['Retail', 'Retail'],
      ['Tech', 'Technology'],
    ]),
    field('AnnualRevenue', 'currency'),
    field('NumberOfEmployees', 'int'),
    field('Secret__c', 'string'),
  ]),
  object('Contact', '003', [
    field('LastName', 'string'),
    field('Email', 'email'),
    lookup('AccountId', ['Account'], 'Account'),
    field('Birthdate', 'date'),
  ]),
  object('Loan_Application__c', 'a01', [
    field('Name', 'string'),
    field('Amount__c', 'currency'),
    picklist('Status__c', [
      ['Draft', 'Draft'],
      ['Submitted', 'Submitted for review'],
      ['Approved', 'Approved'],
    ]),
    picklist('Risk_Tier__c', [
      ['Low', 'Low'],
      ['High', 'High'],
    ]),
    lookup('Applicant__c', ['Contact'], 'Applicant__r'),
    lookup('Reviewed_By__c', ['User'], 'Reviewed_By__r'),
    picklist(
      'Products__c',
      [
        ['Mortgage', 'Mortgage'],
        ['Auto', 'Auto loan'],
        ['Card', 'Credit card'],
      ],
      'multipicklist',
    ),
    field('Submitted_On__c', 'date'),
    field('Decision_At__c', 'datetime'),
    field('Is_Priority__c', 'boolean'),
    field('Notes__c', 'textarea'),
  ]),
  object('Secret_Project__c', 'a02', [field('Name', 'string'), lookup('Account__c', ['Account'], 'Account__r')]),
  object('Task', '00T', [field('Subject', 'string'), lookup('WhatId', ['Account', 'Loan_Application__c'], 'What')]),
];

const CHILDREN: Array<ChildRelationship & { parent: string }> = [
  {
    parent: 'Account',
    childSObject: 'Contact',
    field: 'AccountId',
    relationshipName: 'Contacts',
    cascadeDelete: false,
  },
  {
    parent: 'Contact',
    childSObject: 'Loan_Application__c',
    field: 'Applicant__c',
    relationshipName: 'Loan_Applications__r',
    cascadeDelete: false,
  },
  {
    parent: 'Account',
    childSObject: 'Secret_Project__c',
    field: 'Account__c',
    relationshipName: 'Secret_Projects__r',
    cascadeDelete: false,
  },
  { parent: 'Account', childSObject: 'Task', field: 'WhatId', relationshipName: 'Tasks', cascadeDelete: false },
];

const lc = (s: string): string => s.toLowerCase();

export class FixtureSchema implements Schema {
  objects(): ObjectDef[] {
    return OBJECTS;
  }
  object(name: string): ObjectDef | undefined {
    return OBJECTS.find((o) => lc(o.name) === lc(name));
  }
  field(objectName: string, fieldName: string): FieldDef | undefined {
    return this.object(objectName)?.fields.find((f) => lc(f.name) === lc(fieldName));
  }
  parentRelationship(objectName: string, relationshipName: string): FieldDef | undefined {
    return this.object(objectName)?.fields.find(
      (f) => f.relationshipName !== null && lc(f.relationshipName) === lc(relationshipName),
    );
  }
  childRelationship(objectName: string, relationshipName: string): ChildRelationship | undefined {
    return this.childRelationships(objectName).find(
      (c) => c.relationshipName !== null && lc(c.relationshipName) === lc(relationshipName),
    );
  }
  childRelationships(objectName: string): ChildRelationship[] {
    return CHILDREN.filter((c) => lc(c.parent) === lc(objectName)).map(({ parent: _p, ...rest }) => rest);
  }
  objectForId(id: string): ObjectDef | undefined {
    return OBJECTS.find((o) => id.startsWith(o.keyPrefix));
  }
}

/** Builds a valid 18-character ID: 15 characters plus the case-checksum suffix. */
export function fid(prefix: string, n: number): string {
  const id15 = `${prefix}EM${String(n).padStart(10, '0')}`;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i]!)) bits += 2 ** i;
    suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'[bits];
  }
  return id15 + suffix;
}

export const ADMIN_ID = fid('005', 1);
export const ANALYST_ID = fid('005', 2);

export const IDS = {
  acme: fid('001', 1),
  globex: fid('001', 2),
  initech: fid('001', 3),
  hidden: fid('001', 4),
  alice: fid('003', 1),
  bob: fid('003', 2),
  carol: fid('003', 3),
  loan1: fid('a01', 1),
  loan2: fid('a01', 2),
  loan3: fid('a01', 3),
  loan4: fid('a01', 4),
  loanDeleted: fid('a01', 5),
  project: fid('a02', 1),
  task1: fid('00T', 1),
  task2: fid('00T', 2),
};

function seedRecords(): Array<{ object: string; record: SObjectRecord; deleted?: boolean }> {
  const at = (iso: string): string => iso;
  return [
    {
      object: 'User',
      record: {
        Id: ADMIN_ID,
        Name: 'Ada Admin',
        Username: 'ada@example.com',
        IsActive: true,
        CreatedDate: at('2025-01-01T00:00:00.000Z'),
      },
    },
    {
      object: 'User',
      record: {
        Id: ANALYST_ID,
        Name: 'Ana Analyst',
        Username: 'ana@example.com',
        IsActive: true,
        CreatedDate: at('2025-01-02T00:00:00.000Z'),
      },
    },
    {
      object: 'Account',
      record: {
        Id: IDS.acme,
        Name: 'Acme',
        Industry: 'Tech',
        AnnualRevenue: 5000,
        NumberOfEmployees: 50,
        Secret__c: 's1',
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-02-27T09:00:00.000Z',
      },
    },
    {
      object: 'Account',
      record: {
        Id: IDS.globex,
        Name: 'globex',
        Industry: 'Banking',
        AnnualRevenue: 12000.5,
        NumberOfEmployees: 500,
        Secret__c: null,
        OwnerId: ADMIN_ID,
        CreatedDate: '2026-03-01T00:00:00.000Z',
      },
    },
    {
      object: 'Account',
      record: {
        Id: IDS.initech,
        Name: 'Initech',
        Industry: null,
        AnnualRevenue: null,
        NumberOfEmployees: 10,
        OwnerId: ANALYST_ID,
        CreatedDate: '2025-12-31T23:59:59.000Z',
      },
    },
    {
      object: 'Account',
      record: {
        Id: IDS.hidden,
        Name: 'Hidden Corp',
        Industry: 'Retail',
        AnnualRevenue: 1,
        NumberOfEmployees: 1,
        OwnerId: ADMIN_ID,
        CreatedDate: '2026-01-15T00:00:00.000Z',
      },
    },
    {
      object: 'Contact',
      record: {
        Id: IDS.alice,
        LastName: 'Alice',
        Email: 'alice@example.com',
        AccountId: IDS.acme,
        Birthdate: '1990-05-01',
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-01-01T00:00:00.000Z',
      },
    },
    {
      object: 'Contact',
      record: {
        Id: IDS.bob,
        LastName: 'Bob',
        Email: null,
        AccountId: IDS.acme,
        Birthdate: null,
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-01-02T00:00:00.000Z',
      },
    },
    {
      object: 'Contact',
      record: {
        Id: IDS.carol,
        LastName: 'Carol_100%',
        Email: 'carol@example.com',
        AccountId: IDS.hidden,
        Birthdate: '1985-12-24',
        OwnerId: ADMIN_ID,
        CreatedDate: '2026-01-03T00:00:00.000Z',
      },
    },
    {
      object: 'Loan_Application__c',
      record: {
        Id: IDS.loan1,
        Name: 'L-001',
        Amount__c: 250000,
        Status__c: 'Submitted',
        Risk_Tier__c: 'High',
        Applicant__c: IDS.alice,
        Reviewed_By__c: ADMIN_ID,
        Products__c: 'Mortgage;Card',
        Submitted_On__c: '2026-02-28',
        Decision_At__c: '2026-03-01T12:00:00.000Z',
        Is_Priority__c: true,
        Notes__c: 'first',
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-02-28T10:00:00.000Z',
      },
    },
    {
      object: 'Loan_Application__c',
      record: {
        Id: IDS.loan2,
        Name: 'L-002',
        Amount__c: 15000,
        Status__c: 'Draft',
        Risk_Tier__c: 'Low',
        Applicant__c: IDS.bob,
        Reviewed_By__c: null,
        Products__c: 'Auto',
        Submitted_On__c: '2026-03-01',
        Decision_At__c: null,
        Is_Priority__c: false,
        Notes__c: null,
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-03-01T08:30:00.000Z',
      },
    },
    {
      object: 'Loan_Application__c',
      record: {
        Id: IDS.loan3,
        Name: 'L-003',
        Amount__c: 90000,
        Status__c: 'Approved',
        Risk_Tier__c: 'Low',
        Applicant__c: IDS.alice,
        Reviewed_By__c: ANALYST_ID,
        Products__c: 'Mortgage;Auto;Card',
        Submitted_On__c: '2026-01-10',
        Decision_At__c: '2026-01-20T15:45:30.250+02:00',
        Is_Priority__c: false,
        Notes__c: null,
        OwnerId: ADMIN_ID,
        CreatedDate: '2026-01-09T00:00:00.000Z',
      },
    },
    {
      object: 'Loan_Application__c',
      record: {
        Id: IDS.loan4,
        Name: 'L-004',
        Amount__c: null,
        Status__c: null,
        Risk_Tier__c: null,
        Applicant__c: IDS.carol,
        Reviewed_By__c: null,
        Products__c: null,
        Submitted_On__c: null,
        Decision_At__c: null,
        Is_Priority__c: false,
        Notes__c: null,
        OwnerId: ADMIN_ID,
        CreatedDate: '2025-11-30T00:00:00.000Z',
      },
    },
    {
      object: 'Loan_Application__c',
      deleted: true,
      record: {
        Id: IDS.loanDeleted,
        Name: 'L-DEL',
        Amount__c: 1,
        Status__c: 'Draft',
        Applicant__c: IDS.alice,
        Products__c: null,
        Is_Priority__c: false,
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-02-01T00:00:00.000Z',
      },
    },
    {
      object: 'Secret_Project__c',
      record: {
        Id: IDS.project,
        Name: 'Skunkworks',
        Account__c: IDS.acme,
        OwnerId: ADMIN_ID,
        CreatedDate: '2026-01-01T00:00:00.000Z',
      },
    },
    {
      object: 'Task',
      record: {
        Id: IDS.task1,
        Subject: 'Call Acme',
        WhatId: IDS.acme,
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-03-01T00:00:00.000Z',
      },
    },
    {
      object: 'Task',
      record: {
        Id: IDS.task2,
        Subject: 'Review loan',
        WhatId: IDS.loan1,
        OwnerId: ANALYST_ID,
        CreatedDate: '2026-03-01T00:00:00.000Z',
      },
    },
  ];
}

export class FixtureStore implements RecordStore {
  private readonly rows = seedRecords();
  /** Counts full scans so tests can assert that Id lookups use the index. */
  scans = 0;

  all(objectName: string, options?: { includeDeleted?: boolean }): SObjectRecord[] {
    this.scans += 1;
    return this.rows
      .filter((r) => lc(r.object) === lc(objectName) && (options?.includeDeleted || !r.deleted))
      .map((r) => r.record);
  }
  get(id: string, options?: { includeDeleted?: boolean }): { object: ObjectDef; record: SObjectRecord } | undefined {
    const row = this.rows.find((r) => r.record.Id === id && (options?.includeDeleted || !r.deleted));
    const def = row ? OBJECTS.find((o) => lc(o.name) === lc(row.object)) : undefined;
    return row && def ? { object: def, record: row.record } : undefined;
  }
}

function user(id: string, username: string, profile: string): UserDef {
  return {
    id,
    username,
    firstName: username,
    lastName: username,
    email: `${username}@example.com`,
    isActive: true,
    profile,
    permissionSets: [],
    roleId: null,
    timeZoneSidKey: 'UTC',
  };
}

export interface AccessRules {
  hiddenObjects?: string[];
  /** `Object.Field` keys. */
  hiddenFields?: string[];
  hiddenRecords?: string[];
}

export class FixtureAccess implements UserAccess {
  constructor(
    readonly user: UserDef,
    private readonly schema: Schema,
    public rules: AccessRules = {},
  ) {}
  canObject(objectName: string): boolean {
    return (
      this.schema.object(objectName) !== undefined &&
      !(this.rules.hiddenObjects ?? []).some((o) => lc(o) === lc(objectName))
    );
  }
  canField(objectName: string, fieldName: string): boolean {
    if (!this.canObject(objectName)) return false;
    const def = this.schema.field(objectName, fieldName);
    if (!def) return false;
    if (!def.permissionable) return true;
    return !(this.rules.hiddenFields ?? []).some(
      (k) =>
        lc(k) === lc(`${objectName}.${def.name}`) ||
        lc(k) === lc(`${this.schema.object(objectName)?.name}.${def.name}`),
    );
  }
  canRecord(objectName: string, record: SObjectRecord): boolean {
    return this.canObject(objectName) && !(this.rules.hiddenRecords ?? []).includes(record.Id);
  }
  hasPermissionSet(): boolean {
    return false;
  }
  hasUserPermission(): boolean {
    return false;
  }
}

export interface SoqlFixture {
  schema: FixtureSchema;
  store: FixtureStore;
  admin: FixtureAccess;
  analyst: FixtureAccess;
  now: Date;
  ctx(access: UserAccess, options?: { includeDeleted?: boolean; now?: Date }): QueryContext;
}

/** `now` is Sunday 2026-03-01T12:00:00Z unless overridden, so relative date literals are deterministic. */
export function createSoqlFixture(): SoqlFixture {
  const schema = new FixtureSchema();
  const store = new FixtureStore();
  const now = new Date('2026-03-01T12:00:00.000Z');
  const admin = new FixtureAccess(user(ADMIN_ID, 'ada', 'System Administrator'), schema);
  const analyst = new FixtureAccess(user(ANALYST_ID, 'ana', 'Loan Analyst'), schema, {
    hiddenObjects: ['Secret_Project__c'],
    hiddenFields: ['Account.Secret__c', 'Loan_Application__c.Risk_Tier__c', 'Loan_Application__c.Reviewed_By__c'],
    hiddenRecords: [IDS.hidden],
  });
  return {
    schema,
    store,
    admin,
    analyst,
    now,
    ctx: (access, options = {}) => ({
      schema,
      store,
      access,
      apiVersion: '62.0',
      now: options.now ?? now,
      ...(options.includeDeleted ? { includeDeleted: true } : {}),
    }),
  };
}
