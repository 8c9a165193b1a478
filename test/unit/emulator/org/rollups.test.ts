import { describe, expect, it, vi } from 'vitest';
import type { RecordStore, UserAccess } from '../../../../src/emulator/org/model.ts';
import type { Org } from '../../../../src/emulator/org/org.ts';
import type { SeedInput } from '../../../../src/emulator/org/seed.ts';
import { executeQuery } from '../../../../src/emulator/soql/index.ts';
import { accessFor, apiError, buildOrg, lendingOrg } from '../../../support/org-fixture.ts';

/** Orders (Private) with lines (master-detail) and four roll-ups; `viewer` may read orders but not lines. */
function rollupSeed(extra: Partial<SeedInput> = {}): SeedInput {
  return {
    profiles: [
      {
        name: 'Admin',
        objects: { Account: 'CREDVM', Order__c: 'CREDVM', Line__c: 'CREDVM' },
        fields: { 'Order__c.*': 'edit', 'Line__c.*': 'edit', 'Account.*': 'edit' },
        userPermissions: ['ApiEnabled', 'ViewAllData', 'ModifyAllData'],
      },
      {
        name: 'Clerk',
        objects: { Order__c: 'CRED', Line__c: 'CRED' },
        fields: { 'Order__c.*': 'edit', 'Line__c.*': 'edit' },
        userPermissions: ['ApiEnabled'],
      },
      {
        name: 'Viewer',
        objects: { Order__c: 'RV' },
        fields: { 'Order__c.*': 'read' },
        userPermissions: ['ApiEnabled'],
      },
    ],
    users: [
      { key: 'admin', username: 'admin@rollup.test', lastName: 'Admin', profile: 'Admin' },
      { key: 'clerk', username: 'clerk@rollup.test', lastName: 'Clerk', profile: 'Clerk' },
      { key: 'viewer', username: 'viewer@rollup.test', lastName: 'Viewer', profile: 'Viewer' },
    ],
    objects: {
      Order__c: {
        sharingModel: 'Private',
        fields: {
          Account__c: { type: 'Lookup', referenceTo: 'Account', relationshipName: 'Orders' },
          LineCount__c: { type: 'Summary', summaryOperation: 'count', summaryForeignKey: 'Line__c.Order__c' },
          Total__c: {
            type: 'Summary',
            summaryOperation: 'sum',
            summaryForeignKey: 'Line__c.Order__c',
            summarizedField: 'Line__c.Amount__c',
          },
          FirstShip__c: {
            type: 'Summary',
            summaryOperation: 'min',
            summaryForeignKey: 'Line__c.Order__c',
            summarizedField: 'Line__c.Shipped__c',
          },
          LastShip__c: {
            type: 'Summary',
            summaryOperation: 'max',
            summaryForeignKey: 'Line__c.Order__c',
            summarizedField: 'Line__c.Shipped__c',
          },
        },
      },
      Line__c: {
        sharingModel: 'ControlledByParent',
        fields: {
          Order__c: { type: 'MasterDetail', referenceTo: 'Order__c', relationshipName: 'Lines' },
          Amount__c: { type: 'Currency', precision: 16, scale: 2 },
          Shipped__c: { type: 'Date' },
        },
      },
    },
    records: {
      Account: [{ ref: 'acme', Name: 'Acme' }],
      Order__c: [
        { ref: 'o1', Name: 'O-1', Account__c: '@acme', OwnerId: '@user:clerk' },
        { ref: 'o2', Name: 'O-2', Account__c: '@acme', OwnerId: '@user:clerk' },
        { ref: 'o3', Name: 'O-3', OwnerId: '@user:admin' },
      ],
      Line__c: [
        { ref: 'l1', Name: 'a', Order__c: '@o1', Amount__c: 10.1, Shipped__c: '2025-03-02' },
        { ref: 'l2', Name: 'b', Order__c: '@o1', Amount__c: 20.2, Shipped__c: '2025-01-15' },
        { ref: 'l3', Name: 'c', Order__c: '@o1', Amount__c: null, Shipped__c: null },
        { ref: 'l4', Name: 'd', Order__c: '@o2', Amount__c: 5, Shipped__c: '2025-02-01' },
      ],
    },
    ...extra,
  };
}

