/**
 * Share objects (`X__Share`), groups and queues: which objects have share tables, the rows the platform keeps, who may
 * add and remove Manual shares, and how rows (to users and to groups) drive record access.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import type { UserAccess } from '../../../../src/emulator/org/model.ts';
import type { Org } from '../../../../src/emulator/org/org.ts';
import { accessFor, buildOrg, lendingOrg, minimalSeed } from '../../../support/org-fixture.ts';

const APP = 'Loan_Application__c';
const SHARE = 'Loan_Application__Share';
const V = { apiVersion: '62.0' };

function refusal(fn: () => unknown): {
  status: number;
  errorCode: string;
  message: string;
  fields: string[] | undefined;
} {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError)
      return { status: error.status, errorCode: error.errorCode, message: error.message, fields: error.fields };
    throw error;
  }
  throw new Error('expected an ApiError');
}

const rows = (org: Org, access: UserAccess, where: string) =>
  org.query(access, `SELECT Id, ParentId, UserOrGroupId, AccessLevel, RowCause FROM ${SHARE} WHERE ${where}`, V)
    .records;

describe('share objects', () => {
  let org: Org;
  const id = (key: string): string => org.userByKey(key)!.id;
  const app = (ref: string) => org.store.get(org.refId(ref))!.record;
  const canRead = (key: string, ref: string): boolean => accessFor(org, key).canRecord(APP, app(ref), 'read');
  const share = (key: string, fields: Record<string, unknown>) => org.create(accessFor(org, key), SHARE, fields);
  beforeEach(() => {
    org = lendingOrg();
  });

  it('exist for Private and Public Read Only custom objects only', () => {
    const shares = org.schema
      .objects()
      .filter((o) => o.shareOf !== undefined)
      .map((o) => `${o.name} → ${o.shareOf} (${o.keyPrefix})`);
    expect(shares).toEqual([
      'AIAgentDefinition__Share → AIAgentDefinition__c (02c)',
      'AgentExecution__Share → AgentExecution__c (02c)',
      'InteractionSession__Share → InteractionSession__c (02c)',
      'Loan_Application__Share → Loan_Application__c (02c)',
      'PendingHITLAction__Share → PendingHITLAction__c (02c)',
    ]);
    // Public Read/Write objects (LLMConfiguration__c) and master-detail children (AgentCapability__c) have none.
    for (const name of ['LLMConfiguration__Share', 'AgentCapability__Share']) {
      const error = refusal(() => org.query(accessFor(org, 'admin'), `SELECT Id FROM ${name}`, V));
      expect(error.errorCode).toBe('INVALID_TYPE');
      expect(error.message).toContain(`sObject type '${name}' is not supported.`);
      expect(refusal(() => org.describeSObject(accessFor(org, 'admin'), name, '62.0')).errorCode).toBe('NOT_FOUND');
    }
    // A seed that opens the object up removes its share object.
    const open = buildOrg(minimalSeed({ sharing: { Widget__c: 'ReadWrite' } }));
    expect(open.schema.object('Widget__Share')).toBeUndefined();
    expect(buildOrg(minimalSeed({ sharing: { Widget__c: 'Read' } })).schema.object('Widget__Share')?.shareOf).toBe(
      'Widget__c',
    );
  });

  it('describes like Salesforce: the fields, the picklists and which fields can be updated', () => {
    const described = org.describeSObject(accessFor(org, 'officer'), SHARE, '62.0') as {
      fields: Array<Record<string, unknown>>;
    } & Record<string, unknown>;
    expect(described).toMatchObject({
      name: SHARE,
      keyPrefix: '02c',
      queryable: true,
      createable: true,
      deletable: true,
      undeletable: false,
      layoutable: false,
    });
    const field = (name: string) => described.fields.find((f) => f.name === name)!;
    expect(described.fields.map((f) => f.name)).toEqual([
      'Id',
      'ParentId',
      'UserOrGroupId',
      'AccessLevel',
      'RowCause',
      'LastModifiedDate',
      'LastModifiedById',
      'IsDeleted',
    ]);
    expect(field('ParentId')).toMatchObject({
      type: 'reference',
      referenceTo: [APP],
      relationshipName: 'Parent',
      createable: true,
      updateable: false,
      nillable: false,
    });
    expect(field('UserOrGroupId')).toMatchObject({
      referenceTo: ['Group', 'User'],
      relationshipName: 'UserOrGroup',
      polymorphicForeignKey: true,
      updateable: false,
    });
    expect(field('AccessLevel')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      createable: true,
      updateable: true,
    });
    expect((field('AccessLevel').picklistValues as Array<{ value: string }>).map((v) => v.value)).toEqual([
      'Read',
      'Edit',
      'All',
    ]);
    expect(field('RowCause')).toMatchObject({ updateable: false, defaultedOnCreate: true });
    expect(field('LastModifiedDate')).toMatchObject({ createable: false, updateable: false });
    // The parent lists its shares as the `Shares` child relationship.
    const parent = org.describeSObject(accessFor(org, 'officer'), APP, '62.0') as {
      childRelationships: Array<Record<string, unknown>>;
    };
    expect(parent.childRelationships).toContainEqual(
      expect.objectContaining({
        childSObject: SHARE,
        field: 'ParentId',
        relationshipName: 'Shares',
        cascadeDelete: false,
      }),
    );
  });

  it('keeps an Owner row (All) for every record and turns seed shares into Manual rows', () => {
    const admin = accessFor(org, 'admin');
    const apps = org.store.all(APP);
    const owners = rows(org, admin, "RowCause = 'Owner'");
    expect(owners).toHaveLength(apps.length);
    for (const record of apps)
      expect(owners).toContainEqual(
        expect.objectContaining({ ParentId: record.Id, UserOrGroupId: record.OwnerId, AccessLevel: 'All' }),
      );
    expect(rows(org, admin, "RowCause = 'Manual'")).toEqual([
      expect.objectContaining({ ParentId: org.refId('app7'), UserOrGroupId: id('officer'), AccessLevel: 'Read' }),
    ]);
    // A new record gets its Owner row; the relationship query sees both.
    const created = org.create(accessFor(org, 'officer'), APP, { Amount__c: 100 });
    const [withShares] = org.query(
      admin,
      `SELECT Id, (SELECT UserOrGroupId, AccessLevel, RowCause FROM Shares) FROM ${APP} WHERE Id = '${created.id}'`,
      V,
    ).records;
    expect((withShares!.Shares as { records: unknown[] }).records).toEqual([
      expect.objectContaining({ UserOrGroupId: id('officer'), AccessLevel: 'All', RowCause: 'Owner' }),
    ]);
  });

  it('lets the owner share a record: the row grants access, and deleting it takes the access away', () => {
    expect(canRead('officer2', 'app1')).toBe(false);
    const { id: shareId } = share('officer', {
      ParentId: org.refId('app1'),
      UserOrGroupId: id('officer2'),
      AccessLevel: 'Read',
    });
    expect(shareId).toMatch(/^02cEM/);
    expect(canRead('officer2', 'app1')).toBe(true);
    expect(accessFor(org, 'officer2').canRecord(APP, app('app1'), 'edit')).toBe(false);
    // The row: RowCause defaults to Manual, audit fields are set; the grantee sees it (they can read the parent).
    expect(rows(org, accessFor(org, 'officer2'), `Id = '${shareId}'`)).toEqual([
      expect.objectContaining({ RowCause: 'Manual', AccessLevel: 'Read', UserOrGroupId: id('officer2') }),
    ]);
    expect(org.store.get(shareId)!.record).toMatchObject({ LastModifiedById: id('officer'), IsDeleted: false });
    expect(org.retrieve(accessFor(org, 'officer2'), SHARE, shareId, V)).toMatchObject({
      ParentId: org.refId('app1'),
      AccessLevel: 'Read',
    });
    // Sharing again updates the same row (same Id) instead of adding one.
    expect(
      share('officer', { ParentId: org.refId('app1'), UserOrGroupId: id('officer2'), AccessLevel: 'Edit' }).id,
    ).toBe(shareId);
    expect(accessFor(org, 'officer2').canRecord(APP, app('app1'), 'edit')).toBe(true);
    // The grantee may not remove or change it (no full access); the owner may.
    expect(refusal(() => org.delete(accessFor(org, 'officer2'), SHARE, shareId)).errorCode).toBe(
      'INSUFFICIENT_ACCESS_OR_READONLY',
    );
    org.delete(accessFor(org, 'officer'), SHARE, shareId);
    expect(canRead('officer2', 'app1')).toBe(false);
    expect(rows(org, accessFor(org, 'officer'), `Id = '${shareId}'`)).toEqual([]);
    expect(refusal(() => org.delete(accessFor(org, 'officer'), SHARE, shareId)).errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('refuses Manual shares from users without full access to the record', () => {
    // officer can read app7 (a Read share) but does not own it; nobody cannot see it at all.
    for (const key of ['officer', 'nobody']) {
      expect(
        refusal(() => share(key, { ParentId: org.refId('app7'), UserOrGroupId: id('approver'), AccessLevel: 'Read' })),
      ).toEqual({
        status: 400,
        errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        message: `insufficient access rights on cross-reference id: ${org.refId('app7')}`,
        fields: ['ParentId'],
      });
    }
    // Read-all is not full access either: the approver has View All on applications.
    expect(
      refusal(() =>
        share('approver', { ParentId: org.refId('app7'), UserOrGroupId: id('nobody'), AccessLevel: 'Read' }),
      ).errorCode,
    ).toBe('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');
    expect(canRead('nobody', 'app7')).toBe(false);
  });

  it('gives full access to the role above the owner and to Modify All (object or data)', () => {
    // underwriter's role is above the officers'; admin has Modify All Data; the worker has Modify All on pending actions.
    expect(
      share('underwriter', { ParentId: org.refId('app6'), UserOrGroupId: id('nobody'), AccessLevel: 'Read' }).id,
    ).toMatch(/^02c/);
    expect(
      share('admin', { ParentId: org.refId('app6'), UserOrGroupId: id('approver'), AccessLevel: 'Edit' }).id,
    ).toMatch(/^02c/);
    expect(canRead('nobody', 'app6')).toBe(true);
    // Like the worker's gate: the requester owns the pending record, the worker writes it.
    const pending = org.create(accessFor(org, 'worker'), 'PendingHITLAction__c', {
      ActionKey__c: 'k-1',
      Status__c: 'Pending',
      HITLType__c: 'Approval',
      OwnerId: id('officer'),
    });
    const approver = accessFor(org, 'approver');
    const pendingRecord = () => org.store.get(pending.id)!.record;
    expect(approver.canRecord('PendingHITLAction__c', pendingRecord(), 'read')).toBe(false);
    org.create(accessFor(org, 'worker'), 'PendingHITLAction__Share', {
      ParentId: pending.id,
      UserOrGroupId: id('approver'),
      AccessLevel: 'Read',
      RowCause: 'Manual',
    });
    expect(approver.canRecord('PendingHITLAction__c', pendingRecord(), 'read')).toBe(true);
    expect(approver.canRecord('PendingHITLAction__c', pendingRecord(), 'edit')).toBe(false);
  });

  it('refuses grants Salesforce refuses: All, platform row causes, the owner, trivial levels, bad values', () => {
    const on = (fields: Record<string, unknown>) =>
      refusal(() =>
        share('officer', {
          ParentId: org.refId('app1'),
          UserOrGroupId: id('officer2'),
          AccessLevel: 'Read',
          ...fields,
        }),
      );
    expect(on({ AccessLevel: 'All' })).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      fields: ['AccessLevel'],
    });
    expect(on({ RowCause: 'Owner' })).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['RowCause'] });
    expect(on({ UserOrGroupId: id('officer') })).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
      fields: ['UserOrGroupId'],
    });
    expect(on({ AccessLevel: 'Write' })).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    expect(on({ AccessLevel: null })).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['AccessLevel'] });
    expect(on({ UserOrGroupId: org.refId('app2') })).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      fields: ['UserOrGroupId'],
    });
    expect(on({ UserOrGroupId: '005EM000000zzzzAAA' })).toMatchObject({
      errorCode: 'INVALID_CROSS_REFERENCE_KEY',
      fields: ['UserOrGroupId'],
    });
    expect(on({ LastModifiedDate: '2024-01-01T00:00:00Z' })).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
    });
    expect(
      refusal(() => share('officer', { ParentId: org.refId('app1'), UserOrGroupId: id('officer2') })).errorCode,
    ).toBe('REQUIRED_FIELD_MISSING');
    // On a Public Read Only object a Read share adds nothing.
    const readOnly = buildOrg(
      minimalSeed({
        sharing: { Widget__c: 'Read' },
        records: { Widget__c: [{ ref: 'w', Name: 'w', OwnerId: '@user:basic' }] },
      }),
    );
    const trivial = refusal(() =>
      readOnly.create(accessFor(readOnly, 'basic'), 'Widget__Share', {
        ParentId: readOnly.refId('w'),
        UserOrGroupId: readOnly.userByKey('admin')!.id,
        AccessLevel: 'Read',
      }),
    );
    expect(trivial).toEqual({
      status: 400,
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message:
        'field integrity exception: AccessLevel (trivial share level Read, for organization with default level Read)',
      fields: ['AccessLevel'],
    });
    expect(
      readOnly.create(accessFor(readOnly, 'basic'), 'Widget__Share', {
        ParentId: readOnly.refId('w'),
        UserOrGroupId: readOnly.userByKey('admin')!.id,
        AccessLevel: 'Edit',
      }).id,
    ).toMatch(/^02c/);
  });

  it("changes only AccessLevel of Manual rows; Owner rows are the platform's", () => {
    const { id: shareId } = share('officer', {
      ParentId: org.refId('app2'),
      UserOrGroupId: id('officer2'),
      AccessLevel: 'Read',
    });
    org.update(accessFor(org, 'officer'), SHARE, shareId, { AccessLevel: 'Edit' });
    expect(accessFor(org, 'officer2').canRecord(APP, app('app2'), 'edit')).toBe(true);
    expect(
      refusal(() => org.update(accessFor(org, 'officer'), SHARE, shareId, { UserOrGroupId: id('nobody') })),
    ).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['UserOrGroupId'] });
    expect(refusal(() => org.update(accessFor(org, 'officer'), SHARE, shareId, { AccessLevel: 'All' })).errorCode).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    const [ownerRow] = rows(org, accessFor(org, 'officer'), `ParentId = '${org.refId('app2')}' AND RowCause = 'Owner'`);
    expect(
      refusal(() => org.update(accessFor(org, 'officer'), SHARE, String(ownerRow!.Id), { AccessLevel: 'Edit' }))
        .errorCode,
    ).toBe('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(refusal(() => org.delete(accessFor(org, 'officer'), SHARE, String(ownerRow!.Id))).errorCode).toBe(
      'INSUFFICIENT_ACCESS_OR_READONLY',
    );
  });

  it('moves the Owner row and drops Manual rows when the owner changes; deletes rows with the record', () => {
    share('officer', { ParentId: org.refId('app3'), UserOrGroupId: id('officer2'), AccessLevel: 'Read' });
    expect(canRead('officer2', 'app3')).toBe(true);
    org.update(accessFor(org, 'admin'), APP, org.refId('app3'), { OwnerId: id('underwriter') });
    const admin = accessFor(org, 'admin');
    expect(rows(org, admin, `ParentId = '${org.refId('app3')}'`)).toEqual([
      expect.objectContaining({ RowCause: 'Owner', UserOrGroupId: id('underwriter'), AccessLevel: 'All' }),
    ]);
    expect(canRead('officer2', 'app3')).toBe(false);
    org.delete(admin, APP, org.refId('app3'));
    expect(rows(org, admin, `ParentId = '${org.refId('app3')}'`)).toEqual([]);
  });

  it('rolls share rows back with the transaction that wrote them', () => {
    expect(() =>
      org.transaction(() => {
        share('officer', { ParentId: org.refId('app1'), UserOrGroupId: id('officer2'), AccessLevel: 'Read' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(canRead('officer2', 'app1')).toBe(false);
    expect(rows(org, accessFor(org, 'admin'), `ParentId = '${org.refId('app1')}' AND RowCause = 'Manual'`)).toEqual([]);
  });

  it('writes rows for the setShare fixture, so they are queryable and removable', () => {
    org.setShare(org.refId('app1'), id('nobody'), 'Read');
    expect(canRead('nobody', 'app1')).toBe(true);
    expect(rows(org, accessFor(org, 'admin'), `ParentId = '${org.refId('app1')}' AND RowCause = 'Manual'`)).toEqual([
      expect.objectContaining({ UserOrGroupId: id('nobody'), AccessLevel: 'Read' }),
    ]);
    org.setShare(org.refId('app1'), id('nobody'), null);
    expect(canRead('nobody', 'app1')).toBe(false);
  });
});

describe('groups and queues', () => {
  const seed = minimalSeed({
    users: [
      { key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' },
      { key: 'basic', username: 'basic@fixture.test', lastName: 'Basic', profile: 'Basic' },
      { key: 'ann', username: 'ann@fixture.test', lastName: 'Ann', profile: 'Basic' },
      { key: 'bo', username: 'bo@fixture.test', lastName: 'Bo', profile: 'Basic' },
      { key: 'cy', username: 'cy@fixture.test', lastName: 'Cy', profile: 'Basic' },
    ],
    groups: [
      { developerName: 'Reviewers', name: 'Reviewers', type: 'Queue', members: ['@user:ann', '@group:Seniors'] },
      { developerName: 'Seniors', name: 'Senior Staff', members: ['@user:bo'] },
    ],
    records: {
      Widget__c: [
        { ref: 'w', Name: 'w', OwnerId: '@user:basic' },
        { ref: 'w2', Name: 'w2', OwnerId: '@user:basic' },
      ],
    },
    shares: [{ record: '@w2', user: '@group:Seniors', access: 'Read' }],
  });

  it('are seeded as Group and GroupMember records the worker can query', () => {
    const org = buildOrg(seed);
    const basic = accessFor(org, 'basic');
    const groups = org.query(
      basic,
      'SELECT Id, Name, DeveloperName, Type, (SELECT UserOrGroupId FROM GroupMembers) FROM Group ORDER BY DeveloperName',
      V,
    ).records;
    expect(groups.map((g) => [g.DeveloperName, g.Name, g.Type])).toEqual([
      ['Reviewers', 'Reviewers', 'Queue'],
      ['Seniors', 'Senior Staff', 'Regular'],
    ]);
    expect(String(groups[0]!.Id)).toMatch(/^00GEM/);
    const ann = org.userByKey('ann')!.id;
    // Exactly what src/hitl/routing.ts runs for queue routing.
    const inQueue = (userId: string) =>
      org.query(
        basic,
        `SELECT Id FROM GroupMember WHERE UserOrGroupId = '${userId}' AND Group.DeveloperName = 'Reviewers' AND Group.Type = 'Queue'`,
        V,
      ).records;
    expect(inQueue(ann)).toHaveLength(1);
    expect(String(inQueue(ann)[0]!.Id)).toMatch(/^011EM/);
    expect(inQueue(org.userByKey('cy')!.id)).toEqual([]);
    // Membership is direct: bo is in the queue only through Seniors.
    expect(inQueue(org.userByKey('bo')!.id)).toEqual([]);
    expect(org.query(basic, "SELECT Id FROM GroupMember WHERE Group.Type = 'Queue'", V).records).toHaveLength(2);
  });

  it('are read-only over the API, even with Modify All Data', () => {
    const org = buildOrg(seed);
    const admin = accessFor(org, 'admin');
    const groupId = org.query(admin, "SELECT Id FROM Group WHERE DeveloperName = 'Seniors'", V).records[0]!
      .Id as string;
    expect(
      refusal(() => org.create(admin, 'GroupMember', { GroupId: groupId, UserOrGroupId: org.userByKey('cy')!.id })),
    ).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
      message: 'entity type cannot be inserted: Group Member',
    });
    expect(refusal(() => org.create(admin, 'Group', { Name: 'New', Type: 'Regular' })).errorCode).toBe(
      'INSUFFICIENT_ACCESS_OR_READONLY',
    );
    expect(refusal(() => org.delete(admin, 'Group', groupId)).errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(org.describeSObject(admin, 'GroupMember', '62.0')).toMatchObject({
      createable: false,
      updateable: false,
      deletable: false,
      queryable: true,
    });
  });

  it('grant shared records to every member, through nested groups, and only while the row exists', () => {
    const org = buildOrg(seed);
    const w = (ref: string) => org.store.get(org.refId(ref))!.record;
    const reads = (key: string, ref: string) => accessFor(org, key).canRecord('Widget__c', w(ref), 'read');
    // Seeded: w2 is shared with Seniors (bo).
    expect([reads('bo', 'w2'), reads('ann', 'w2'), reads('cy', 'w2')]).toEqual([true, false, false]);
    // The owner shares w with the Reviewers queue: ann directly, bo through Seniors.
    const basic = accessFor(org, 'basic');
    const queueId = org.query(basic, "SELECT Id FROM Group WHERE DeveloperName = 'Reviewers'", V).records[0]!
      .Id as string;
    const { id: shareId } = org.create(basic, 'Widget__Share', {
      ParentId: org.refId('w'),
      UserOrGroupId: queueId,
      AccessLevel: 'Edit',
    });
    expect([reads('ann', 'w'), reads('bo', 'w'), reads('cy', 'w')]).toEqual([true, true, false]);
    expect(accessFor(org, 'bo').canRecord('Widget__c', w('w'), 'edit')).toBe(true);
    expect(
      org.query(
        accessFor(org, 'ann'),
        "SELECT Id, UserOrGroup.Name, UserOrGroup.Type FROM Widget__Share WHERE RowCause = 'Manual' AND ParentId = '" +
          org.refId('w') +
          "'",
        V,
      ).records,
    ).toEqual([
      // Name.Type of a queue is 'Queue' (a public group's is 'Group').
      expect.objectContaining({ UserOrGroup: expect.objectContaining({ Name: 'Reviewers', Type: 'Queue' }) }),
    ]);
    org.delete(basic, 'Widget__Share', shareId);
    expect([reads('ann', 'w'), reads('bo', 'w')]).toEqual([false, false]);
  });

  it('are validated when the seed loads', () => {
    const bad =
      (groups: unknown[], extra: Record<string, unknown> = {}) =>
      () =>
        buildOrg(minimalSeed({ groups: groups as never, ...extra }));
    expect(bad([{ developerName: 'G', name: 'G', members: ['@user:nope'] }])).toThrow(
      /groups\[0\] \(G\)\.members\[0\]: unknown user '@user:nope'/,
    );
    expect(bad([{ developerName: 'G', name: 'G', members: ['@group:Missing'] }])).toThrow(
      /unknown group '@group:Missing'/,
    );
    expect(bad([{ developerName: 'G', name: 'G', members: ['@group:G'] }])).toThrow(/cannot contain itself/);
    expect(
      bad([
        { developerName: 'G', name: 'G' },
        { developerName: 'g', name: 'Again' },
      ]),
    ).toThrow(/duplicate group 'g'/);
    expect(bad([{ developerName: 'G', name: 'G', type: 'Role' }])).toThrow(/groups\[0\]\.type/);
    expect(bad([{ developerName: 'G', name: 'G', members: ['someone'] }])).toThrow(
      /use @user:key or @group:DeveloperName/,
    );
    // Account's sharing is a plain grant in the emulator (no AccountShare object), so it cannot name a group.
    expect(
      bad([{ developerName: 'G', name: 'G' }], {
        records: { Account: [{ ref: 'a', Name: 'A' }] },
        shares: [{ record: '@a', user: '@group:G', access: 'Read' }],
      }),
    ).toThrow(/shares\[0\]: Account has no share object/);
  });
});
