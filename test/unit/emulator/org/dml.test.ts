import { describe, expect, it } from 'vitest';
import { ApiError, MultipleChoicesError } from '../../../../src/emulator/org/model.ts';
import type { EventSink } from '../../../../src/emulator/org/model.ts';
import { accessFor, apiError, buildOrg, lendingOrg, minimalSeed } from '../../../support/org-fixture.ts';

const APP = 'Loan_Application__c';
const FIXED = new Date('2025-03-04T05:06:07.089Z');

function expectError(
  fn: () => unknown,
  status: number,
  errorCode: string,
  message: string | RegExp,
  fields?: string[],
): void {
  const error = apiError(fn);
  expect({ status: error.status, errorCode: error.errorCode }).toEqual({ status, errorCode });
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  expect(error.fields).toEqual(fields);
}

describe('create', () => {
  it('fills system fields, defaults, auto-numbers and owner', () => {
    const org = lendingOrg({ now: () => FIXED });
    const officer = accessFor(org, 'officer');
    const { id } = org.create(officer, APP, { Amount__c: '1234.567', Applicant__c: org.refId('c_chen').toLowerCase() });
    expect(id.startsWith(org.schema.object(APP)!.keyPrefix)).toBe(true);
    const record = org.store.get(id)!.record;
    expect(record).toMatchObject({
      Name: 'LA-00013',
      Amount__c: 1234.57,
      Status__c: 'Open',
      OwnerId: officer.user.id,
      CreatedById: officer.user.id,
      LastModifiedById: officer.user.id,
      CreatedDate: '2025-03-04T05:06:07.089+0000',
      IsDeleted: false,
      Applicant__c: org.refId('c_chen'),
      Risk_Tier__c: null,
    });
  });

  it('computes Contact.Name and refuses to set it', () => {
    const org = lendingOrg();
    const officer = accessFor(org, 'officer');
    const { id } = org.create(officer, 'Contact', { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com' });
    expect(org.store.get(id)!.record['Name']).toBe('Ann Lee');
    expectError(
      () => org.create(officer, 'Contact', { LastName: 'X', Name: 'Y' }),
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'Unable to create/update fields: Name. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
      ['Name'],
    );
  });

  it('reports every error path with Salesforce codes and texts', () => {
    const org = lendingOrg();
    const officer = accessFor(org, 'officer');
    const worker = accessFor(org, 'worker');
    expectError(
      () => org.create(worker, APP, { Amount__c: 1 }),
      404,
      'NOT_FOUND',
      'The requested resource does not exist',
    );
    expectError(() => org.create(officer, 'Nope__c', {}), 404, 'NOT_FOUND', 'The requested resource does not exist');
    expectError(
      () => org.create(officer, APP, { Risk_Tier__c: 'A' }),
      400,
      'INVALID_FIELD',
      "No such column 'Risk_Tier__c' on sobject of type Loan_Application__c",
    );
    expectError(
      () => org.create(officer, APP, { Bogus__c: 'A' }),
      400,
      'INVALID_FIELD',
      "No such column 'Bogus__c' on sobject of type Loan_Application__c",
    );
    expectError(
      () => org.create(officer, APP, { CreatedDate: '2020-01-01T00:00:00Z', Name: 'x' }),
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      /^Unable to create\/update fields: CreatedDate, Name\. /,
      ['CreatedDate', 'Name'],
    );
    expectError(
      () => org.create(officer, APP, { Id: org.refId('app1') }),
      400,
      'INVALID_FIELD',
      'cannot specify Id in an insert call',
      ['Id'],
    );
    expectError(
      () => org.create(officer, 'Contact', { FirstName: 'No' }),
      400,
      'REQUIRED_FIELD_MISSING',
      'Required fields are missing: [LastName]',
      ['LastName'],
    );
    expectError(
      () => org.create(accessFor(org, 'nobody'), APP, {}),
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'entity type cannot be inserted: Loan Application',
      [],
    );
    const underwriter = accessFor(org, 'underwriter');
    expectError(
      () => org.create(underwriter, APP, { Risk_Tier__c: 'E' }),
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'Risk Tier: bad value for restricted picklist field: E',
      ['Risk_Tier__c'],
    );
    expectError(
      () => org.create(officer, APP, { External_Ref__c: 'x'.repeat(41) }),
      400,
      'STRING_TOO_LONG',
      /^External Reference: data value too large: x+\.\.\. \(max length=40\)$/,
      ['External_Ref__c'],
    );
    expectError(
      () => org.create(officer, APP, { Amount__c: 'lots' }),
      400,
      'JSON_PARSER_ERROR',
      /^Cannot deserialize instance of double from VALUE_STRING value lots/,
    );
    expectError(() => org.create(officer, APP, { Amount__c: { n: 1 } }), 400, 'JSON_PARSER_ERROR', /from START_OBJECT/);
    expectError(
      () => org.create(officer, APP, { Amount__c: 1e20 }),
      400,
      'NUMBER_OUTSIDE_VALID_RANGE',
      /^Amount: value outside of valid range/,
      ['Amount__c'],
    );
    expectError(
      () => org.create(officer, 'Contact', { LastName: 'X', Email: 'not-an-email' }),
      400,
      'INVALID_EMAIL_ADDRESS',
      'Email: invalid email address: not-an-email',
      ['Email'],
    );
    expectError(
      () => org.create(officer, APP, { Applicant__c: 'abc' }),
      400,
      'MALFORMED_ID',
      'Applicant: id value of incorrect type: abc',
      ['Applicant__c'],
    );
    expectError(
      () => org.create(officer, APP, { Applicant__c: org.refId('harbor') }),
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      /^Applicant: id value of incorrect type/,
      ['Applicant__c'],
    );
    expectError(
      () => org.create(officer, APP, { External_Ref__c: 'hl-1001' }),
      400,
      'DUPLICATE_VALUE',
      `duplicate value found: External_Ref__c duplicates value on record with id: ${org.refId('app1')}`,
      ['External_Ref__c'],
    );
  });

  it('validates dates, datetimes and booleans', () => {
    const org = buildOrg(
      minimalSeed({
        objects: {
          Widget__c: {
            fields: {
              Due__c: { type: 'Date' },
              At__c: { type: 'DateTime' },
              On__c: { type: 'Checkbox' },
              Slot__c: { type: 'Time' },
            },
          },
        },
        profiles: [
          {
            name: 'Admin',
            objects: { Widget__c: 'CREDVM' },
            fields: { 'Widget__c.*': 'edit' },
            userPermissions: ['ModifyAllData'],
          },
        ],
        users: [{ key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' }],
      }),
    );
    const admin = accessFor(org, 'admin');
    const { id } = org.create(admin, 'Widget__c', {
      Name: 'w',
      Due__c: '2024-02-29',
      At__c: '2024-01-02T03:04:05+01:00',
      On__c: 'true',
      Slot__c: '09:30',
    });
    expect(org.store.get(id)!.record).toMatchObject({
      Due__c: '2024-02-29',
      At__c: '2024-01-02T02:04:05.000+0000',
      On__c: true,
      Slot__c: '09:30:00.000Z',
    });
    expectError(
      () => org.create(admin, 'Widget__c', { Name: 'w', Due__c: '2023-02-29' }),
      400,
      'JSON_PARSER_ERROR',
      /instance of date from VALUE_STRING value 2023-02-29/,
    );
    expectError(
      () => org.create(admin, 'Widget__c', { Name: 'w', At__c: 'yesterday' }),
      400,
      'JSON_PARSER_ERROR',
      /instance of datetime/,
    );
    expectError(
      () => org.create(admin, 'Widget__c', { Name: 'w', On__c: 1 }),
      400,
      'JSON_PARSER_ERROR',
      /instance of boolean from VALUE_NUMBER_INT/,
    );
  });
});

describe('update, delete and retrieve', () => {
  it('updates editable records and stamps LastModified fields', () => {
    let now = FIXED;
    const org = lendingOrg({ now: () => now });
    const officer = accessFor(org, 'officer');
    now = new Date('2025-06-01T00:00:00Z');
    org.update(officer, APP, org.refId('app1').slice(0, 15), { Status__c: 'In Review', attributes: { type: APP } });
    expect(org.store.get(org.refId('app1'))!.record).toMatchObject({
      Status__c: 'In Review',
      LastModifiedDate: '2025-06-01T00:00:00.000+0000',
      LastModifiedById: officer.user.id,
    });
  });

  it('refuses updates by sharing, id shape, existence and required fields', () => {
    const org = lendingOrg();
    const officer = accessFor(org, 'officer');
    expectError(
      () => org.update(officer, APP, org.refId('app7'), { Status__c: 'Open' }),
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'insufficient access rights on object id',
      [],
    );
    expectError(
      () => org.update(officer, APP, org.refId('app6'), { Status__c: 'Open' }),
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'insufficient access rights on object id',
      [],
    );
    expectError(
      () => org.update(officer, APP, 'a0AEM00000zzzzz!', {}),
      400,
      'MALFORMED_ID',
      'Loan_Application__c ID: id value of incorrect type: a0AEM00000zzzzz!',
      ['Id'],
    );
    expectError(
      () => org.update(officer, APP, org.refId('c_chen'), {}),
      400,
      'MALFORMED_ID',
      /^Loan_Application__c ID: id value of incorrect type/,
      ['Id'],
    );
    const missing = `${org.schema.object(APP)!.keyPrefix}EM0000000999`;
    expectError(() => org.update(officer, APP, missing, {}), 404, 'NOT_FOUND', 'The requested resource does not exist');
    expectError(
      () => org.update(officer, 'Contact', org.refId('c_chen'), { LastName: null }),
      400,
      'REQUIRED_FIELD_MISSING',
      'Required fields are missing: [LastName]',
      ['LastName'],
    );
    expectError(
      () => org.update(accessFor(org, 'approver'), APP, org.refId('app1'), {}),
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'entity type cannot be updated: Loan Application',
      [],
    );
  });

  it('deletes, then reports ENTITY_IS_DELETED', () => {
    const org = lendingOrg();
    const admin = accessFor(org, 'admin');
    const officer = accessFor(org, 'officer');
    expectError(
      () => org.delete(officer, APP, org.refId('app1')),
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      'entity type cannot be deleted: Loan Application',
      [],
    );
    org.delete(admin, APP, org.refId('app1'));
    expect(org.store.get(org.refId('app1'))).toBeUndefined();
    expect(org.store.get(org.refId('app1'), { includeDeleted: true })?.record['IsDeleted']).toBe(true);
    expect(org.store.all(APP)).toHaveLength(11);
    expect(org.store.all(APP, { includeDeleted: true })).toHaveLength(12);
    expectError(() => org.delete(admin, APP, org.refId('app1')), 404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
    expectError(() => org.update(admin, APP, org.refId('app1'), {}), 404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
    expectError(
      () => org.retrieve(admin, APP, org.refId('app1'), { apiVersion: '62.0' }),
      404,
      'NOT_FOUND',
      'The requested resource does not exist',
    );
    // Unique values of deleted records are free again.
    expect(org.create(admin, APP, { External_Ref__c: 'HL-1001' }).id).toBeTruthy();
  });

  it('retrieves only readable fields, in describe order', () => {
    const org = lendingOrg();
    const officer = accessFor(org, 'officer');
    const id = org.refId('app1');
    const record = org.retrieve(officer, APP, id, { apiVersion: '62.0' });
    expect(record['attributes']).toEqual({ type: APP, url: `/services/data/v62.0/sobjects/${APP}/${id}` });
    expect(record).not.toHaveProperty('Risk_Tier__c');
    expect(record).toHaveProperty('Amount__c', 25000);
    expect(org.retrieve(officer, APP, id, { apiVersion: '62.0', fields: ['Name', 'Amount__c'] })).toEqual({
      attributes: { type: APP, url: `/services/data/v62.0/sobjects/${APP}/${id}` },
      Name: 'LA-00001',
      Amount__c: 25000,
    });
    expectError(
      () => org.retrieve(officer, APP, id, { apiVersion: '62.0', fields: ['Risk_Tier__c'] }),
      400,
      'INVALID_FIELD',
      /^No such column 'Risk_Tier__c' on entity 'Loan_Application__c'\. If you are attempting/,
    );
    expectError(
      () => org.retrieve(officer, APP, org.refId('app6'), { apiVersion: '62.0' }),
      404,
      'NOT_FOUND',
      'The requested resource does not exist',
    );
    const user = org.retrieve(accessFor(org, 'worker'), 'User', org.userByKey('worker')!.id, { apiVersion: '51.0' });
    expect(user['Username']).toBe('worker@lending.test');
  });
});

describe('upsert', () => {
  it('inserts, updates and reports several matches', () => {
    const org = buildOrg(
      minimalSeed({
        objects: {
          Widget__c: { fields: { Code__c: { type: 'Text', length: 10, externalId: true }, Tag__c: { type: 'Text' } } },
        },
        profiles: [
          {
            name: 'Admin',
            objects: { Widget__c: 'CREDVM' },
            fields: { 'Widget__c.*': 'edit' },
            userPermissions: ['ModifyAllData'],
          },
        ],
        users: [{ key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' }],
        records: {
          Widget__c: [
            { Name: 'a', Code__c: 'DUP' },
            { Name: 'b', Code__c: 'dup' },
          ],
        },
      }),
    );
    const admin = accessFor(org, 'admin');
    const created = org.upsert(admin, 'Widget__c', 'Code__c', 'K1', { Name: 'first' });
    expect(created.created).toBe(true);
    expect(org.store.get(created.id)!.record['Code__c']).toBe('K1');
    const updated = org.upsert(admin, 'Widget__c', 'code__c', 'k1', { Name: 'second' });
    expect(updated).toEqual({ id: created.id, created: false });
    expect(org.store.get(created.id)!.record['Name']).toBe('second');
    const multiple = apiError(() => org.upsert(admin, 'Widget__c', 'Code__c', 'Dup', { Name: 'x' }));
    expect(multiple).toBeInstanceOf(MultipleChoicesError);
    expect(multiple.status).toBe(300);
    expect(multiple.errorCode).toBe('MULTIPLE_CHOICES');
    expect((multiple as MultipleChoicesError).recordIds).toHaveLength(2);
    expectError(
      () => org.upsert(admin, 'Widget__c', 'Tag__c', 'x', {}),
      404,
      'NOT_FOUND',
      'Provided external ID field does not exist or is not accessible: Tag__c',
    );
    expectError(
      () => org.upsert(admin, 'Widget__c', 'Code__c', 'K1', { Code__c: 'K2' }),
      400,
      'INVALID_FIELD',
      /does not match the external ID/,
      ['Code__c'],
    );
    expect(org.upsert(admin, 'Widget__c', 'Id', created.id, { Name: 'third' })).toEqual({
      id: created.id,
      created: false,
    });
  });

  it('writes the audit trail idempotently by ExecutionStep__c external id', () => {
    const org = lendingOrg();
    const step = org.schema.object('ExecutionStep__c')!;
    const ext = step.fields.find((f) => f.externalId && f.unique)!;
    expect(ext).toBeDefined();
    expect(org.schema.masterField('ExecutionStep__c')?.name).toBeDefined();
  });
});

describe('transactions, cascade delete, reset and events', () => {
  it('rolls back every write of a failed transaction', () => {
    const org = lendingOrg();
    const admin = accessFor(org, 'admin');
    const before = org.store.all(APP).length;
    expect(() =>
      org.transaction(() => {
        org.create(admin, APP, { External_Ref__c: 'T-1' });
        org.update(admin, APP, org.refId('app1'), { Status__c: 'Declined' });
        org.delete(admin, APP, org.refId('app2'));
        org.create(admin, APP, { External_Ref__c: 'T-1' }); // duplicate → throws
      }),
    ).toThrow(ApiError);
    expect(org.store.all(APP)).toHaveLength(before);
    expect(org.store.get(org.refId('app1'))!.record['Status__c']).toBe('Open');
    expect(org.store.get(org.refId('app2'))).toBeDefined();
    expect(org.create(admin, APP, { External_Ref__c: 'T-1' }).id).toBeTruthy(); // the index was rolled back too
    expect(org.transaction(() => 42)).toBe(42);
  });

  it('cascades deletes to master-detail children', () => {
    const org = buildOrg(
      minimalSeed({
        objects: {
          Widget__c: { fields: {} },
          Part__c: {
            sharingModel: 'ControlledByParent',
            fields: { Widget__c: { type: 'MasterDetail', referenceTo: 'Widget__c', relationshipName: 'Parts' } },
          },
        },
        profiles: [
          { name: 'Admin', objects: { Widget__c: 'CREDVM', Part__c: 'CRED' }, userPermissions: ['ModifyAllData'] },
        ],
        users: [{ key: 'admin', username: 'admin@fixture.test', lastName: 'Admin', profile: 'Admin' }],
        records: {
          Widget__c: [
            { ref: 'w', Name: 'w' },
            { ref: 'v', Name: 'v' },
          ],
          Part__c: [
            { Name: 'p1', Widget__c: '@w' },
            { Name: 'p2', Widget__c: '@w' },
            { Name: 'p3', Widget__c: '@v' },
          ],
        },
      }),
    );
    expect(org.schema.childRelationship('Widget__c', 'Parts__r')).toEqual({
      childSObject: 'Part__c',
      field: 'Widget__c',
      relationshipName: 'Parts__r',
      cascadeDelete: true,
    });
    org.delete(accessFor(org, 'admin'), 'Widget__c', org.refId('w'));
    expect(org.store.all('Part__c').map((p) => p['Name'])).toEqual(['p3']);
    expectError(
      () => org.create(accessFor(org, 'admin'), 'Part__c', { Name: 'orphan', Widget__c: org.refId('w') }),
      400,
      'ENTITY_IS_DELETED',
      'entity is deleted',
      ['Widget__c'],
    );
    org.reset();
    expect(org.store.all('Part__c')).toHaveLength(3);
  });

  it('publishes platform events through the sink as the acting user', () => {
    const org = lendingOrg({ now: () => FIXED });
    const officer = accessFor(org, 'admin');
    const published: Array<{ name: string; payload: Record<string, unknown> }> = [];
    const event = org.schema.objects().find((o) => o.kind === 'event' && officer.canObject(o.name, 'create'))!;
    expectError(() => org.create(officer, event.name, {}), 503, 'SERVICE_UNAVAILABLE', /No event bus/);
    const sink: EventSink = {
      publish(name, payload) {
        published.push({ name, payload });
        return { replayId: published.length, eventUuid: `uuid-${published.length}` };
      },
    };
    org.setEventSink(sink);
    const writable = event.fields.find((f) => !f.system && f.type === 'string');
    const body = writable ? { [writable.name]: 'hello' } : {};
    const required = Object.fromEntries(
      event.fields.filter((f) => !f.nillable && !f.system && f.type !== 'boolean').map((f) => [f.name, 'x']),
    );
    const result = org.create(officer, event.name, { ...required, ...body });
    expect(result.eventUuid).toBe('uuid-1');
    expect(result.id.slice(0, 3)).toBe(event.keyPrefix);
    expect(published[0]?.payload).toMatchObject({
      CreatedById: officer.user.id,
      CreatedDate: '2025-03-04T05:06:07.089+0000',
    });
    expectError(
      () => org.create(accessFor(org, 'nobody'), event.name, {}),
      404,
      'NOT_FOUND',
      'The requested resource does not exist',
    );
  });
});
