import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMetadataRules } from '../../scripts/sf/checks/metadata-rules.ts';
import { formatIssue } from '../../scripts/sf/checks/types.ts';
import { FORCE_APP, REPO, fixtureDir, workspaceCopy } from './support.ts';

/** Copies of the package's offending files as they were before issue 17 (the deploy blockers a review found). */
const BEFORE = join(REPO, 'test/fixtures/package-before-org-ready');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The current project with one file put back as it was (`.fixture` keeps Apex out of the tools' reach). */
function projectWith(fixture: string): string {
  const path = relative(BEFORE, fixture).replace(/\.fixture$/, '');
  return workspaceCopy({ [path]: readFileSync(fixture, 'utf8') });
}

const rulesFor = (dir: string) =>
  checkMetadataRules({ packageRoot: join(dir, 'force-app'), projectFile: join(dir, 'sfdx-project.json') }).map(
    formatIssue,
  );

const BLOCKERS: Array<[string, RegExp]> = [
  [
    'force-app/main/agent-runtime/permissionsets/Loom_User.permissionset-meta.xml',
    /Permission set Loom_User: description is 260 characters; the org accepts at most 255/,
  ],
  [
    'force-app/main/agent-runtime/permissionsets/Loom_Worker.permissionset-meta.xml',
    /Permission set Loom_Worker: description is 304 characters; the org accepts at most 255/,
  ],
  [
    'force-app/main/monitoring/reports/Loom/Loom_HITL_Decisions.report-meta.xml',
    /Report Loom\/Loom_HITL_Decisions: name is 53 characters; the org accepts at most 40/,
  ],
  [
    'force-app/tests/utilities/classes/LoomTestDataFactory.cls.fixture',
    /LoomTestDataFactory\.cls:\d+ \[org-rules\] finds a profile by its Name, which is translated/,
  ],
  [
    'force-app/main/monitoring/dashboards/Loom_Dashboards/Loom_Operations.dashboard-meta.xml',
    /dashboardType LoggedInUser makes it a dynamic dashboard/,
  ],
  [
    'sfdx-project.json',
    /package Loom \(force-app\) has no entry in packageAliases, so "sf package version create" cannot run/,
  ],
];

describe('org rules: what a deploy or install enforces, checked offline', () => {
  it('accepts the package and project as they are', () => {
    expect(
      checkMetadataRules({ packageRoot: FORCE_APP, projectFile: join(REPO, 'sfdx-project.json') }).map(formatIssue),
    ).toEqual([]);
  });

  it('keeps a copy of every blocker found before the fix', () => {
    expect(
      filesUnder(BEFORE)
        .map((f) => relative(BEFORE, f))
        .sort(),
    ).toEqual(BLOCKERS.map(([path]) => path).sort());
  });

  it.each(BLOCKERS)('refuses the package as it was: %s', (path, message) => {
    const issues = rulesFor(projectWith(join(BEFORE, path)));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(message);
    // Every finding names where the rule comes from.
    expect(issues[0]).toMatch(/\((Metadata API Developer Guide|Salesforce Help|sf CLI reference)[^)]*\)?/);
  });
});

