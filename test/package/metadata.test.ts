import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkApexMetaPairs, checkXmlWellFormed, convertWithSdr } from '../../scripts/sf/checks/metadata-checks.ts';
import { formatIssue } from '../../scripts/sf/checks/types.ts';
import { readForceAppMetadata } from '../../scripts/sf/lib/metadata.ts';
import { loadPackageMetadata } from '../../src/emulator/org/metadata-loader.ts';
import { CLASS_META, FORCE_APP, REPO, fixtureDir } from './support.ts';

const objects = readForceAppMetadata(FORCE_APP);
const object = (name: string) => {
  const found = objects.find((o) => o.name === name);
  if (!found) throw new Error(`missing object ${name}`);
  return found;
};

const SfdxProject = z.object({
  packageDirectories: z
    .array(
      z.object({
        path: z.string(),
        default: z.boolean(),
        package: z.string().optional(),
        versionName: z.string(),
        versionNumber: z.string().regex(/^\d+\.\d+\.\d+\.NEXT$/),
        versionDescription: z.string(),
      }),
    )
    .length(1),
  namespace: z.literal(''),
  sourceApiVersion: z.literal('62.0'),
  sfdcLoginUrl: z.string().url(),
  // Filled by `npm run sf:package` (sf package create / version create); empty until the package exists in a Dev Hub.
  packageAliases: z.record(z.string(), z.string()),
});

// No ConnectedApp or External Client App on purpose: they cannot ship in an unlocked package that must deploy into any
// org (docs/admin-guide.md §3 says why); adding one changes this list.
const EXPECTED_TOP_LEVEL = [
  'ApexClass:AgentHITLService',
  'ApexClass:AgentHITLService_Tests',
  'ApexClass:AgentTurnService',
  'ApexClass:AgentTurnService_Tests',
  'ApexClass:AgentWorkerClient',
  'ApexClass:AgentWorkerClient_Tests',
  'ApexClass:DecidePendingActionAction',
  'ApexClass:DecidePendingActionAction_Tests',
  'ApexClass:LoomEventPublisher',
  'ApexClass:LoomEventPublisher_Tests',
  'ApexClass:LoomException',
  'ApexClass:LoomException_Tests',
  'ApexClass:LoomQueuedHttpMock',
  'ApexClass:LoomPermissionsResource',
  'ApexClass:LoomPermissionsResource_Tests',
  'ApexClass:LoomSettings',
  'ApexClass:LoomSettings_Tests',
  'ApexClass:LoomTestDataFactory',
  'ApexClass:RunAgentTurnSyncAction',
  'ApexClass:RunAgentTurnSyncAction_Tests',
  'ApexClass:StartAgentTurnAction',
  'ApexClass:StartAgentTurnAction_Tests',
  'CustomNotificationType:Loom_Pending_Action',
  'CustomPermission:Loom_DecidePendingActions',
  'CustomPermission:Loom_StartAgentTurns',
  'CustomObject:AIAgentDefinition__c',
  'CustomObject:AIAgentFrameworkSettings__c',
  'CustomObject:AgentCapability__c',
  'CustomObject:AgentDecisionStep__c',
  'CustomObject:AgentExecution__c',
  'CustomObject:AgentHITLDecision__e',
  'CustomObject:AgentTurnRequest__e',
  'CustomObject:AgentTurnResult__e',
  'CustomObject:ExecutionStep__c',
  'CustomObject:InteractionMessage__c',
  'CustomObject:InteractionSession__c',
  'CustomObject:LLMConfiguration__c',
  'CustomObject:PendingHITLAction__c',
  'PermissionSet:Loom_Admin',
  'PermissionSet:Loom_Approver',
  'PermissionSet:Loom_User',
  'PermissionSet:Loom_Worker',
  // The Lightning experience (force-app/main/lightning).
  'ApexClass:LoomApprovalInboxController',
  'ApexClass:LoomApprovalInboxController_Tests',
  'ApexClass:LoomChatController',
  'ApexClass:LoomChatController_Tests',
  'ApexClass:LoomStoryboardController',
  'ApexClass:LoomStoryboardController_Tests',
  'CustomApplication:Loom',
  'CustomLabels:CustomLabels',
  'CustomTab:AIAgentDefinition__c',
  'CustomTab:AgentExecution__c',
  'CustomTab:InteractionSession__c',
  'CustomTab:Loom_Home',
  'CustomTab:PendingHITLAction__c',
  'FlexiPage:Loom_Execution_Record_Page',
  'FlexiPage:Loom_Home',
  'FlexiPage:Loom_UtilityBar',
  'Layout:AgentExecution__c-Agent Execution Layout',
  'Layout:PendingHITLAction__c-Pending HITL Action Layout',
  'LightningComponentBundle:loomAgentChat',
  'LightningComponentBundle:loomApprovalInbox',
  'LightningComponentBundle:loomExecutionStoryboard',
  'LightningComponentBundle:loomFormat',
  'QuickAction:PendingHITLAction__c.Loom_Decide',
];

