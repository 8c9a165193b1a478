import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import type { Org } from '../../../../src/emulator/org/org.ts';
import { accessFor, lendingOrg } from '../../../support/org-fixture.ts';

const APP = 'Loan_Application__c';
const FIELD_KEYS = [
  'aggregatable',
  'aiPredictionField',
  'autoNumber',
  'byteLength',
  'calculated',
  'calculatedFormula',
  'cascadeDelete',
  'caseSensitive',
  'compoundFieldName',
  'complianceGroup',
  'controllerName',
  'createable',
  'custom',
  'defaultValue',
  'defaultValueFormula',
  'defaultedOnCreate',
  'dependentPicklist',
  'deprecatedAndHidden',
  'digits',
  'displayLocationInDecimal',
  'encrypted',
  'externalId',
  'extraTypeInfo',
  'filterable',
  'filteredLookupInfo',
  'formulaTreatNullNumberAsZero',
  'groupable',
  'highScaleNumber',
  'htmlFormatted',
  'idLookup',
  'inlineHelpText',
  'label',
  'length',
  'mask',
  'maskType',
  'name',
  'nameField',
  'namePointing',
  'nillable',
  'permissionable',
  'picklistValues',
  'polymorphicForeignKey',
  'precision',
  'queryByDistance',
  'referenceTargetField',
  'referenceTo',
  'relationshipName',
  'relationshipOrder',
  'restrictedDelete',
  'restrictedPicklist',
  'scale',
  'searchPrefilterable',
  'securityClassification',
  'soapType',
  'sortable',
  'type',
  'unique',
  'updateable',
  'writeRequiresMasterRead',
].sort();
const OBJECT_BOOLEANS = [
  'custom',
  'customSetting',
  'queryable',
  'createable',
  'updateable',
  'deletable',
  'undeletable',
  'retrieveable',
  'searchable',
  'layoutable',
  'mergeable',
  'replicateable',
  'triggerable',
  'feedEnabled',
  'activateable',
  'deprecatedAndHidden',
];

type Described = {
  fields: Array<Record<string, unknown>>;
  childRelationships: Array<Record<string, unknown>>;
} & Record<string, unknown>;