const xml = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}\n</${root}>\n`;
const object = (extra = '') =>
  xml(
    'CustomObject',
    `<label>Thing</label><pluralLabel>Things</pluralLabel><sharingModel>Private</sharingModel><description>d</description>${extra}`,
  );
const field = (name: string, body: string) =>
  xml('CustomField', `<fullName>${name}</fullName><description>d</description>${body}`);

describe('org rules, one by one', () => {
  const rules = (files: Record<string, string>) =>
    checkMetadataRules({ packageRoot: fixtureDir(files) }).map((i) => i.message);

  it('field labels, help text, API names and the attributes each type requires', () => {
    const messages = rules({
      'objects/Thing__c/Thing__c.object-meta.xml': object(),
      'objects/Thing__c/fields/A__c.field-meta.xml': field(
        'A__c',
        `<label>${'L'.repeat(41)}</label><type>Text</type><length>300</length>`,
      ),
      'objects/Thing__c/fields/B__c.field-meta.xml': field(
        'B__c',
        `<label>B</label><type>Checkbox</type><inlineHelpText>${'h'.repeat(511)}</inlineHelpText>`,
      ),
      'objects/Thing__c/fields/C__c.field-meta.xml': field(
        'C__c',
        '<label>C</label><type>LongTextArea</type><length>131073</length>',
      ),
      'objects/Thing__c/fields/D__c.field-meta.xml': field(
        'D__c',
        '<label>D</label><type>Number</type><precision>19</precision><scale>2</scale>',
      ),
      [`objects/Thing__c/fields/${'X'.repeat(41)}__c.field-meta.xml`]: field(
        `${'X'.repeat(41)}__c`,
        '<label>X</label><type>Date</type>',
      ),
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Thing__c.A__c: label is 41 characters; the org accepts at most 40/),
        expect.stringMatching(/Thing__c.A__c: Text length must be 1–255 \(is 300\)/),
        expect.stringMatching(/Thing__c.B__c: inlineHelpText is 511 characters; the org accepts at most 510/),
        expect.stringMatching(/Thing__c.B__c: a Checkbox field needs <defaultValue>/),
        expect.stringMatching(/Thing__c.C__c: a LongTextArea field needs <visibleLines>/),
        expect.stringMatching(/Thing__c.C__c: Long Text Area length must be 256–131,072/),
        expect.stringMatching(/Thing__c.D__c: precision must be 1–18 \(is 19\)/),
        expect.stringMatching(/field API name is longer than 40 characters/),
      ]),
    );
    expect(messages).toHaveLength(8);
  });

  it('picklist values: duplicates compared case-insensitively; event and setting field types', () => {
    const picklist = (values: string[]) =>
      `<label>P</label><type>Picklist</type><valueSet><restricted>true</restricted><valueSetDefinition>${values.map((v) => `<value><fullName>${v}</fullName><default>false</default><label>${v}</label></value>`).join('')}</valueSetDefinition></valueSet>`;
    const messages = rules({
      'objects/Thing__c/Thing__c.object-meta.xml': object(),
      'objects/Thing__c/fields/P__c.field-meta.xml': field('P__c', picklist(['Approve', 'approve'])),
      'objects/Ping__e/Ping__e.object-meta.xml': xml(
        'CustomObject',
        '<label>Ping</label><pluralLabel>Pings</pluralLabel><eventType>HighVolume</eventType>',
      ),
      'objects/Ping__e/fields/Decision__c.field-meta.xml': field('Decision__c', picklist(['Approve'])),
      'objects/Conf__c/Conf__c.object-meta.xml': xml(
        'CustomObject',
        '<label>Conf</label><customSettingsType>Hierarchy</customSettingsType>',
      ),
      'objects/Conf__c/fields/Notes__c.field-meta.xml': field(
        'Notes__c',
        '<label>Notes</label><type>LongTextArea</type><length>1000</length><visibleLines>3</visibleLines>',
      ),
    });
    expect(messages).toEqual([
      expect.stringMatching(/Conf__c.Notes__c: custom setting fields cannot be LongTextArea/),
      expect.stringMatching(/Ping__e.Decision__c: platform event fields cannot be Picklist/),
      expect.stringMatching(/Thing__c.P__c: duplicate picklist value approve/),
    ]);
  });

  it('permission sets: description length, required and master-detail fields, event and Modify All grants', () => {
    const messages = rules({
      'objects/Thing__c/Thing__c.object-meta.xml': object(),
      'objects/Thing__c/fields/Req__c.field-meta.xml': field(
        'Req__c',
        '<label>R</label><type>Text</type><length>10</length><required>true</required>',
      ),
      'objects/Thing__c/fields/Parent__c.field-meta.xml': field(
        'Parent__c',
        '<label>P</label><type>MasterDetail</type><referenceTo>Thing__c</referenceTo><relationshipName>Kids</relationshipName><relationshipOrder>0</relationshipOrder>',
      ),
      'objects/Ping__e/Ping__e.object-meta.xml': xml(
        'CustomObject',
        '<label>Ping</label><pluralLabel>Pings</pluralLabel>',
      ),
      'permissionsets/P.permissionset-meta.xml': xml(
        'PermissionSet',
        `<description>${'d'.repeat(256)}</description><label>P</label>` +
          '<fieldPermissions><editable>false</editable><field>Thing__c.Req__c</field><readable>true</readable></fieldPermissions>' +
          '<fieldPermissions><editable>false</editable><field>Thing__c.Parent__c</field><readable>true</readable></fieldPermissions>' +
          '<fieldPermissions><editable>false</editable><field>Thing__c.Gone__c</field><readable>true</readable></fieldPermissions>' +
          '<objectPermissions><allowCreate>true</allowCreate><allowDelete>true</allowDelete><allowEdit>true</allowEdit><allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords><object>Ping__e</object><viewAllRecords>false</viewAllRecords></objectPermissions>' +
          '<objectPermissions><allowCreate>false</allowCreate><allowDelete>false</allowDelete><allowEdit>true</allowEdit><allowRead>true</allowRead><modifyAllRecords>true</modifyAllRecords><object>Thing__c</object><viewAllRecords>false</viewAllRecords></objectPermissions>',
      ),
    });
    expect(messages).toEqual([
      expect.stringMatching(/Permission set P: description is 256 characters; the org accepts at most 255/),
      expect.stringMatching(/Permission set P: lists required field Thing__c.Req__c/),
      expect.stringMatching(/Permission set P: lists master-detail field Thing__c.Parent__c/),
      expect.stringMatching(/Permission set P: field Thing__c.Gone__c does not exist in the package/),
      expect.stringMatching(/Permission set P: platform event Ping__e takes only Create and Read/),
      expect.stringMatching(/Permission set P: Thing__c Modify All needs Edit, Delete and View All/),
    ]);
  });

  it('report → report type → columns, dashboard → reports and running user, unknown types, API versions', () => {
    const messages = rules({
      'objects/Thing__c/Thing__c.object-meta.xml': object(),
      'objects/Thing__c/fields/A__c.field-meta.xml': field('A__c', '<label>A</label><type>Date</type>'),
      'reportTypes/Things.reportType-meta.xml': xml(
        'ReportType',
        '<baseObject>Thing__c</baseObject><category>other</category><deployed>true</deployed><description>d</description><label>Things</label>' +
          '<sections><columns><checkedByDefault>false</checkedByDefault><field>A__c</field><table>Thing__c</table></columns>' +
          '<columns><checkedByDefault>false</checkedByDefault><field>Missing__c</field><table>Thing__c</table></columns>' +
          '<columns><checkedByDefault>false</checkedByDefault><field>A__c.Name</field><table>Thing__c</table></columns><masterLabel>T</masterLabel></sections>',
      ),
      'reports/F/R.report-meta.xml': xml(
        'Report',
        '<columns><field>Thing__c$B__c</field></columns><format>Summary</format><groupingsDown><field>Thing__c$A__c</field></groupingsDown>' +
          '<name>R</name><reportType>Things__c</reportType><timeFrameFilter><dateColumn>Thing__c$A__c</dateColumn><interval>INTERVAL_LAST30</interval></timeFrameFilter>',
      ),
      'reports/F/Orphan.report-meta.xml': xml(
        'Report',
        '<format>Tabular</format><name>Orphan</name><reportType>Nope__c</reportType>',
      ),
      'dashboards/D/Dash.dashboard-meta.xml': xml(
        'Dashboard',
        '<dashboardGridLayout><dashboardGridComponents><dashboardComponent><componentType>Table</componentType><report>F/Gone</report></dashboardComponent></dashboardGridComponents></dashboardGridLayout>' +
          '<dashboardType>MyTeamUser</dashboardType><runningUser>admin@acme.example</runningUser><title>D</title>',
      ),
      'classes/Old.cls-meta.xml': xml('ApexClass', '<apiVersion>56.0</apiVersion><status>Active</status>'),
      'weird/Thing.weirdType-meta.xml': xml('WeirdType', '<label>x</label>'),
    });
    expect(messages).toEqual([
      expect.stringMatching(/Report type Things: Thing__c has no field Missing__c/),
      expect.stringMatching(/Report type Things: Thing__c has no field A__c.Name/),
      expect.stringMatching(/Report F\/Orphan: report type Nope__c is not in the package/),
      expect.stringMatching(/Report F\/R: column Thing__c\$B__c is not a column of report type Things__c/),
      expect.stringMatching(/apiVersion 56 is older than 57.0/),
      expect.stringMatching(/Dashboard D\/Dash: dashboardType MyTeamUser makes it a dynamic dashboard/),
      expect.stringMatching(/Dashboard D\/Dash: runningUser names a user of one org/),
      expect.stringMatching(/Dashboard D\/Dash: component "F\/Gone" shows report F\/Gone, which is not in the package/),
      expect.stringMatching(/no org rules exist for this metadata type/),
    ]);
  });

  it('package aliases must be real IDs', () => {
    const dir = fixtureDir({
      'sfdx-project.json': JSON.stringify({
        sourceApiVersion: '62.0',
        packageDirectories: [{ path: 'force-app', package: 'Loom' }],
        packageAliases: { Loom: '0Ho000000000001AAA', 'Loom@0.1.0-1': 'nope' },
      }),
      'force-app/.keep': '',
    });
    expect(
      checkMetadataRules({ packageRoot: join(dir, 'force-app'), projectFile: join(dir, 'sfdx-project.json') }).map(
        (i) => i.message,
      ),
    ).toEqual([expect.stringMatching(/packageAliases.Loom@0.1.0-1 must be an 18-character 04t package version ID/)]);
  });
});
