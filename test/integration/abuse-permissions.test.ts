/**
 * Class 7 of the security review (docs/security.md): who may start turns and who may decide is a custom permission,
 * asked of the org as the user (LoomPermissionsResource, `FeatureManagement.checkPermission`), never a lookup of
 * PermissionSetAssignment by permission set name. Each case is one way the name lookup broke in a real org:
 * (a) permissions that come through a permission set group, (b) a least-privilege integration user that cannot read
 * PermissionSetAssignment at all (Summer '20), (c) Apex and the worker disagreeing on who is an approver.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createOrg, DEFAULT_FORCE_APP_DIR, DEFAULT_SEED_PATH, type Org } from '../../src/emulator/org/org.ts';
import type { SeedInput } from '../../src/emulator/org/seed.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { LOOM_PERMISSIONS, PERMISSIONS_PATH } from '../../src/salesforce/custom-permissions.ts';
import { lastSeq, requestsSince } from '../support/chaos/abuse-kit.ts';
import { startTestEmulator } from '../support/emulator.ts';
import { createHarness, pendingOf, USERS, type Harness } from '../support/runtime.ts';

const SIGNING_KEY = 'test-abuse-permissions-signing-key-0123456789';
const signal = new AbortController().signal;

const GROUPED_OFFICER = 'grouped.officer@lending.test';
const GROUPED_APPROVER = 'grouped.approver@lending.test';
const CUSTOM_APPROVER = 'custom.approver@lending.test';

/** "raise …": look LA-00002 up, then ask to update it with a tool that needs approval; anything else is small talk. */
const SCRIPT: ScriptedScript = {
  name: 'abuse-permissions',
  rules: [
    { when: { lastToolResult: { contains: 'savedFields' } }, respond: { text: 'Done.' } },
    {
      when: { lastUserMessage: '^raise', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: "SELECT Id, Name FROM Loan_Application__c WHERE Name = 'LA-00002'" },
          },
        ],
      },
    },
    {
      when: {
        lastUserMessage: '^raise',
        lastToolResult: { tool: 'query_applications', contains: '"totalSize":\\s*1' },
      },
      respond: {
        toolCalls: [
          {
            name: 'update_application',
            arguments: { recordId: '{{lastToolResult.records.0.Id}}', fields: { Amount__c: 33000 } },
          },
        ],
      },
    },
    { when: {}, respond: { text: 'How can I help?' } },
  ],
};

/** The lending seed plus users whose Loom permissions arrive the ways real orgs grant them. */
function seedWithGroups(): SeedInput {
  const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as SeedInput & { users: unknown[] };
  return {
    ...seed,
    // Another permission set that grants Loom_Approver's custom permission (and the class to ask for it), not its name.
    permissionSets: [
      ...(seed.permissionSets ?? []),
      {
        name: 'Lending_Decisions',
        customPermissions: [LOOM_PERMISSIONS.decide],
        apexClasses: ['LoomPermissionsResource'],
      },
    ],
    permissionSetGroups: [
      { name: 'Lending_Team', label: 'Lending team', permissionSets: ['Loom_User', 'Loom_Approver'] },
    ],
    users: [
      ...seed.users,
      {
        key: 'groupedOfficer',
        username: GROUPED_OFFICER,
        lastName: 'Grouped Officer',
        profile: 'Loan Officer',
        permissionSetGroups: ['Lending_Team'],
        role: 'Loan Officers',
      },
      {
        key: 'groupedApprover',
        username: GROUPED_APPROVER,
        lastName: 'Grouped Approver',
        profile: 'Loan Approver',
        permissionSetGroups: ['Lending_Team'],
      },
      {
        key: 'customApprover',
        username: CUSTOM_APPROVER,
        lastName: 'Custom Approver',
        profile: 'Loan Approver',
        permissionSets: ['Loom_User', 'Lending_Decisions'],
      },
    ],
  };
}

async function startHarness(org: Org): Promise<{ emulator: EmulatorHandle; harness: Harness }> {
  const emulator = await startTestEmulator({ org, seedPath: DEFAULT_SEED_PATH });
  // No default approver: any holder of Loom_DecidePendingActions who can read the record may decide.
  const harness = await createHarness(emulator, { script: SCRIPT, runtime: { hitl: { signingKey: SIGNING_KEY } } });
  return { emulator, harness };
}

