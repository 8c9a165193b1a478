import { beforeAll, describe, expect, it } from 'vitest';
import type { Org } from '../../../../src/emulator/org/org.ts';
import { accessFor, buildOrg, lendingOrg, minimalSeed } from '../../../support/org-fixture.ts';

const APP = 'Loan_Application__c';

function visibleApps(org: Org, key: string): string[] {
  const access = accessFor(org, key);
  return org.store
    .all(APP)
    .filter((r) => access.canRecord(APP, r, 'read'))
    .map((r) => String(r['External_Ref__c']))
    .sort();
}

describe('security matrix on the lending org', () => {
  let org: Org;
  beforeAll(() => {
    org = lendingOrg();
  });

  it('grants object CRUD from the union of profile and permission sets', () => {
    const admin = accessFor(org, 'admin');
    const officer = accessFor(org, 'officer');
    const worker = accessFor(org, 'worker');
    expect(['read', 'create', 'edit', 'delete'].map((op) => admin.canObject(APP, op as 'read'))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['read', 'create', 'edit', 'delete'].map((op) => officer.canObject(APP, op as 'read'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(worker.canObject(APP, 'read')).toBe(false);
    expect(worker.canObject('Contact', 'read')).toBe(false);
    // Loom_Worker (force-app) lets the integration user write the audit trail.
    expect(worker.canObject('ExecutionStep__c', 'create')).toBe(true);
    expect(worker.hasPermissionSet('Loom_Worker')).toBe(true);
    expect(officer.hasPermissionSet('loom_user')).toBe(true);
    expect(accessFor(org, 'nobody').hasPermissionSet('Loom_User')).toBe(false);
    expect(officer.canObject('No_Such__c', 'read')).toBe(false);
  });

  it('applies field-level security; non-permissionable fields follow the object', () => {
    const officer = accessFor(org, 'officer');
    const underwriter = accessFor(org, 'underwriter');
    expect(officer.canField(APP, 'Amount__c', 'edit')).toBe(true);
    expect(officer.canField(APP, 'Risk_Tier__c', 'read')).toBe(false);
    expect(officer.canField(APP, 'Reviewed_By__c', 'read')).toBe(false);
    expect(officer.canField('Contact', 'SSN__c', 'read')).toBe(false);
    expect(officer.canField('Contact', 'Birthdate', 'read')).toBe(false);
    expect(underwriter.canField(APP, 'risk_tier__c', 'edit')).toBe(true);
    expect(underwriter.canField('Contact', 'SSN__c', 'read')).toBe(true);
    expect(underwriter.canField('Contact', 'SSN__c', 'edit')).toBe(false);
    // System fields: readable, never editable; the name field and owner: readable and (owner) editable.
    expect(officer.canField(APP, 'CreatedDate', 'read')).toBe(true);
    expect(officer.canField(APP, 'CreatedDate', 'edit')).toBe(false);
    expect(officer.canField(APP, 'Name', 'read')).toBe(true);
    expect(officer.canField(APP, 'Name', 'edit')).toBe(false); // auto-number
    expect(officer.canField(APP, 'OwnerId', 'edit')).toBe(true);
    expect(accessFor(org, 'worker').canField(APP, 'Id', 'read')).toBe(false);
  });

  it('shares records by owner, role hierarchy, manual share and view-all', () => {
    expect(visibleApps(org, 'officer')).toEqual(['HL-1001', 'HL-1002', 'HL-1003', 'HL-1004', 'HL-1005', 'HL-1007']);
    expect(visibleApps(org, 'officer2')).toEqual(['HL-1006', 'HL-1007', 'HL-1008']);
    // The underwriter's role is above both officers': their records plus the underwriter's own.
    expect(visibleApps(org, 'underwriter')).toHaveLength(10);
    expect(visibleApps(org, 'approver')).toHaveLength(12); // View All on the object
    expect(visibleApps(org, 'admin')).toHaveLength(12); // View All Data
    expect(visibleApps(org, 'nobody')).toEqual([]); // Private OWD, owns nothing
    expect(visibleApps(org, 'worker')).toEqual([]);
  });

  it('separates read, edit and delete at the record level', () => {
    const officer = accessFor(org, 'officer');
    const underwriter = accessFor(org, 'underwriter');
    const shared = org.store.get(org.refId('app7'))!.record;
    const own = org.store.get(org.refId('app1'))!.record;
    expect(officer.canRecord(APP, shared, 'read')).toBe(true);
    expect(officer.canRecord(APP, shared, 'edit')).toBe(false);
    expect(officer.canRecord(APP, own, 'edit')).toBe(true);
    expect(officer.canRecord(APP, own, 'delete')).toBe(false); // no object delete
    expect(underwriter.canRecord(APP, own, 'edit')).toBe(true);
    expect(accessFor(org, 'approver').canRecord(APP, own, 'edit')).toBe(false); // view all is not modify all
  });

  it('lets every API user read setup objects but only admins write them', () => {
    const worker = accessFor(org, 'worker');
    expect(worker.canObject('User', 'read')).toBe(true);
    // Since Summer '20 permission set objects need View Setup (or a user-management permission): the worker has none.
    expect(worker.canObject('PermissionSetAssignment', 'read')).toBe(false);
    expect(worker.canObject('PermissionSet', 'read')).toBe(false);
    expect(accessFor(org, 'admin').canObject('PermissionSetAssignment', 'read')).toBe(true);
    expect(worker.canField('User', 'Username', 'read')).toBe(true);
    expect(worker.canObject('User', 'edit')).toBe(false);
    expect(accessFor(org, 'admin').canObject('User', 'edit')).toBe(true);
    expect(worker.canObject('ScratchOrgInfo', 'read')).toBe(false);
  });

  it('grants View All Data and Modify All Data only when explicitly granted', () => {
    expect(accessFor(org, 'admin').hasUserPermission('ModifyAllData')).toBe(true);
    for (const key of ['officer', 'underwriter', 'approver', 'worker', 'nobody']) {
      expect(accessFor(org, key).hasUserPermission('ViewAllData')).toBe(false);
      expect(accessFor(org, key).hasUserPermission('ModifyAllData')).toBe(false);
    }
  });
});

describe('sharing models', () => {
  const seed = minimalSeed({
    objects: {
      Widget__c: { sharingModel: 'Private', fields: { Color__c: { type: 'Text' } } },
      Part__c: {
        sharingModel: 'ControlledByParent',
        fields: { Widget__c: { type: 'MasterDetail', referenceTo: 'Widget__c', relationshipName: 'Parts' } },
      },
    },
    profiles: [
      { name: 'Admin', objects: { Widget__c: 'CREDVM', Part__c: 'CRED' }, userPermissions: ['ModifyAllData'] },
      { name: 'Basic', objects: { Widget__c: 'CRE', Part__c: 'CRE' }, fields: { 'Widget__c.Color__c': 'edit' } },
    ],
    users: [
      { key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' },
      { key: 'basic', username: 'basic@fixture.test', lastName: 'Basic', profile: 'Basic' },
      { key: 'peer', username: 'peer@fixture.test', lastName: 'Peer', profile: 'Basic' },
    ],
    records: {
      Widget__c: [
        { ref: 'w1', Name: 'mine', OwnerId: '@user:basic' },
        { ref: 'w2', Name: 'theirs', OwnerId: '@user:peer' },
      ],
      Part__c: [
        { ref: 'p1', Name: 'part of mine', Widget__c: '@w1' },
        { ref: 'p2', Name: 'part of theirs', Widget__c: '@w2' },
      ],
    },
    shares: [{ record: '@w2', user: '@user:basic', access: 'Edit' }],
  });

  it('follows the master record for ControlledByParent details', () => {
    const org = buildOrg(seed);
    const basic = accessFor(org, 'basic');
    const part = (ref: string) => org.store.get(org.refId(ref))!.record;
    expect(basic.canRecord('Part__c', part('p1'), 'edit')).toBe(true);
    expect(basic.canRecord('Part__c', part('p2'), 'read')).toBe(true); // via the Edit share on w2
    org.setShare(org.refId('w2'), org.userByKey('basic')!.id, null);
    expect(basic.canRecord('Part__c', part('p2'), 'read')).toBe(false);
  });

  it('opens records with Read and ReadWrite OWDs', () => {
    for (const [model, read, edit] of [
      ['Private', false, false],
      ['Read', true, false],
      ['ReadWrite', true, true],
    ] as const) {
      const org = buildOrg({ ...seed, sharing: { Widget__c: model }, shares: [] });
      const theirs = org.store.get(org.refId('w2'))!.record;
      const basic = accessFor(org, 'basic');
      expect([
        model,
        basic.canRecord('Widget__c', theirs, 'read'),
        basic.canRecord('Widget__c', theirs, 'edit'),
      ]).toEqual([model, read, edit]);
      expect(basic.canRecord('Widget__c', theirs, 'delete')).toBe(false);
    }
  });
});