describe('describe', () => {
  let org: Org;
  const describeAs = (key: string, objectName: string): Described =>
    org.describeSObject(accessFor(org, key), objectName, '62.0') as Described;
  beforeAll(() => {
    org = lendingOrg();
  });

  it('returns every object and field key in Salesforce shape', () => {
    const d = describeAs('underwriter', APP);
    for (const key of [
      'name',
      'label',
      'labelPlural',
      'keyPrefix',
      'urls',
      'fields',
      'childRelationships',
      'recordTypeInfos',
      ...OBJECT_BOOLEANS,
    ]) {
      expect(d).toHaveProperty(key);
    }
    for (const key of OBJECT_BOOLEANS) expect(typeof d[key]).toBe('boolean');
    expect(d['recordTypeInfos']).toEqual([]);
    expect(d['urls']).toMatchObject({
      sobject: `/services/data/v62.0/sobjects/${APP}`,
      describe: `/services/data/v62.0/sobjects/${APP}/describe`,
      rowTemplate: `/services/data/v62.0/sobjects/${APP}/{ID}`,
    });
    for (const field of d.fields) expect(Object.keys(field).sort()).toEqual(FIELD_KEYS);
    const tier = d.fields.find((f) => f['name'] === 'Risk_Tier__c')!;
    expect(tier).toMatchObject({
      type: 'picklist',
      soapType: 'xsd:string',
      length: 255,
      byteLength: 765,
      restrictedPicklist: true,
      securityClassification: 'Confidential',
      inlineHelpText: 'Underwriting risk tier; visible to underwriters only.',
      createable: true,
      updateable: true,
      custom: true,
    });
    expect(tier['picklistValues']).toEqual(
      ['A', 'B', 'C', 'D'].map((v) => ({ active: true, defaultValue: false, label: v, value: v, validFor: null })),
    );
    const applicant = d.fields.find((f) => f['name'] === 'Applicant__c')!;
    expect(applicant).toMatchObject({
      type: 'reference',
      soapType: 'tns:ID',
      referenceTo: ['Contact'],
      relationshipName: 'Applicant__r',
      length: 18,
    });
    expect(d.fields.find((f) => f['name'] === 'Amount__c')).toMatchObject({
      type: 'currency',
      soapType: 'xsd:double',
      precision: 16,
      scale: 2,
      length: 0,
    });
    expect(d.fields.find((f) => f['name'] === 'Id')).toMatchObject({
      type: 'id',
      createable: false,
      updateable: false,
      nillable: false,
      permissionable: false,
    });
    expect(d.fields.find((f) => f['name'] === 'Name')).toMatchObject({
      autoNumber: true,
      nameField: true,
      createable: false,
    });
    const ssn = describeAs('underwriter', 'Contact').fields.find((f) => f['name'] === 'SSN__c');
    expect(ssn).toMatchObject({
      securityClassification: 'Restricted',
      complianceGroup: 'PII',
      createable: false,
      updateable: false,
    });
  });

  it('omits FLS-hidden fields and reflects the user in createable/updateable/deletable', () => {
    const officer = describeAs('officer', APP);
    const names = officer.fields.map((f) => f['name']);
    expect(names).toContain('Amount__c');
    expect(names).not.toContain('Risk_Tier__c');
    expect(names).not.toContain('Reviewed_By__c');
    expect(officer).toMatchObject({
      createable: true,
      updateable: true,
      deletable: false,
      queryable: true,
      custom: true,
    });
    const approver = describeAs('approver', APP);
    expect(approver).toMatchObject({ createable: false, updateable: false, deletable: false });
    expect(approver.fields.find((f) => f['name'] === 'Amount__c')).toMatchObject({
      createable: false,
      updateable: false,
    });
    expect(describeAs('admin', APP)).toMatchObject({ createable: true, updateable: true, deletable: true });
    const contact = describeAs('officer', 'Contact').fields.map((f) => f['name']);
    expect(contact).not.toContain('SSN__c');
    expect(contact).not.toContain('Birthdate');
  });

  it('lists child relationships the user can follow', () => {
    const contact = describeAs('officer', 'Contact');
    expect(contact.childRelationships).toContainEqual({
      cascadeDelete: false,
      childSObject: APP,
      deprecatedAndHidden: false,
      field: 'Applicant__c',
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: 'Loan_Applications__r',
      restrictedDelete: false,
    });
    const reviewed = (key: string): unknown[] =>
      describeAs(key, 'User').childRelationships.filter(
        (r) => r['relationshipName'] === 'Reviewed_Loan_Applications__r',
      );
    expect(reviewed('underwriter')).toHaveLength(1);
    expect(reviewed('nobody')).toEqual([]); // Reviewed_By__c is hidden from them
  });

  it('hides unreadable objects from describeGlobal and answers 404 for their describe', () => {
    const global = org.describeGlobal(accessFor(org, 'worker'), '62.0') as {
      encoding: string;
      maxBatchSize: number;
      sobjects: Array<Record<string, unknown>>;
    };
    expect(global.encoding).toBe('UTF-8');
    expect(global.maxBatchSize).toBe(200);
    const names = global.sobjects.map((s) => s['name']);
    expect(names).toContain('ExecutionStep__c');
    expect(names).toContain('User');
    expect(names).not.toContain(APP);
    expect(names).not.toContain('Contact');
    expect(names).not.toContain('ScratchOrgInfo');
    const step = global.sobjects.find((s) => s['name'] === 'ExecutionStep__c')!;
    expect(step['urls']).toMatchObject({ sobject: '/services/data/v62.0/sobjects/ExecutionStep__c' });
    for (const key of OBJECT_BOOLEANS) expect(typeof step[key]).toBe('boolean');
    let error: unknown;
    try {
      describeAs('worker', APP);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toBody()).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });

  it('describes platform events as createable but not queryable', () => {
    const worker = accessFor(org, 'worker');
    const event = org.schema.objects().find((o) => o.kind === 'event' && worker.canObject(o.name, 'create'))!;
    const d = org.describeSObject(worker, event.name, '62.0') as Described;
    expect(d).toMatchObject({ createable: true, queryable: false, updateable: false, deletable: false });
    expect(d.fields.map((f) => f['name'])).toEqual(
      expect.arrayContaining(['ReplayId', 'EventUuid', 'CreatedDate', 'CreatedById']),
    );
  });
});
