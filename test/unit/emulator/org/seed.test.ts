import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOrg, DEFAULT_SEED_PATH } from '../../../../src/emulator/org/org.ts';
import { parseSeed, SeedError } from '../../../../src/emulator/org/seed.ts';
import type { SeedInput } from '../../../../src/emulator/org/seed.ts';
import { accessFor, buildOrg, lendingOrg, minimalSeed } from '../../../support/org-fixture.ts';

function seedError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return (error as Error).message;
  }
  throw new Error('expected a SeedError');
}

describe('seed validation', () => {
  it('reports schema errors with their path', () => {
    const message = seedError(() =>
      parseSeed(
        {
          profiles: [{ name: 'P', objects: { Account: 'XYZ' } }],
          users: [{ key: 'a', username: 'not-an-email', profile: 'P' }],
        },
        'my.yaml',
      ),
    );
    expect(message).toContain('my.yaml is invalid');
    expect(message).toMatch(/profiles\[0\]\.objects\.Account/);
    expect(message).toMatch(/users\[0\]\.username/);
    expect(message).toMatch(/users\[0\]\.lastName/);
    expect(seedError(() => parseSeed({ profiles: [{ name: 'P' }], users: [], extra: 1 }))).toMatch(/extra/);
  });

  it.each([
    [
      'an unknown profile',
      { users: [{ key: 'x', username: 'x@t.test', lastName: 'X', profile: 'Ghost' }] },
      /users\[0\] \(x\): unknown profile 'Ghost'/,
    ],
    [
      'an unknown permission set',
      { users: [{ key: 'x', username: 'x@t.test', lastName: 'X', profile: 'Basic', permissionSets: ['Loom_User'] }] },
      /unknown permission set 'Loom_User'/,
    ],
    [
      'an unknown role',
      { users: [{ key: 'x', username: 'x@t.test', lastName: 'X', profile: 'Basic', role: 'CEO' }] },
      /unknown role 'CEO'/,
    ],
    [
      'an unknown object in a profile',
      { profiles: [{ name: 'Basic', objects: { Ghost__c: 'R' } }] },
      /profiles\[1\] \(Basic\)\.objects: unknown object 'Ghost__c'/,
    ],
    [
      'an unknown field in a profile',
      { profiles: [{ name: 'Basic', fields: { 'Widget__c.Ghost__c': 'read' } }] },
      /unknown field 'Widget__c.Ghost__c'/,
    ],
    [
      'an unknown record ref',
      { records: { Widget__c: [{ Name: 'a', OwnerId: '@user:ghost' }] } },
      /records\.Widget__c\[0\]\.OwnerId: unknown user '@user:ghost'/,
    ],
    [
      'a dangling @ref',
      {
        objects: {
          Widget__c: { fields: { Color__c: { type: 'Text' }, Peer__c: { type: 'Lookup', referenceTo: 'Widget__c' } } },
        },
        records: { Widget__c: [{ Name: 'a', Peer__c: '@nope' }] },
      },
      /unknown ref '@nope'/,
    ],
    [
      'an invalid record value',
      { records: { Widget__c: [{ Name: 'a', Color__c: 'Blue' }] } },
      /records\.Widget__c\[0\]: INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST/,
    ],
    [
      'an unknown share record',
      { shares: [{ record: '@nope', user: '@user:admin', access: 'Read' }] },
      /shares\[0\]\.record: unknown ref '@nope'/,
    ],
    ['an unknown sharing object', { sharing: { Ghost__c: 'Read' } }, /sharing\.Ghost__c: unknown object/],
    [
      'a role cycle',
      {
        roles: [
          { name: 'A', parent: 'B' },
          { name: 'B', parent: 'A' },
        ],
      },
      /cycle/,
    ],
    [
      'a lookup to an unknown object',
      { objects: { Widget__c: { fields: { Ghost__c: { type: 'Lookup', referenceTo: 'Ghost__c' } } } } },
      /references unknown object 'Ghost__c'/,
    ],
    ['a non-custom new object', { objects: { Widget: { fields: {} } } }, /objects\.Widget: new objects must be custom/],
    [
      'a missing certificate file',
      { connectedApps: [{ name: 'App', consumerKey: 'k', certificateFile: 'nope.crt' }] },
      /certificateFile not found: nope.crt/,
    ],
    [
      'an unknown pre-authorized permission set',
      {
        connectedApps: [
          {
            name: 'App',
            consumerKey: 'k',
            certificate: '-----BEGIN CERTIFICATE-----',
            preAuthorized: { permissionSets: ['Ghost'] },
          },
        ],
      },
      /unknown permission set 'Ghost'/,
    ],
  ] as Array<[string, Partial<SeedInput>, RegExp]>)('rejects %s', (_name, extra, pattern) => {
    const base = minimalSeed();
    const seed = {
      ...base,
      ...extra,
      profiles: extra.profiles ? [base.profiles[0]!, ...extra.profiles] : base.profiles,
    };
    expect(seedError(() => buildOrg(seed))).toMatch(pattern);
  });

  it('validates permission set groups and custom permissions, naming the mistake', () => {
    const base = minimalSeed();
    const withGroups = (extra: Partial<SeedInput>) =>
      buildOrg({
        ...base,
        permissionSets: [{ name: 'Widgets', customPermissions: ['Widget_Approve'] }],
        customPermissions: ['Widget_Approve'],
        ...extra,
      });
    expect(seedError(() => withGroups({ permissionSetGroups: [{ name: 'Team', permissionSets: ['Ghost'] }] }))).toMatch(
      /permissionSetGroups\[0\] \(Team\): unknown permission set 'Ghost'/,
    );
    expect(
      seedError(() => withGroups({ permissionSetGroups: [{ name: 'Widgets', permissionSets: ['Widgets'] }] })),
    ).toMatch(/already names a permission set or group/);
    expect(
      seedError(() =>
        withGroups({
          users: [
            { key: 'x', username: 'x@fixture.test', lastName: 'X', profile: 'Basic', permissionSetGroups: ['Nope'] },
          ],
        }),
      ),
    ).toMatch(/unknown permission set group 'Nope'/);
    expect(
      seedError(() => buildOrg({ ...base, permissionSets: [{ name: 'Odd', customPermissions: ['Not_Defined'] }] })),
    ).toMatch(/unknown custom permission 'Not_Defined'/);
    const org = withGroups({
      permissionSetGroups: [{ name: 'Team', permissionSets: ['Widgets'] }],
      users: [
        ...base.users,
        {
          key: 'member',
          username: 'member@fixture.test',
          lastName: 'Member',
          profile: 'Basic',
          permissionSetGroups: ['Team'],
        },
      ],
    });
    const member = org.userByUsername('member@fixture.test')!.id;
    expect(org.hasCustomPermission(member, 'widget_approve')).toBe(true);
    expect(org.hasCustomPermission(org.userByUsername('basic@fixture.test')!.id, 'Widget_Approve')).toBe(false);
    expect(org.store.all('PermissionSetGroupComponent')).toHaveLength(1);
  });

  it('names the missing Loom permission sets when force-app is absent', () => {
    const message = seedError(() => createOrg({ seed: DEFAULT_SEED_PATH, forceAppDir: null }));
    expect(message).toMatch(/unknown permission set 'Loom_Admin'/);
  });

  it('resolves certificateFile relative to the seed file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loom-seed-'));
    try {
      const pem = readFileSync(path.join(path.dirname(DEFAULT_SEED_PATH), 'keys', 'loom-worker.crt'), 'utf8');
      writeFileSync(path.join(dir, 'app.crt'), pem);
      const seed = {
        ...minimalSeed(),
        connectedApps: [
          { name: 'App', consumerKey: 'key-1', certificateFile: 'app.crt', preAuthorized: { profiles: ['Basic'] } },
        ],
      };
      writeFileSync(path.join(dir, 'seed.yaml'), JSON.stringify(seed));
      const org = createOrg({ seed: path.join(dir, 'seed.yaml'), forceAppDir: null });
      expect(org.connectedApps()).toEqual([
        {
          name: 'App',
          consumerKey: 'key-1',
          certificatePem: pem,
          preAuthorizedProfiles: ['Basic'],
          preAuthorizedPermissionSets: [],
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts YAML text and owns records by the first ModifyAllData user by default', () => {
    const org = buildOrg(`
profiles:
  - { name: Basic, objects: { Account: CRE } }
  - { name: Admin, userPermissions: [ModifyAllData] }
users:
  - { key: basic, username: basic@t.test, lastName: Basic, profile: Basic }
  - { key: admin, username: admin@t.test, lastName: Admin, profile: Admin }
records:
  Account: [{ Name: '@@literal' }]
`);
    const [account] = org.store.all('Account');
    expect(account).toMatchObject({ Name: '@literal', OwnerId: org.userByKey('admin')!.id });
  });
});

describe('the lending sample seed', () => {
  it('materialises setup records that the worker can query', () => {
    const org = lendingOrg();
    const worker = org.userByKey('worker')!;
    const userSet = org.store.all('PermissionSet').find((p) => p['Name'] === 'Loom_User')!;
    const assignees = org.store
      .all('PermissionSetAssignment')
      .filter((a) => a['PermissionSetId'] === userSet.Id)
      .map((a) => org.userById(String(a['AssigneeId']))!.username);
    expect(assignees.sort()).toEqual([
      'approver@lending.test',
      'officer2@lending.test',
      'officer@lending.test',
      'unapproved@lending.test',
      'underwriter@lending.test',
    ]);
    expect(org.store.all('Organization')[0]).toMatchObject({ Id: org.orgId, Name: 'Harbor Lending (emulated)' });
    expect(org.orgId).toMatch(/^00DEM[A-Za-z0-9]{13}$/);
    expect(lendingOrg().orgId).toBe(org.orgId);
    expect(org.store.get(worker.id)!.record).toMatchObject({ Username: 'worker@lending.test', IsActive: true });
    expect(org.store.all('PermissionSet').filter((p) => p['IsOwnedByProfile'] === true)).toHaveLength(7);
    expect(org.dailyApiLimit).toBe(15000);
  });

  it('pre-authorizes every user for the Loom Worker app except unapproved', () => {
    const org = lendingOrg();
    const [app] = org.connectedApps();
    expect(app?.certificatePem).toContain('BEGIN CERTIFICATE');
    const authorized = org
      .users()
      .filter(
        (u) =>
          app!.preAuthorizedProfiles.includes(u.profile) ||
          u.permissionSets.some((p) => app!.preAuthorizedPermissionSets.includes(p)),
      );
    expect(
      org
        .users()
        .filter((u) => !authorized.includes(u))
        .map((u) => u.username),
    ).toEqual(['unapproved@lending.test']);
  });

  it('plants a prompt injection and restricted PII', () => {
    const org = lendingOrg();
    expect(String(org.store.get(org.refId('app3'))!.record['Description__c'])).toContain(
      'Ignore all previous instructions',
    );
    expect(org.store.all('Contact').filter((c) => typeof c['SSN__c'] === 'string' && c['Birthdate'])).toHaveLength(6);
    expect(accessFor(org, 'officer').canField('Contact', 'SSN__c', 'read')).toBe(false);
  });

  it('reset restores the seed state and ids', () => {
    const org = lendingOrg();
    const admin = accessFor(org, 'admin');
    const before = org.store.all('Loan_Application__c').map((r) => r.Id);
    org.create(admin, 'Loan_Application__c', { External_Ref__c: 'NEW' });
    org.delete(admin, 'Loan_Application__c', org.refId('app1'));
    org.reset();
    expect(org.store.all('Loan_Application__c').map((r) => r.Id)).toEqual(before);
    const { id } = org.create(admin, 'Loan_Application__c', { External_Ref__c: 'NEW' });
    expect(org.store.get(id)!.record['Name']).toBe('LA-00013');
  });
});

describe('org ID', () => {
  it('is derived from the seed: the same seed keeps its org, another seed gets another (state is kept per org)', () => {
    const lending = createOrg({ seed: DEFAULT_SEED_PATH });
    const other = createOrg({ seed: { ...minimalSeed(), org: { name: 'Another org' } } as SeedInput });
    expect(createOrg({ seed: DEFAULT_SEED_PATH }).orgId).toBe(lending.orgId);
    expect(other.orgId).toMatch(/^00DEM[A-Za-z0-9]{13}$/);
    expect(other.orgId).not.toBe(lending.orgId);
  });
});