describe('sfdx project and Metadata API conversion', () => {
  it('sfdx-project.json is valid: one unlocked package directory, no namespace, API 62.0', () => {
    const project = SfdxProject.parse(JSON.parse(readFileSync(join(REPO, 'sfdx-project.json'), 'utf8')));
    expect(project.packageDirectories[0]?.path).toBe('force-app');
  });

  it('source-deploy-retrieve resolves and converts all of force-app with the expected components', async () => {
    const result = await convertWithSdr(FORCE_APP);
    const topLevel = result.components.filter(
      (c) => !c.startsWith('CustomField:') && !c.startsWith('ListView:') && !c.startsWith('CustomLabel:'),
    );
    expect(
      topLevel.filter((c) => !/^(Report|ReportType|ReportFolder|Dashboard|DashboardFolder):/.test(c)).sort(),
    ).toEqual([...EXPECTED_TOP_LEVEL].sort());
    const fieldCount = objects.reduce((n, o) => n + o.fields.length, 0);
    expect(result.components.filter((c) => c.startsWith('CustomField:'))).toHaveLength(fieldCount);
    expect(result.components).toContain('CustomField:ExecutionStep__c.StepKey__c');
    expect(result.packageXml).toContain('<version>62.0</version>');
    expect(result.zipBytes).toBeGreaterThan(10_000);
  });

  it('SDR refuses metadata it cannot type', async () => {
    const dir = fixtureDir({
      'main/default/weird/Thing.foobar-meta.xml':
        '<?xml version="1.0"?><Foo xmlns="http://soap.sforce.com/2006/04/metadata"/>',
    });
    await expect(convertWithSdr(dir)).rejects.toThrow(/infer a metadata type|TypeInference/i);
  });

  it('every -meta.xml is well-formed; a mismatched closing tag is caught', () => {
    expect(checkXmlWellFormed(FORCE_APP).map(formatIssue)).toEqual([]);
    const dir = fixtureDir({
      'objects/X__c/fields/A__c.field-meta.xml':
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n<label>A</labe>\n</CustomField>\n',
      'objects/X__c/fields/B__c.field-meta.xml':
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField>\n<label>B</label>\n</CustomField>\n',
    });
    const issues = checkXmlWellFormed(dir);
    expect(issues).toHaveLength(2);
    expect(issues[0]?.message).toMatch(/closing tag/);
    expect(issues[1]?.message).toMatch(/xmlns/);
  });

  it('every Apex file has its -meta.xml; an orphan class or meta file is caught', () => {
    expect(checkApexMetaPairs(FORCE_APP).map(formatIssue)).toEqual([]);
    const dir = fixtureDir({
      'classes/Lonely.cls': 'public with sharing class Lonely {}',
      'classes/Ghost.cls-meta.xml': CLASS_META,
    });
    expect(checkApexMetaPairs(dir).map((i) => i.file.split('/').pop())).toEqual(['Lonely.cls', 'Ghost.cls-meta.xml']);
  });
});

