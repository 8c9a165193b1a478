import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPackageMetadata } from '../../../../src/emulator/org/metadata-loader.ts';
import { DEFAULT_FORCE_APP_DIR } from '../../../../src/emulator/org/org.ts';
import { metadataProjects, NS } from '../../../support/metadata-project.ts';

const project = metadataProjects('loom-meta-');

const field = (obj: string, name: string, inner: string): Record<string, string> => ({
  [`main/objects/${obj}/fields/${name}.field-meta.xml`]: `<CustomField ${NS}><fullName>${name}</fullName>${inner}</CustomField>`,
});

describe('loadPackageMetadata', () => {
  it('reads objects, every supported field type and permission sets', () => {
    const root = project({
      'main/objects/Order__c/Order__c.object-meta.xml': `<CustomObject ${NS}><label>Order</label><pluralLabel>Orders</pluralLabel>
        <sharingModel>Private</sharingModel><description>An order.</description>
        <nameField><label>Order Number</label><type>AutoNumber</type><displayFormat>ORD-{0000}</displayFormat><startingNumber>5</startingNumber></nameField></CustomObject>`,
      ...field(
        'Order__c',
        'Title__c',
        '<label>Title</label><type>Text</type><length>80</length><required>true</required>',
      ),
      ...field('Order__c', 'Notes__c', '<type>LongTextArea</type><length>5000</length><visibleLines>3</visibleLines>'),
      ...field('Order__c', 'Body__c', '<type>Html</type><length>10000</length>'),
      ...field('Order__c', 'Short__c', '<type>TextArea</type>'),
      ...field('Order__c', 'Qty__c', '<type>Number</type><precision>5</precision><scale>0</scale>'),
      ...field('Order__c', 'Total__c', '<type>Currency</type><precision>16</precision><scale>2</scale>'),
      ...field('Order__c', 'Rate__c', '<type>Percent</type><precision>5</precision><scale>2</scale>'),
      ...field('Order__c', 'Rush__c', '<type>Checkbox</type><defaultValue>true</defaultValue>'),
      ...field('Order__c', 'Due__c', '<type>Date</type>'),
      ...field('Order__c', 'Shipped__c', '<type>DateTime</type>'),
      ...field('Order__c', 'Slot__c', '<type>Time</type>'),
      ...field(
        'Order__c',
        'Stage__c',
        `<type>Picklist</type><defaultValue>"New"</defaultValue><valueSet><restricted>true</restricted><valueSetDefinition>
          <value><fullName>New</fullName><default>false</default><label>New</label></value>
          <value><fullName>1</fullName><default>false</default><label>One</label></value></valueSetDefinition></valueSet>`,
      ),
      ...field(
        'Order__c',
        'Tags__c',
        '<type>MultiselectPicklist</type><visibleLines>4</visibleLines><valueSet><valueSetName>Tags</valueSetName></valueSet>',
      ),
      ...field(
        'Order__c',
        'Account__c',
        '<type>Lookup</type><referenceTo>Account</referenceTo><relationshipName>Orders</relationshipName><deleteConstraint>SetNull</deleteConstraint>',
      ),
      ...field('Order__c', 'Mail__c', '<type>Email</type>'),
      ...field('Order__c', 'Tel__c', '<type>Phone</type>'),
      ...field('Order__c', 'Site__c', '<type>Url</type>'),
      ...field('Order__c', 'Seq__c', '<type>AutoNumber</type><displayFormat>{000}</displayFormat>'),
      ...field('Order__c', 'Upper__c', '<type>Text</type><formula>UPPER(Title__c)</formula>'),
      ...field(
        'Order__c',
        'Tax_Id__c',
        '<type>EncryptedText</type><length>20</length><maskChar>asterisk</maskChar><maskType>all</maskType>',
      ),
      ...field(
        'Order__c',
        'Ext__c',
        `<type>Text</type><length>40</length><externalId>true</externalId><unique>true</unique><caseSensitive>true</caseSensitive>
         <securityClassification>Confidential</securityClassification><complianceGroup>PII;GDPR</complianceGroup>
         <inlineHelpText>Help</inlineHelpText><description>Key</description>`,
      ),
      'main/objects/Line__c/Line__c.object-meta.xml': `<CustomObject ${NS}><label>Line</label><sharingModel>ControlledByParent</sharingModel></CustomObject>`,
      ...field(
        'Line__c',
        'Order__c',
        '<type>MasterDetail</type><referenceTo>Order__c</referenceTo><relationshipName>Lines</relationshipName>',
      ),
      'main/objects/Ping__e/Ping__e.object-meta.xml': `<CustomObject ${NS}><label>Ping</label><eventType>HighVolume</eventType><publishBehavior>PublishAfterCommit</publishBehavior></CustomObject>`,
      ...field('Ping__e', 'Message__c', '<type>Text</type><length>255</length>'),
      'main/objects/Conf__c/Conf__c.object-meta.xml': `<CustomObject ${NS}><label>Conf</label><customSettingsType>Hierarchy</customSettingsType></CustomObject>`,
      ...field('Conf__c', 'Enabled__c', '<type>Checkbox</type><defaultValue>false</defaultValue>'),
      ...field('Contact', 'Nick__c', '<type>Text</type><length>30</length>'),
      ...field('Contact', 'Email', '<trackHistory>false</trackHistory>'),
      'main/globalValueSets/Tags.globalValueSet-meta.xml': `<GlobalValueSet ${NS}><customValue><fullName>Hot</fullName><default>false</default><label>Hot</label></customValue><masterLabel>Tags</masterLabel></GlobalValueSet>`,
      'main/permissionsets/Order_User.permissionset-meta.xml': `<PermissionSet ${NS}><label>Order User</label>
        <objectPermissions><allowCreate>true</allowCreate><allowDelete>false</allowDelete><allowEdit>true</allowEdit><allowRead>true</allowRead>
          <modifyAllRecords>false</modifyAllRecords><object>Order__c</object><viewAllRecords>true</viewAllRecords></objectPermissions>
        <fieldPermissions><editable>false</editable><field>Order__c.Total__c</field><readable>true</readable></fieldPermissions>
        <customSettingAccesses><enabled>true</enabled><name>Conf__c</name></customSettingAccesses>
        <classAccesses><apexClass>OrderResource</apexClass><enabled>true</enabled></classAccesses>
        <classAccesses><apexClass>OffClass</apexClass><enabled>false</enabled></classAccesses>
        <customPermissions><enabled>true</enabled><name>Order_Approve</name></customPermissions>
        <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions></PermissionSet>`,
      'main/customPermissions/Order_Approve.customPermission-meta.xml': `<CustomPermission ${NS}><isLicensed>false</isLicensed><label>Approve orders</label></CustomPermission>`,
    });
    const meta = loadPackageMetadata(root);
    const byName = new Map(meta.objects.map((o) => [o.name, o]));
    expect([...byName.keys()].sort()).toEqual(['Conf__c', 'Line__c', 'Order__c', 'Ping__e']);
    const order = byName.get('Order__c')!;
    expect(order).toMatchObject({
      label: 'Order',
      labelPlural: 'Orders',
      sharingModel: 'Private',
      hasOwner: true,
      kind: 'custom',
      keyPrefix: '',
    });
    const f = new Map(order.fields.map((x) => [x.name, x]));
    expect(f.get('Name')).toMatchObject({
      autoNumber: true,
      displayFormat: 'ORD-{0000}',
      startingNumber: 5,
      label: 'Order Number',
    });
    expect(f.get('Title__c')).toMatchObject({ type: 'string', length: 80, nillable: false, permissionable: false });
    expect(f.get('Notes__c')).toMatchObject({ type: 'textarea', length: 5000 });
    expect(f.get('Body__c')).toMatchObject({ type: 'textarea', length: 10000 });
    expect(f.get('Short__c')).toMatchObject({ type: 'textarea', length: 255 });
    expect(f.get('Qty__c')).toMatchObject({ type: 'double', precision: 5, scale: 0 });
    expect(f.get('Total__c')).toMatchObject({ type: 'currency', precision: 16, scale: 2 });
    expect(f.get('Rate__c')).toMatchObject({ type: 'percent' });
    expect(f.get('Rush__c')).toMatchObject({ type: 'boolean', defaultValue: true, nillable: false });
    expect(f.get('Due__c')?.type).toBe('date');
    expect(f.get('Shipped__c')?.type).toBe('datetime');
    expect(f.get('Slot__c')?.type).toBe('time');
    expect(f.get('Stage__c')).toMatchObject({ type: 'picklist', restrictedPicklist: true, defaultValue: 'New' });
    expect(f.get('Stage__c')?.picklistValues.map((v) => [v.value, v.label])).toEqual([
      ['New', 'New'],
      ['1', 'One'],
    ]);
    expect(f.get('Tags__c')).toMatchObject({
      type: 'multipicklist',
      picklistValues: [{ value: 'Hot', label: 'Hot', defaultValue: false, active: true }],
    });
    expect(f.get('Account__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'Account__r',
      childRelationshipName: 'Orders__r',
      masterDetail: false,
    });
    expect(f.get('Mail__c')?.type).toBe('email');
    expect(f.get('Tel__c')?.type).toBe('phone');
    expect(f.get('Site__c')?.type).toBe('url');
    expect(f.get('Seq__c')).toMatchObject({ autoNumber: true, displayFormat: '{000}' });
    expect(f.get('Upper__c')).toMatchObject({ calculated: true, formula: 'UPPER(Title__c)' });
    expect(f.get('Tax_Id__c')).toMatchObject({ type: 'encryptedstring', length: 20 });
    expect(f.get('Ext__c')).toMatchObject({
      externalId: true,
      unique: true,
      caseSensitive: true,
      securityClassification: 'Confidential',
      complianceGroup: 'PII;GDPR',
      inlineHelpText: 'Help',
      description: 'Key',
    });
    expect(f.get('OwnerId')).toMatchObject({ relationshipName: 'Owner', referenceTo: ['Group', 'User'] });
    expect(byName.get('Line__c')).toMatchObject({ sharingModel: 'ControlledByParent', hasOwner: false });
    expect(byName.get('Line__c')?.fields.find((x) => x.name === 'Order__c')).toMatchObject({
      masterDetail: true,
      nillable: false,
    });
    expect(byName.get('Ping__e')).toMatchObject({
      kind: 'event',
      publishBehavior: 'PublishAfterCommit',
      hasOwner: false,
    });
    expect(byName.get('Ping__e')?.fields.map((x) => x.name)).toEqual([
      'ReplayId',
      'EventUuid',
      'CreatedDate',
      'CreatedById',
      'Message__c',
    ]);
    expect(byName.get('Conf__c')).toMatchObject({ kind: 'setting', hasOwner: false });
    expect(byName.get('Conf__c')?.fields.some((x) => x.name === 'SetupOwnerId')).toBe(true);
    expect(meta.fieldExtensions).toEqual([
      { objectName: 'Contact', fields: [expect.objectContaining({ name: 'Nick__c', type: 'string', length: 30 })] },
    ]);
    expect(meta.permissionSets).toEqual([
      {
        name: 'Order_User',
        label: 'Order User',
        isProfile: false,
        objects: {
          Order__c: { read: true, create: true, edit: true, delete: false, viewAll: true, modifyAll: false },
          Conf__c: { read: true },
        },
        fields: { 'Order__c.Total__c': { read: true, edit: false } },
        userPermissions: ['ApiEnabled'],
        customPermissions: ['Order_Approve'],
        apexClasses: ['OrderResource'],
      },
    ]);
    expect(meta.customPermissions).toEqual(['Order_Approve']);
  });

  it('refuses a permission set that enables a custom permission the package does not define (a deploy would fail)', () => {
    const root = project({
      'main/permissionsets/Odd.permissionset-meta.xml': `<PermissionSet ${NS}><label>Odd</label><customPermissions><enabled>true</enabled><name>Ghost_Permission</name></customPermissions></PermissionSet>`,
    });
    expect(() => loadPackageMetadata(root)).toThrow(/Odd.*unknown custom permission Ghost_Permission/);
  });

  it('names the file for malformed XML', () => {
    const root = project({ 'main/objects/Bad__c/Bad__c.object-meta.xml': `<CustomObject ${NS}><label>Bad</label>` });
    expect(() => loadPackageMetadata(root)).toThrow(/Bad__c\.object-meta\.xml: malformed XML/);
  });

  it('names the file for an unknown field type', () => {
    const root = project({
      'main/objects/Geo__c/Geo__c.object-meta.xml': `<CustomObject ${NS}><label>Geo</label></CustomObject>`,
      ...field('Geo__c', 'Where__c', '<type>Location</type>'),
    });
    expect(() => loadPackageMetadata(root)).toThrow(
      /Where__c\.field-meta\.xml: field Where__c: unsupported field type 'Location'/,
    );
  });

  it('names the file and path for an invalid value', () => {
    const root = project({
      'main/objects/N__c/N__c.object-meta.xml': `<CustomObject ${NS}><label>N</label></CustomObject>`,
      ...field('N__c', 'Count__c', '<type>Number</type><precision>many</precision>'),
    });
    expect(() => loadPackageMetadata(root)).toThrow(/Count__c\.field-meta\.xml: [\s\S]*precision/);
  });

  it('rejects a lookup without referenceTo and an unknown global value set', () => {
    const lookup = project({
      'main/objects/L__c/L__c.object-meta.xml': `<CustomObject ${NS}><label>L</label></CustomObject>`,
      ...field('L__c', 'Parent__c', '<type>Lookup</type>'),
    });
    expect(() => loadPackageMetadata(lookup)).toThrow(
      /Parent__c\.field-meta\.xml: field Parent__c: Lookup without referenceTo/,
    );
    const gvs = project({
      'main/objects/L__c/L__c.object-meta.xml': `<CustomObject ${NS}><label>L</label></CustomObject>`,
      ...field('L__c', 'Kind__c', '<type>Picklist</type><valueSet><valueSetName>Nope</valueSetName></valueSet>'),
    });
    expect(() => loadPackageMetadata(gvs)).toThrow(/unknown global value set 'Nope'/);
  });

  it('reads roll-up summary fields and checks them against the detail object, naming the file', () => {
    const files = (rollup: string) =>
      project({
        'main/objects/Order__c/Order__c.object-meta.xml': `<CustomObject ${NS}><label>Order</label><sharingModel>Private</sharingModel></CustomObject>`,
        ...field('Order__c', 'Lines__c', rollup),
        'main/objects/Line__c/Line__c.object-meta.xml': `<CustomObject ${NS}><label>Line</label><sharingModel>ControlledByParent</sharingModel></CustomObject>`,
        ...field(
          'Line__c',
          'Order__c',
          '<type>MasterDetail</type><referenceTo>Order__c</referenceTo><relationshipName>Lines</relationshipName>',
        ),
        ...field('Line__c', 'Amount__c', '<type>Currency</type><precision>16</precision><scale>2</scale>'),
        ...field('Line__c', 'Note__c', '<type>Text</type><length>20</length>'),
      });
    const lines = (rollup: string) =>
      loadPackageMetadata(files(rollup))
        .objects.find((o) => o.name === 'Order__c')
        ?.fields.find((f) => f.name === 'Lines__c');
    expect(
      lines(
        '<externalId>false</externalId><label>Lines</label><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>count</summaryOperation><type>Summary</type>',
      ),
    ).toMatchObject({
      type: 'double',
      precision: 18,
      scale: 0,
      calculated: true,
      formula: null,
      nillable: true,
      rollup: { operation: 'count', childObject: 'Line__c', foreignKey: 'Order__c', summarizedField: null },
    });
    expect(
      lines(
        '<summarizedField>Line__c.Amount__c</summarizedField><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>sum</summaryOperation><type>Summary</type>',
      ),
    ).toMatchObject({
      type: 'currency',
      precision: 16,
      scale: 2,
      rollup: { operation: 'sum', summarizedField: 'Amount__c' },
    });
    const refused: Array<[string, RegExp]> = [
      [
        '<summaryFilterItems><field>Line__c.Amount__c</field><operation>greaterThan</operation><value>0</value></summaryFilterItems><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>count</summaryOperation><type>Summary</type>',
        /Lines__c\.field-meta\.xml: field Lines__c: filtered roll-ups \(summaryFilterItems\) are not supported by the emulator/,
      ],
      [
        '<precision>18</precision><scale>0</scale><defaultValue>0</defaultValue><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>count</summaryOperation><type>Summary</type>',
        /Lines__c\.field-meta\.xml: field Lines__c: a Summary \(roll-up\) field is calculated and takes no defaultValue, precision, scale/,
      ],
      [
        '<summaryOperation>count</summaryOperation><type>Summary</type>',
        /Lines__c\.field-meta\.xml: field Lines__c: a Summary field needs summaryForeignKey/,
      ],
      [
        '<summarizedField>Line__c.Amount__c</summarizedField><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>count</summaryOperation><type>Summary</type>',
        /a count roll-up takes no summarizedField/,
      ],
      [
        '<summarizedField>Line__c.Note__c</summarizedField><summaryForeignKey>Line__c.Order__c</summaryForeignKey><summaryOperation>min</summaryOperation><type>Summary</type>',
        /Lines__c\.field-meta\.xml: field Lines__c: cannot min Line__c\.Note__c of type string/,
      ],
      [
        '<summaryForeignKey>Line__c.Nope__c</summaryForeignKey><summaryOperation>count</summaryOperation><type>Summary</type>',
        /Lines__c\.field-meta\.xml: .*unknown field Line__c\.Nope__c/,
      ],
    ];
    for (const [xml, error] of refused) expect(() => loadPackageMetadata(files(xml)), xml).toThrow(error);
  });

  it('returns empty metadata for a missing folder', () => {
    expect(loadPackageMetadata(path.join(tmpdir(), 'loom-no-such-dir'))).toEqual({
      objects: [],
      fieldExtensions: [],
      permissionSets: [],
      customPermissions: [],
    });
  });

  it('loads the real force-app package without error', () => {
    const meta = loadPackageMetadata(DEFAULT_FORCE_APP_DIR);
    const names = meta.objects.map((o) => o.name);
    for (const expected of [
      'AIAgentDefinition__c',
      'AgentExecution__c',
      'ExecutionStep__c',
      'PendingHITLAction__c',
      'AgentTurnRequest__e',
      'AgentTurnResult__e',
      'AgentHITLDecision__e',
    ]) {
      expect(names).toContain(expected);
    }
    expect(meta.permissionSets.map((p) => p.name).sort()).toEqual(
      expect.arrayContaining(['Loom_Admin', 'Loom_Approver', 'Loom_User', 'Loom_Worker']),
    );
    const step = meta.objects.find((o) => o.name === 'ExecutionStep__c');
    expect(step?.fields.some((f) => f.externalId && f.unique)).toBe(true);
    const execution = meta.objects.find((o) => o.name === 'AgentExecution__c');
    expect(execution?.fields.find((f) => f.name === 'StepCount__c')).toMatchObject({
      type: 'double',
      calculated: true,
      rollup: {
        operation: 'count',
        childObject: 'ExecutionStep__c',
        foreignKey: 'AgentExecution__c',
        summarizedField: null,
      },
    });
  });
});