/** An officer's turn that holds one update of LA-00002 for approval. */
async function heldAction(harness: Harness): Promise<string> {
  const { started, job } = await harness.turn(USERS.officer, 'raise LA-00002 please');
  expect((await harness.handler.handle(job, signal)).status).toBe('awaiting-action');
  const [pending] = await pendingOf(harness, started.executionId);
  expect(pending?.Status__c).toBe('Pending');
  return (pending as { Id: string }).Id;
}

/** Shares a pending action with an approver, as approval routing or an admin would: deciders must see what they decide. */
async function shareWith(harness: Harness, pendingId: string, username: string): Promise<void> {
  const admin = harness.clientFor(USERS.admin);
  const users = await admin.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = '${username}'`);
  const userId = users.records[0]?.Id as string;
  await admin.request('POST', '/sobjects/PendingHITLAction__Share', {
    ParentId: pendingId,
    UserOrGroupId: userId,
    AccessLevel: 'Read',
    RowCause: 'Manual',
  });
}

async function permissionsOf(harness: Harness, username: string): Promise<Record<string, boolean>> {
  const answer = await harness
    .clientFor(username)
    .request<{ permissions: Record<string, boolean> }>('GET', PERMISSIONS_PATH);
  return answer.permissions;
}

describe("custom permissions checked in the user's own context", () => {
  let emulator: EmulatorHandle;
  let harness: Harness;

  beforeAll(async () => {
    ({ emulator, harness } = await startHarness(
      createOrg({ seed: seedWithGroups(), baseDir: join(DEFAULT_SEED_PATH, '..') }),
    ));
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('(a) a user whose Loom_User comes through a permission set group starts turns', async () => {
    const { job } = await harness.turn(GROUPED_OFFICER, 'hello');
    const outcome = await harness.handler.handle(job, signal);
    expect(outcome.status).toBe('completed');
  });

  it('(a) a user whose Loom_Approver comes through a permission set group approves, and the held call runs', async () => {
    const pendingId = await heldAction(harness);
    await shareWith(harness, pendingId, GROUPED_APPROVER);
    const outcome = await harness.handler.handle(await harness.decide(GROUPED_APPROVER, pendingId, 'Approve'), signal);
    expect(outcome.status, JSON.stringify(outcome)).toBe('completed');
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ Status__c: string }>(`SELECT Status__c FROM PendingHITLAction__c WHERE Id = '${pendingId}'`);
    expect(records[0]?.Status__c).toBe('Approved');
  });

  it('(b) the least-privilege integration user gets INSUFFICIENT_ACCESS on PermissionSetAssignment, and turns still run', async () => {
    await expect(harness.integration.query('SELECT Id FROM PermissionSetAssignment LIMIT 1')).rejects.toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS',
    });
    const from = lastSeq(emulator);
    const { job } = await harness.turn(USERS.underwriter, 'hello');
    expect((await harness.handler.handle(job, signal)).status).toBe('completed');
    const second = await harness.turn(USERS.underwriter, 'hello again');
    expect((await harness.handler.handle(second.job, signal)).status).toBe('completed');
    // One permission call for two turns (the cache window), made with the underwriter's OWN token, none by the worker.
    const checks = requestsSince(emulator, from).filter((entry) => entry.path === PERMISSIONS_PATH);
    const underwriterId = (emulator.org as Org).userByUsername(USERS.underwriter)?.id;
    expect(checks.map((entry) => [entry.userId, entry.status])).toEqual([[underwriterId, 200]]);
    expect(requestsSince(emulator, from).filter((entry) => entry.path.includes('PermissionSetAssignment'))).toEqual([]);
  });

  it('(c) another permission set that grants Loom_DecidePendingActions makes an approver for Apex and the worker alike', async () => {
    // What Apex's FeatureManagement.checkPermission answers for this user, asked the way the worker asks it.
    expect(await permissionsOf(harness, CUSTOM_APPROVER)).toEqual({
      [LOOM_PERMISSIONS.startTurns]: true,
      [LOOM_PERMISSIONS.decide]: true,
    });
    const pendingId = await heldAction(harness);
    await shareWith(harness, pendingId, CUSTOM_APPROVER);
    expect(
      (await harness.handler.handle(await harness.decide(CUSTOM_APPROVER, pendingId, 'Approve'), signal)).status,
    ).toBe('completed');
  });

  it('answers for the calling user only, refuses names outside the package, and fails closed without the Apex class', async () => {
    expect(await permissionsOf(harness, USERS.officer)).toEqual({
      [LOOM_PERMISSIONS.startTurns]: true,
      [LOOM_PERMISSIONS.decide]: false,
    });
    await expect(
      harness.clientFor(USERS.officer).request('GET', `${PERMISSIONS_PATH}?names=ModifyAllData`),
    ).rejects.toMatchObject({ errorCode: 'UNKNOWN_PERMISSION' });
    // nobody@ holds no Loom permission set, so not the class either: the org refuses, the worker reads "not held".
    await expect(harness.clientFor('nobody@lending.test').request('GET', PERMISSIONS_PATH)).rejects.toMatchObject({
      errorCode: 'FORBIDDEN',
    });
  });
});

describe('a permission set NAMED Loom_Approver without the custom permission', () => {
  let emulator: EmulatorHandle;
  let harness: Harness;
  let forceApp: string;

  beforeAll(async () => {
    // An admin edits the org's Loom_Approver and takes the custom permission out (to pause approvals, say).
    forceApp = mkdtempSync(join(tmpdir(), 'loom-force-app-'));
    cpSync(DEFAULT_FORCE_APP_DIR, forceApp, { recursive: true });
    const file = join(forceApp, 'main/approvals/permissionsets/Loom_Approver.permissionset-meta.xml');
    const stripped = readFileSync(file, 'utf8').replace(/\s*<customPermissions>[\s\S]*?<\/customPermissions>/, '');
    expect(stripped).not.toContain(LOOM_PERMISSIONS.decide);
    writeFileSync(file, stripped);
    ({ emulator, harness } = await startHarness(createOrg({ seed: DEFAULT_SEED_PATH, forceAppDir: forceApp })));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(forceApp, { recursive: true, force: true });
  });

  it('(c) is no approver for Apex or for the worker, whatever the name says; nothing runs', async () => {
    expect((await permissionsOf(harness, USERS.approver))[LOOM_PERMISSIONS.decide]).toBe(false);
    const pendingId = await heldAction(harness);
    expect(
      (await harness.handler.handle(await harness.refusedByApex(USERS.approver, pendingId, 'Approve'), signal)).status,
    ).toBe('refused');
    const { records } = await harness
      .clientFor(USERS.admin)
      .query<{ Status__c: string }>(`SELECT Status__c FROM PendingHITLAction__c WHERE Id = '${pendingId}'`);
    expect(records[0]?.Status__c).toBe('Pending');
  });
});

describe('Apex and the worker check the same custom permissions', () => {
  const apex = (path: string) => readFileSync(join(DEFAULT_FORCE_APP_DIR, path), 'utf8');

  it("AgentHITLService decides on Loom_DecidePendingActions, and LoomPermissionsResource answers exactly the worker's permissions", () => {
    expect(apex('main/approvals/classes/AgentHITLService.cls')).toMatch(
      new RegExp(`DECIDE_PERMISSION = '${LOOM_PERMISSIONS.decide}'`),
    );
    // AgentTurnService refuses a turn on the same custom permission the worker asks for.
    const turnService = apex('main/agent-runtime/classes/AgentTurnService.cls');
    expect(turnService).toMatch(new RegExp(`START_PERMISSION = '${LOOM_PERMISSIONS.startTurns}'`));
    expect(turnService).toMatch(/FeatureManagement\.checkPermission\(START_PERMISSION\)/);
    const allowList =
      /PACKAGE_PERMISSIONS = new List<String>\{([^}]*)\}/.exec(
        apex('main/agent-runtime/classes/LoomPermissionsResource.cls'),
      )?.[1] ?? '';
    expect([...allowList.matchAll(/'(\w+)'/g)].map((m) => m[1]).sort()).toEqual(Object.values(LOOM_PERMISSIONS).sort());
    expect(apex('main/agent-runtime/classes/LoomPermissionsResource.cls')).toContain(
      "@RestResource(urlMapping='/loom/v1/permissions')",
    );
    expect(PERMISSIONS_PATH).toBe('/services/apexrest/loom/v1/permissions');
  });
});