describe('data model conventions', () => {
  it('every object and field has a description and every field help text', () => {
    const missing: string[] = [];
    for (const o of objects) {
      if (!o.description) missing.push(o.name);
      for (const f of o.fields) {
        if (!f.description) missing.push(`${o.name}.${f.name} description`);
        if (!f.inlineHelpText) missing.push(`${o.name}.${f.name} help text`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('API names are PascalCase (no underscores before the suffix)', () => {
    const bad = objects
      .flatMap((o) => [o.name, ...o.fields.map((f) => f.name)])
      .filter((n) => !/^[A-Z][A-Za-z0-9]*__[ce]$/.test(n));
    expect(bad).toEqual([]);
  });

  it('picklists carry the values the worker relies on', () => {
    const values = (o: string, f: string) => object(o).fields.find((x) => x.name === f)?.picklistValues;
    expect(values('ExecutionStep__c', 'StepType__c')).toEqual([
      'UserInput',
      'LLMRequest',
      'LLMResponse',
      'ToolCall',
      'ToolResult',
      'AgentResponse',
      'SafetyCheck',
      'Masking',
      'Approval',
      'Error',
    ]);
    expect(values('AgentExecution__c', 'ExecutionStatus__c')).toEqual([
      'Pending',
      'Processing',
      'Awaiting Action',
      'Completed',
      'Failed',
      'Cancelled',
    ]);
    expect(values('PendingHITLAction__c', 'Status__c')).toEqual([
      'Pending',
      'Confirmed',
      'Approved',
      'Rejected',
      'Declined',
      'Expired',
      'Cancelled',
    ]);
    expect(values('AgentCapability__c', 'HITLMode__c')).toEqual([
      'Confirmation',
      'Approval',
      'ConfirmationThenApproval',
      'ConditionalApproval',
    ]);
    expect(values('AIAgentDefinition__c', 'PromptSafetyMode__c')).toEqual(['LogOnly', 'Sanitize', 'Block']);
    expect(values('InteractionMessage__c', 'Direction__c')).toEqual(['Inbound', 'Outbound']);
  });

  it('StepKey__c is a unique, case-sensitive external ID so worker writes are idempotent', () => {
    const key = object('ExecutionStep__c').fields.find((f) => f.name === 'StepKey__c');
    expect(key).toMatchObject({ type: 'Text', unique: true, externalId: true, length: 255 });
    expect(
      readFileSync(
        join(FORCE_APP, 'main/agent-runtime/objects/ExecutionStep__c/fields/StepKey__c.field-meta.xml'),
        'utf8',
      ),
    ).toContain('<caseSensitive>true</caseSensitive>');
  });

  it('events are high volume; turn requests and decisions publish after commit and carry IDs only', () => {
    for (const name of ['AgentTurnRequest__e', 'AgentHITLDecision__e', 'AgentTurnResult__e']) {
      expect(readFileSync(object(name).file, 'utf8')).toContain('<eventType>HighVolume</eventType>');
    }
    expect(object('AgentTurnRequest__e').publishBehavior).toBe('PublishAfterCommit');
    expect(object('AgentHITLDecision__e').publishBehavior).toBe('PublishAfterCommit');
    expect(object('AgentTurnRequest__e').fields.map((f) => f.name)).toEqual([
      'AgentExecutionId__c',
      'InteractionMessageId__c',
      'TurnIdentifier__c',
    ]);
  });

  it('PendingHITLAction__c is private; agents are private so they can be limited to some users', () => {
    expect(object('PendingHITLAction__c').sharingModel).toBe('Private');
    expect(object('AIAgentDefinition__c').sharingModel).toBe('Private');
  });
});

describe('permission sets', () => {
  const pkg = loadPackageMetadata(FORCE_APP);
  const permset = (name: string) => {
    const found = pkg.permissionSets.find((p) => p.name === name);
    if (!found) throw new Error(`missing permission set ${name}`);
    return found;
  };

  it('the emulator loads every object and permission set from force-app', () => {
    expect(pkg.objects.map((o) => o.name).sort()).toEqual(objects.map((o) => o.name).sort());
    expect(pkg.permissionSets.map((p) => p.name).sort()).toEqual([
      'Loom_Admin',
      'Loom_Approver',
      'Loom_User',
      'Loom_Worker',
    ]);
  });

  it('never list required or master-detail fields (a real deploy would fail)', () => {
    const forbidden = new Set(
      objects.flatMap((o) =>
        o.fields.filter((f) => f.required || f.type === 'MasterDetail').map((f) => `${o.name}.${f.name}`.toLowerCase()),
      ),
    );
    const listed = pkg.permissionSets
      .flatMap((p) => Object.keys(p.fields).map((f) => `${p.name}: ${f}`))
      .filter((f) => forbidden.has(f.split(': ')[1]!.toLowerCase()));
    expect(listed).toEqual([]);
  });

  /** One permission set's object access as `C R E D VA MA` flags (`-` where not granted), exactly as force-app states it. */
  const objectAccess = (name: string) =>
    Object.fromEntries(
      Object.entries(permset(name).objects)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([objectName, p]) => [
          objectName,
          [
            p.create ? 'C' : '-',
            p.read ? 'R' : '-',
            p.edit ? 'E' : '-',
            p.delete ? 'D' : '-',
            p.viewAll ? 'VA' : '-',
            p.modifyAll ? 'MA' : '-',
          ].join(' '),
        ]),
    );

  // A change to any permission set's object access must be deliberate: update the snapshot and say why in the commit.
  it('object access snapshot of every permission set', () => {
    expect(objectAccess('Loom_Admin')).toEqual({
      AgentCapability__c: 'C R E D - -',
      AgentDecisionStep__c: '- R - - - -',
      AgentExecution__c: '- R - - VA -',
      AIAgentDefinition__c: 'C R E D VA MA',
      AIAgentFrameworkSettings__c: '- R - - - -',
      ExecutionStep__c: '- R - - - -',
      InteractionMessage__c: '- R - - - -',
      InteractionSession__c: '- R - - VA -',
      LLMConfiguration__c: 'C R E D - -',
      PendingHITLAction__c: '- R - - VA -',
    });
    expect(objectAccess('Loom_User')).toEqual({
      AgentCapability__c: '- R - - - -',
      AgentDecisionStep__c: '- R - - - -',
      AgentExecution__c: 'C R E - - -',
      // No AgentHITLDecision__e or AgentTurnRequest__e: AgentHITLService and AgentTurnService publish them in system
      // context after their own checks (issue 16, class 3). AgentTurnResult__e carries IDs and status only.
      AgentTurnResult__e: '- R - - - -',
      AIAgentDefinition__c: '- R - - - -',
      ExecutionStep__c: '- R - - - -',
      InteractionMessage__c: 'C R - - - -',
      InteractionSession__c: 'C R E - - -',
      PendingHITLAction__c: '- R - - - -',
    });
    expect(objectAccess('Loom_Approver')).toEqual({
      AgentCapability__c: '- R - - - -',
      AgentDecisionStep__c: '- R - - - -',
      AgentExecution__c: '- R - - - -',
      AIAgentDefinition__c: '- R - - - -',
      ExecutionStep__c: '- R - - - -',
      PendingHITLAction__c: '- R - - - -',
    });
    // View All / Modify All only on the three Private objects whose records the requesting user owns and the worker
    // must read and update (see the comments in Loom_Worker and docs/admin-guide.md); Modify All always carries Delete.
    // View All on agents: they are Private (shared per user or group), and the worker reads every agent's configuration.
    // No Create on executions and sessions: the requesting user creates them.
    expect(objectAccess('Loom_Worker')).toEqual({
      AgentCapability__c: '- R - - - -',
      AgentDecisionStep__c: 'C R E - - -',
      AgentExecution__c: '- R E D VA MA',
      AgentHITLDecision__e: 'C R - - - -',
      AgentTurnRequest__e: '- R - - - -',
      AgentTurnResult__e: 'C R - - - -',
      AIAgentDefinition__c: '- R - - VA -',
      AIAgentFrameworkSettings__c: '- R - - - -',
      ExecutionStep__c: 'C R E - - -',
      InteractionMessage__c: 'C R E - - -',
      InteractionSession__c: '- R E D VA MA',
      LLMConfiguration__c: '- R - - - -',
      PendingHITLAction__c: 'C R E D VA MA',
    });
  });

  // Who may start turns and who may decide is a custom permission, never a permission set name: the worker asks
  // LoomPermissionsResource as the user (docs/security.md, class 7), so every set that grants one also grants the class.
  it('custom permission and Apex class access snapshot of every permission set', () => {
    const grants = (name: string) => ({
      customPermissions: [...(permset(name).customPermissions ?? [])].sort(),
      apexClasses: [...(permset(name).apexClasses ?? [])].sort(),
    });
    expect(pkg.customPermissions.sort()).toEqual(['Loom_DecidePendingActions', 'Loom_StartAgentTurns']);
    expect(grants('Loom_User')).toEqual({
      customPermissions: ['Loom_StartAgentTurns'],
      apexClasses: [
        'AgentHITLService',
        'AgentTurnService',
        'DecidePendingActionAction',
        'LoomChatController',
        'LoomPermissionsResource',
        'LoomStoryboardController',
        'RunAgentTurnSyncAction',
        'StartAgentTurnAction',
      ],
    });
    expect(grants('Loom_Approver')).toEqual({
      customPermissions: ['Loom_DecidePendingActions'],
      apexClasses: [
        'AgentHITLService',
        'DecidePendingActionAction',
        'LoomApprovalInboxController',
        'LoomPermissionsResource',
        'LoomStoryboardController',
      ],
    });
    expect(grants('Loom_Worker').customPermissions).toEqual([]);
    expect(grants('Loom_Admin').customPermissions).toEqual([]);
    // The least-privilege worker never needs View Setup: it no longer reads PermissionSetAssignment.
    expect(permset('Loom_Worker').userPermissions).not.toContain('ViewSetup');
  });

  it('no permission set grants edit on a roll-up summary field (Salesforce calculates them; FLS can only make them readable)', () => {
    const summaries = new Set(
      objects.flatMap((o) => o.fields.filter((f) => f.type === 'Summary').map((f) => `${o.name}.${f.name}`)),
    );
    expect([...summaries]).toContain('AgentExecution__c.StepCount__c');
    const editable = pkg.permissionSets.flatMap((p) =>
      Object.entries(p.fields)
        .filter(([field, access]) => summaries.has(field) && access.edit)
        .map(([field]) => `${p.name}: ${field}`),
    );
    expect(editable).toEqual([]);
  });

  it('Modify All always comes with the Read, Edit, Delete and View All a real deploy requires with it', () => {
    const incomplete = pkg.permissionSets.flatMap((p) =>
      Object.entries(p.objects)
        .filter(([, o]) => o.modifyAll && !(o.read && o.edit && o.delete && o.viewAll))
        .map(([objectName]) => `${p.name}: ${objectName}`),
    );
    expect(incomplete).toEqual([]);
  });

  it('Loom_Worker can edit only the execution and session fields it writes', () => {
    const worker = permset('Loom_Worker');
    const editable = (objectName: string) =>
      Object.entries(worker.fields)
        .filter(([field, access]) => field.startsWith(`${objectName}.`) && access.edit)
        .map(([field]) => field.slice(objectName.length + 1))
        .sort();
    // StepCount__c is a roll-up count Salesforce maintains: readable, never editable.
    expect(editable('AgentExecution__c')).toEqual([
      'CompletedAt__c',
      'ExecutionStatus__c',
      'LastError__c',
      'StartedAt__c',
      'TotalCompletionTokens__c',
      'TotalCostUSD__c',
      'TotalPromptTokens__c',
      'TotalTokens__c',
    ]);
    expect(worker.fields['AgentExecution__c.StepCount__c']).toEqual({ read: true, edit: false });
    // Last activity and Active / Waiting after each turn (a Closed session is left Closed).
    expect(editable('InteractionSession__c')).toEqual(['LastActivityAt__c', 'SessionStatus__c']);
  });

  it('Loom_Worker touches Loom objects only and has no org-wide data access', () => {
    const worker = permset('Loom_Worker');
    const loomObjects = new Set(objects.map((o) => o.name));
    expect(Object.keys(worker.objects).filter((o) => !loomObjects.has(o))).toEqual([]);
    expect(worker.userPermissions).not.toContain('ViewAllData');
    expect(worker.userPermissions).not.toContain('ModifyAllData');
    // The worker sends the Loom_Pending_Action custom notification over REST, which needs this permission.
    expect(worker.userPermissions).toContain('SendCustomNotifications');
    expect(worker.objects['AgentTurnRequest__e']).toMatchObject({ read: true, create: false });
    // Create only to publish `Run` for asynchronous tools; the worker refuses every other decision from its own user.
    expect(worker.objects['AgentHITLDecision__e']).toMatchObject({ read: true, create: true });
    expect(worker.objects['AgentTurnResult__e']).toMatchObject({ create: true });
    expect(worker.objects['AIAgentDefinition__c']).toMatchObject({ read: true, edit: false });
  });

  it('Loom_User starts turns but cannot write audit steps or decide for others', () => {
    const user = permset('Loom_User');
    // Turns start through AgentTurnService only: no Create or Read on the request event (issue 16).
    expect(user.objects['AgentTurnRequest__e']).toBeUndefined();
    // Edit on their own (Private) executions and sessions: a follow-up turn moves CurrentTurnIdentifier__c, and a
    // message (master-detail child) can only be added to a session the user may edit. FLS keeps totals read-only.
    expect(user.objects['AgentExecution__c']).toMatchObject({
      read: true,
      create: true,
      edit: true,
      viewAll: false,
      modifyAll: false,
    });
    expect(user.objects['InteractionSession__c']).toMatchObject({
      read: true,
      create: true,
      edit: true,
      viewAll: false,
    });
    expect(user.fields['AgentExecution__c.TotalTokens__c']).toMatchObject({ read: true, edit: false });
    expect(user.fields['AgentExecution__c.ExecutionStatus__c']).toMatchObject({ read: true, edit: false });
    expect(user.objects['ExecutionStep__c']).toMatchObject({ read: true, create: false, edit: false });
    expect(user.objects['PendingHITLAction__c']).toMatchObject({ read: true, edit: false });
    expect(user.objects['LLMConfiguration__c']).toBeUndefined();
  });

  it('no user permission set can publish or read decisions, or edit what the worker reads as a submitted decision', () => {
    for (const name of ['Loom_User', 'Loom_Approver', 'Loom_Admin']) {
      const set = permset(name);
      expect(set.objects['AgentHITLDecision__e'], name).toBeUndefined();
      for (const field of [
        'RequestedDecision__c',
        'DecisionRequestId__c',
        'DecisionComment__c',
        'ProposedArgumentsJSON__c',
        'RequestingUser__c',
        'ArgumentsSignature__c',
      ]) {
        expect(set.fields[`PendingHITLAction__c.${field}`]?.edit ?? false, `${name} ${field}`).toBe(false);
      }
    }
    expect(permset('Loom_Approver').objects['AgentTurnRequest__e']).toBeUndefined();
    expect(permset('Loom_Admin').objects['AgentTurnRequest__e']).toBeUndefined();
    // The chat component subscribes to results: they carry IDs and a status only.
    expect(permset('Loom_User').objects['AgentTurnResult__e']).toMatchObject({ read: true, create: false });
    expect(
      object('AgentTurnResult__e')
        .fields.map((f) => f.name)
        .sort(),
    ).toEqual(['AgentExecutionId__c', 'ResponseMessageId__c', 'Status__c', 'TurnIdentifier__c']);
  });
});
