/**
 * Apex REST as unmodified jsforce reaches it (`conn.apex.get`): a real org serves `@RestResource(urlMapping='/x')` at
 * `/services/apexrest/x` (https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_classes_annotation_rest_resource.htm).
 * The emulator answers the package's LoomPermissionsResource from the caller's profile, permission sets and permission
 * set groups, the way `FeatureManagement.checkPermission` evaluates them, and the permission set objects follow the
 * Summer '20 special access rule (View Setup and Configuration).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createOrg, DEFAULT_SEED_PATH, type Org } from '../../src/emulator/org/org.ts';
import type { SeedInput } from '../../src/emulator/org/seed.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, startTestEmulator } from '../support/emulator.ts';

let emu: EmulatorHandle;
const connect = (user: string): Promise<jsforce.Connection> => jsforceConnection(emu, `${user}@lending.test`);
const idOf = (user: string): string => (emu.org as Org).userByUsername(`${user}@lending.test`)?.id as string;

beforeAll(async () => {
  const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as SeedInput & { users: unknown[] };
  const org = createOrg({
    baseDir: join(DEFAULT_SEED_PATH, '..'),
    seed: {
      ...seed,
      permissionSetGroups: [{ name: 'Lending_Team', permissionSets: ['Loom_User', 'Loom_Approver'] }],
      users: [
        ...seed.users,
        {
          key: 'teamed',
          username: 'teamed@lending.test',
          lastName: 'Teamed',
          profile: 'Loan Officer',
          permissionSetGroups: ['Lending_Team'],
        },
      ],
    },
  });
  emu = await startTestEmulator({ org, seedPath: DEFAULT_SEED_PATH });
});
afterAll(async () => emu.close());

describe('GET /services/apexrest/loom/v1/permissions', () => {
  it('answers every package custom permission for the calling user', async () => {
    const officer = await connect('officer');
    expect(await officer.apex.get('/loom/v1/permissions')).toEqual({
      userId: idOf('officer'),
      permissions: { Loom_DecidePendingActions: false, Loom_StartAgentTurns: true },
    });
    const approver = await connect('approver');
    expect(await approver.apex.get('/loom/v1/permissions')).toEqual({
      userId: idOf('approver'),
      permissions: { Loom_DecidePendingActions: true, Loom_StartAgentTurns: true },
    });
  });

  it('counts permissions that come through a permission set group', async () => {
    const teamed = await connect('teamed');
    expect(await teamed.apex.get('/loom/v1/permissions')).toMatchObject({
      permissions: { Loom_DecidePendingActions: true, Loom_StartAgentTurns: true },
    });
  });

  it('follows assignments made after start-up (live PermissionSetAssignment rows)', async () => {
    const org = emu.org as Org;
    const admin = org.systemAccess(idOf('admin'));
    const [set] = org.query(admin, "SELECT Id FROM PermissionSet WHERE Name = 'Loom_Approver'", {
      apiVersion: '62.0',
    }).records;
    const underwriter = await connect('underwriter');
    expect(await underwriter.apex.get('/loom/v1/permissions?names=Loom_DecidePendingActions')).toEqual({
      userId: idOf('underwriter'),
      permissions: { Loom_DecidePendingActions: false },
    });
    org.create(admin, 'PermissionSetAssignment', { AssigneeId: idOf('underwriter'), PermissionSetId: set?.Id });
    expect(await underwriter.apex.get('/loom/v1/permissions?names=Loom_DecidePendingActions')).toEqual({
      userId: idOf('underwriter'),
      permissions: { Loom_DecidePendingActions: true },
    });
  });

  it('refuses names outside the package, other methods, unknown mappings and callers without the Apex class', async () => {
    const officer = await connect('officer');
    await expect(
      officer.apex.get('/loom/v1/permissions?names=Loom_StartAgentTurns,ModifyAllData'),
    ).rejects.toMatchObject({ errorCode: 'UNKNOWN_PERMISSION', message: 'Unknown custom permission: ModifyAllData' });
    await expect(officer.apex.post('/loom/v1/permissions', {})).rejects.toMatchObject({
      errorCode: 'METHOD_NOT_ALLOWED',
    });
    await expect(officer.apex.get('/loom/v1/nothing')).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
    const worker = await connect('worker');
    await expect(worker.apex.get('/loom/v1/permissions')).rejects.toMatchObject({ errorCode: 'FORBIDDEN' });
    const anonymous = await fetch(`${emu.url}/services/apexrest/loom/v1/permissions`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("permission set objects need View Setup and Configuration (Summer '20)", () => {
  it('refuses PermissionSetAssignment to the integration user and serves it, with groups, to an admin', async () => {
    const worker = await connect('worker');
    await expect(worker.query('SELECT Id FROM PermissionSetAssignment')).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS',
    });
    await expect(worker.query('SELECT Id FROM PermissionSet')).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS',
    });
    const admin = await connect('admin');
    const { records } = await admin.query<{
      PermissionSetGroupId: string | null;
      PermissionSet: { Name: string; Type: string };
    }>(
      `SELECT PermissionSetGroupId, PermissionSet.Name, PermissionSet.Type FROM PermissionSetAssignment WHERE AssigneeId = '${idOf('teamed')}' AND PermissionSetGroupId != null`,
    );
    // A group assignment points at the group's own aggregate permission set, never at Loom_User or Loom_Approver by name.
    expect(records).toHaveLength(1);
    expect(records[0]?.PermissionSet.Type).toBe('Group');
    expect(records[0]?.PermissionSet.Name).not.toMatch(/^Loom_/);
    const components = await admin.query<{ PermissionSet: { Name: string } }>(
      `SELECT PermissionSet.Name FROM PermissionSetGroupComponent WHERE PermissionSetGroupId = '${records[0]?.PermissionSetGroupId}'`,
    );
    expect(components.records.map((c) => c.PermissionSet.Name).sort()).toEqual(['Loom_Approver', 'Loom_User']);
  });
});