const q = (org: Org, access: UserAccess, soql: string) => org.query(access, soql, { apiVersion: '62.0' }).records;
const rows = (org: Org, access: UserAccess, soql: string) =>
  q(org, access, soql).map(({ attributes: _a, ...rest }) => rest);

describe('roll-up summary fields', () => {
  it('describe them as calculated doubles (or the summarized type) that nobody can create or update', () => {
    const org = buildOrg(rollupSeed());
    const fields = new Map(
      (
        org.describeSObject(accessFor(org, 'admin'), 'Order__c', '62.0') as { fields: Array<Record<string, unknown>> }
      ).fields.map((f) => [f['name'], f]),
    );
    const readOnly = {
      calculated: true,
      calculatedFormula: null,
      createable: false,
      updateable: false,
      nillable: true,
      defaultValueFormula: null,
    };
    expect(fields.get('LineCount__c')).toMatchObject({
      ...readOnly,
      type: 'double',
      soapType: 'xsd:double',
      precision: 18,
      scale: 0,
      autoNumber: false,
    });
    expect(fields.get('Total__c')).toMatchObject({ ...readOnly, type: 'currency', precision: 16, scale: 2 });
    expect(fields.get('FirstShip__c')).toMatchObject({ ...readOnly, type: 'date' });
    expect(fields.get('LastShip__c')).toMatchObject({ ...readOnly, type: 'date' });
  });

  it('are computed from the live children in SELECT, WHERE, ORDER BY, aggregates, parent paths and child subqueries', () => {
    const org = buildOrg(rollupSeed());
    const clerk = accessFor(org, 'clerk');
    expect(
      rows(org, clerk, 'SELECT Name, LineCount__c, Total__c, FirstShip__c, LastShip__c FROM Order__c ORDER BY Name'),
    ).toEqual([
      { Name: 'O-1', LineCount__c: 3, Total__c: 30.3, FirstShip__c: '2025-01-15', LastShip__c: '2025-03-02' },
      { Name: 'O-2', LineCount__c: 1, Total__c: 5, FirstShip__c: '2025-02-01', LastShip__c: '2025-02-01' },
    ]);
    const admin = accessFor(org, 'admin');
    // No children: count and sum are 0, min and max blank.
    expect(
      rows(org, admin, "SELECT LineCount__c, Total__c, FirstShip__c, LastShip__c FROM Order__c WHERE Name = 'O-3'"),
    ).toEqual([{ LineCount__c: 0, Total__c: 0, FirstShip__c: null, LastShip__c: null }]);
    expect(rows(org, admin, 'SELECT Name FROM Order__c WHERE LineCount__c > 0 AND Total__c < 10')).toEqual([
      { Name: 'O-2' },
    ]);
    expect(rows(org, admin, 'SELECT Name FROM Order__c ORDER BY LineCount__c DESC, Name')).toEqual([
      { Name: 'O-1' },
      { Name: 'O-2' },
      { Name: 'O-3' },
    ]);
    expect(rows(org, admin, 'SELECT SUM(LineCount__c) lines, MAX(Total__c) top FROM Order__c')).toEqual([
      { lines: 4, top: 30.3 },
    ]);
    expect(rows(org, clerk, "SELECT Name, Order__r.LineCount__c FROM Line__c WHERE Name = 'd'")).toEqual([
      { Name: 'd', Order__r: { attributes: expect.any(Object), LineCount__c: 1 } },
    ]);
    const [acme] = q(org, admin, 'SELECT Name, (SELECT Name, LineCount__c FROM Orders__r ORDER BY Name) FROM Account');
    expect(
      (acme?.['Orders__r'] as { records: Array<Record<string, unknown>> }).records.map((r) => [
        r['Name'],
        r['LineCount__c'],
      ]),
    ).toEqual([
      ['O-1', 3],
      ['O-2', 1],
    ]);
  });

  it('are returned by REST retrieve, with or without a field list', () => {
    const org = buildOrg(rollupSeed());
    const clerk = accessFor(org, 'clerk');
    expect(org.retrieve(clerk, 'Order__c', org.refId('o1'), { apiVersion: '62.0' })).toMatchObject({
      LineCount__c: 3,
      Total__c: 30.3,
      LastShip__c: '2025-03-02',
    });
    expect(org.retrieve(clerk, 'Order__c', org.refId('o2'), { apiVersion: '62.0', fields: ['LineCount__c'] })).toEqual({
      attributes: expect.any(Object),
      LineCount__c: 1,
    });
  });

  it('follow every child write: insert, update, reparent, delete, cascade, and a rolled-back transaction', () => {
    const org = buildOrg(rollupSeed());
    const clerk = accessFor(org, 'clerk');
    const counts = () =>
      Object.fromEntries(
        q(org, clerk, 'SELECT Name, LineCount__c, Total__c FROM Order__c').map((r) => [
          r['Name'],
          [r['LineCount__c'], r['Total__c']],
        ]),
      );
    expect(counts()).toEqual({ 'O-1': [3, 30.3], 'O-2': [1, 5] });
    const { id } = org.create(clerk, 'Line__c', { Name: 'e', Order__c: org.refId('o2'), Amount__c: 1.25 });
    expect(counts()).toEqual({ 'O-1': [3, 30.3], 'O-2': [2, 6.25] });
    org.update(clerk, 'Line__c', id, { Amount__c: 2 });
    expect(counts()).toEqual({ 'O-1': [3, 30.3], 'O-2': [2, 7] });
    org.update(clerk, 'Line__c', org.refId('l1'), { Amount__c: 0.1 });
    expect(counts()).toEqual({ 'O-1': [3, 20.3], 'O-2': [2, 7] });
    org.update(clerk, 'Line__c', org.refId('l3'), { Order__c: org.refId('o2') });
    expect(counts()).toEqual({ 'O-1': [2, 20.3], 'O-2': [3, 7] });
    org.update(clerk, 'Line__c', org.refId('l3'), { Order__c: org.refId('o1') });
    org.delete(clerk, 'Line__c', org.refId('l2'));
    expect(counts()).toEqual({ 'O-1': [2, 0.1], 'O-2': [2, 7] });
    expect(() =>
      org.transaction(() => {
        org.create(clerk, 'Line__c', { Name: 'f', Order__c: org.refId('o1'), Amount__c: 100 });
        org.delete(clerk, 'Line__c', id);
        expect(counts()).toEqual({ 'O-1': [3, 100.1], 'O-2': [1, 5] });
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(counts()).toEqual({ 'O-1': [2, 0.1], 'O-2': [2, 7] });
    org.delete(clerk, 'Order__c', org.refId('o2'));
    expect(counts()).toEqual({ 'O-1': [2, 0.1] });
    // The deleted lines are gone from the count even through queryAll.
    const all = org.query(clerk, 'SELECT COUNT() FROM Line__c', { apiVersion: '62.0', includeDeleted: true }).totalSize;
    expect(all).toBe(5);
    expect(
      org.query(clerk, "SELECT LineCount__c FROM Order__c WHERE Name = 'O-1'", {
        apiVersion: '62.0',
        includeDeleted: true,
      }).records[0],
    ).toMatchObject({ LineCount__c: 2 });
  });

  it('ignore sharing and object access on the children (a roll-up is computed in system context)', () => {
    const org = buildOrg(rollupSeed());
    const viewer = accessFor(org, 'viewer');
    expect(org.access(viewer.user.id).canObject('Line__c', 'read')).toBe(false);
    expect(rows(org, viewer, 'SELECT Name, LineCount__c, Total__c FROM Order__c ORDER BY Name')).toEqual([
      { Name: 'O-1', LineCount__c: 3, Total__c: 30.3 },
      { Name: 'O-2', LineCount__c: 1, Total__c: 5 },
      { Name: 'O-3', LineCount__c: 0, Total__c: 0 },
    ]);
    expect(
      org.retrieve(viewer, 'Order__c', org.refId('o1'), { apiVersion: '62.0', fields: ['LineCount__c'] }),
    ).toMatchObject({ LineCount__c: 3 });
  });

  it('refuse to be written like any calculated field: INVALID_FIELD_FOR_INSERT_UPDATE, even for Modify All Data', () => {
    const org = buildOrg(rollupSeed());
    const admin = accessFor(org, 'admin');
    for (const write of [
      () => org.create(admin, 'Order__c', { Name: 'O-4', LineCount__c: 5 }),
      () => org.update(admin, 'Order__c', org.refId('o1'), { LineCount__c: 5, Name: 'x' }),
    ]) {
      const error = apiError(write);
      expect({ status: error.status, errorCode: error.errorCode, fields: error.fields }).toEqual({
        status: 400,
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        fields: ['LineCount__c'],
      });
      expect(error.message).toMatch(/^Unable to create\/update fields: LineCount__c\./);
    }
    expect(() => buildOrg(rollupSeed({ records: { Order__c: [{ Name: 'O-9', Total__c: 1 }] } }))).toThrow(
      /records\.Order__c\[0\]: INVALID_FIELD_FOR_INSERT_UPDATE/,
    );
  });

  it('read the children from the store index, not a scan per row; a store without an index is scanned once per query', () => {
    const org = buildOrg(rollupSeed());
    const clerk = accessFor(org, 'clerk');
    const store = org.store as RecordStore & { children: NonNullable<RecordStore['children']> };
    const all = vi.spyOn(store, 'all');
    const children = vi.spyOn(store, 'children');
    q(org, clerk, 'SELECT LineCount__c, Total__c FROM Order__c ORDER BY LineCount__c');
    expect(all.mock.calls.map(([name]) => name)).toEqual(['Order__c']);
    // One lookup per order and roll-up field, however often the query reads it (ORDER BY and SELECT).
    // (Record access reads Order__Share rows through the same index; only the Line__c lookups are roll-ups.)
    expect(children.mock.calls.filter(([name]) => name === 'Line__c')).toHaveLength(4);
    all.mockRestore();
    children.mockRestore();

    const plain: RecordStore = {
      all: (name, options) => org.store.all(name, options),
      get: (id, options) => org.store.get(id, options),
    };
    const scans = vi.spyOn(plain, 'all');
    const result = executeQuery('SELECT Name, LineCount__c, Total__c FROM Order__c ORDER BY Name', {
      schema: org.schema,
      store: plain,
      access: clerk,
      apiVersion: '62.0',
    });
    expect(result.records.map((r) => [r['Name'], r['LineCount__c'], r['Total__c']])).toEqual([
      ['O-1', 3, 30.3],
      ['O-2', 1, 5],
    ]);
    expect(scans.mock.calls.map(([name]) => name)).toEqual(['Order__c', 'Line__c']);
  });

  it('child subqueries read the same index: no scan of the child table, creation order kept across updates, deletes leave', () => {
    const org = buildOrg(rollupSeed());
    const admin = accessFor(org, 'admin');
    const [l1] = q(org, admin, "SELECT Id FROM Line__c WHERE Name = 'a'");
    org.update(admin, 'Line__c', String(l1?.['Id']), { Amount__c: 99 });
    const all = vi.spyOn(org.store, 'all');
    const names = () =>
      (
        q(org, admin, "SELECT (SELECT Name FROM Lines__r) FROM Order__c WHERE Name = 'O-1'")[0]?.['Lines__r'] as {
          records: Array<{ Name: string }>;
        }
      ).records.map((r) => r.Name);
    expect(names()).toEqual(['a', 'b', 'c']);
    expect(all.mock.calls.map(([name]) => name)).not.toContain('Line__c');
    all.mockRestore();
    const [l2] = q(org, admin, "SELECT Id FROM Line__c WHERE Name = 'b'");
    org.delete(admin, 'Line__c', String(l2?.['Id']));
    expect(names()).toEqual(['a', 'c']);
    // queryAll still sees the deleted child (through the scan: the index holds live rows only).
    const everything = org.query(admin, "SELECT (SELECT Name FROM Lines__r) FROM Order__c WHERE Name = 'O-1'", {
      apiVersion: '62.0',
      includeDeleted: true,
    }).records[0]?.['Lines__r'] as { records: Array<{ Name: string }> };
    expect(everything.records.map((r) => r.Name).sort()).toEqual(['a', 'b', 'c']);
  });

  it('stay exact over many children and masters', () => {
    const org = buildOrg(rollupSeed());
    const admin = accessFor(org, 'admin');
    const orders = Array.from({ length: 200 }, (_, i) => org.create(admin, 'Order__c', { Name: `bulk-${i}` }).id);
    for (let i = 0; i < 10_000; i++)
      org.create(admin, 'Line__c', { Name: `l${i}`, Order__c: orders[i % orders.length], Amount__c: 1 });
    const records = q(org, admin, "SELECT LineCount__c, Total__c FROM Order__c WHERE Name LIKE 'bulk-%'");
    expect(records).toHaveLength(200);
    expect(records.every((r) => r['LineCount__c'] === 50 && r['Total__c'] === 50)).toBe(true);
    expect(org.retrieve(admin, 'Order__c', orders[7]!, { apiVersion: '62.0', fields: ['LineCount__c'] })).toMatchObject(
      { LineCount__c: 50 },
    );
  });

  it('are checked against the detail object when the org is built', () => {
    const withField = (field: Record<string, unknown>) => {
      const seed = rollupSeed({ records: {} });
      (seed.objects as Record<string, { fields: Record<string, unknown> }>)['Order__c']!.fields['Bad__c'] = field;
      return () => buildOrg(seed);
    };
    expect(withField({ type: 'Summary', summaryOperation: 'count', summaryForeignKey: 'Nope__c.Order__c' })).toThrow(
      /objects: Order__c\.Bad__c: summaryForeignKey names unknown object 'Nope__c'/,
    );
    expect(withField({ type: 'Summary', summaryOperation: 'count', summaryForeignKey: 'Line__c.Missing__c' })).toThrow(
      /unknown field Line__c\.Missing__c/,
    );
    expect(withField({ type: 'Summary', summaryOperation: 'count', summaryForeignKey: 'Order__c.Account__c' })).toThrow(
      /summaryForeignKey Order__c\.Account__c must be a MasterDetail field to Order__c/,
    );
    expect(
      withField({
        type: 'Summary',
        summaryOperation: 'sum',
        summaryForeignKey: 'Line__c.Order__c',
        summarizedField: 'Line__c.Shipped__c',
      }),
    ).toThrow(/cannot sum Line__c\.Shipped__c of type date/);
    expect(
      withField({
        type: 'Summary',
        summaryOperation: 'max',
        summaryForeignKey: 'Line__c.Order__c',
        summarizedField: 'Line__c.Name',
      }),
    ).toThrow(/cannot max Line__c\.Name of type string/);
    expect(withField({ type: 'Summary', summaryOperation: 'sum', summaryForeignKey: 'Line__c.Order__c' })).toThrow(
      /a sum roll-up needs summarizedField/,
    );
    expect(withField({ type: 'Summary', summaryOperation: 'avg', summaryForeignKey: 'Line__c.Order__c' })).toThrow(
      /summaryOperation/,
    );
    expect(
      withField({ type: 'Summary', summaryOperation: 'count', summaryForeignKey: 'Line__c.Order__c', precision: 18 }),
    ).toThrow(/a Summary \(roll-up\) field is calculated and takes no precision/);
    expect(withField({ type: 'Number', summaryOperation: 'count' })).toThrow(
      /summary options belong to a Summary field/,
    );
  });

  it("the package's StepCount__c counts an execution's ExecutionStep__c rows", () => {
    const org = lendingOrg();
    const field = org.schema.field('AgentExecution__c', 'StepCount__c');
    expect(field).toMatchObject({
      type: 'double',
      calculated: true,
      formula: null,
      rollup: {
        operation: 'count',
        childObject: 'ExecutionStep__c',
        foreignKey: 'AgentExecution__c',
        summarizedField: null,
      },
    });
    const worker = accessFor(org, 'worker');
    expect(worker.canField('AgentExecution__c', 'StepCount__c', 'read')).toBe(true);
    expect(worker.canField('AgentExecution__c', 'StepCount__c', 'edit')).toBe(false);
  });
});
