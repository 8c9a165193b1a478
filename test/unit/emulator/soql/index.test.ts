import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import type { QueryResult, UserAccess } from '../../../../src/emulator/org/model.ts';
import { clearQueryCache, executeQuery } from '../../../../src/emulator/soql/index.ts';
import { ADMIN_ID, ANALYST_ID, createSoqlFixture, IDS } from '../../../support/soql-fixture.ts';
import type { SoqlFixture } from '../../../support/soql-fixture.ts';

let f: SoqlFixture;
beforeEach(() => {
  clearQueryCache();
  f = createSoqlFixture();
});

const run = (soql: string, access?: UserAccess, options: { includeDeleted?: boolean; now?: Date } = {}): QueryResult =>
  executeQuery(soql, f.ctx(access ?? f.admin, options));
const names = (r: QueryResult): unknown[] => r.records.map((rec) => rec['Name'] ?? rec['LastName'] ?? rec['Subject']);
const url = (type: string, id: string): string => `/services/data/v62.0/sobjects/${type}/${id}`;

function error(soql: string, access?: UserAccess): ApiError {
  try {
    run(soql, access);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`expected ${soql} to fail`);
}

describe('record shape', () => {
  it('returns attributes, canonical field names and typed values', () => {
    const r = run(
      "select id, name, amount__c, is_priority__c, submitted_on__c, decision_at__c, products__c FROM loan_application__c WHERE name = 'L-003'",
    );
    expect(r).toEqual({
      totalSize: 1,
      records: [
        {
          attributes: { type: 'Loan_Application__c', url: url('Loan_Application__c', IDS.loan3) },
          Id: IDS.loan3,
          Name: 'L-003',
          Amount__c: 90000,
          Is_Priority__c: false,
          Submitted_On__c: '2026-01-10',
          Decision_At__c: '2026-01-20T13:45:30.250+0000',
          Products__c: 'Mortgage;Auto;Card',
        },
      ],
    });
  });

  it('nests parent relationships of any depth with their own attributes, null when absent', () => {
    const r = run(
      'SELECT Name, Applicant__r.LastName, Applicant__r.Account.Name, Applicant__r.Account.Owner.Name, Reviewed_By__r.Name FROM Loan_Application__c ORDER BY Name',
    );
    expect(r.records[0]).toEqual({
      attributes: { type: 'Loan_Application__c', url: url('Loan_Application__c', IDS.loan1) },
      Name: 'L-001',
      Applicant__r: {
        attributes: { type: 'Contact', url: url('Contact', IDS.alice) },
        LastName: 'Alice',
        Account: {
          attributes: { type: 'Account', url: url('Account', IDS.acme) },
          Name: 'Acme',
          Owner: { attributes: { type: 'User', url: url('User', ANALYST_ID) }, Name: 'Ana Analyst' },
        },
      },
      Reviewed_By__r: { attributes: { type: 'User', url: url('User', ADMIN_ID) }, Name: 'Ada Admin' },
    });
    expect(r.records[1]!['Reviewed_By__r']).toBeNull();
  });

  it('returns child subqueries as result sets, null when empty, filtered and ordered', () => {
    const r = run(
      "SELECT Name, (SELECT LastName, Email FROM Contacts WHERE LastName != 'Nobody' ORDER BY LastName DESC LIMIT 5) FROM Account WHERE Name IN ('Acme', 'Globex') ORDER BY Name",
    );
    expect(r.records.map((rec) => rec['Contacts'])).toEqual([
      {
        totalSize: 2,
        done: true,
        records: [
          { attributes: { type: 'Contact', url: url('Contact', IDS.bob) }, LastName: 'Bob', Email: null },
          {
            attributes: { type: 'Contact', url: url('Contact', IDS.alice) },
            LastName: 'Alice',
            Email: 'alice@example.com',
          },
        ],
      },
      null,
    ]);
  });

  it('supports nested child subqueries', () => {
    const r = run(
      "SELECT Name, (SELECT LastName, (SELECT Name FROM Loan_Applications__r ORDER BY Name) FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Acme'",
    );
    const contacts = r.records[0]!['Contacts'] as QueryResult;
    expect(
      contacts.records.map(
        (c) => (c['Loan_Applications__r'] as QueryResult | null)?.records.map((l) => l['Name']) ?? null,
      ),
    ).toEqual([['L-001', 'L-003'], ['L-002']]);
  });

  it('applies toLabel to picklists and multipicklists in SELECT and WHERE', () => {
    const r = run(
      "SELECT Name, toLabel(Status__c), toLabel(Products__c) FROM Loan_Application__c WHERE toLabel(Status__c) = 'Submitted for review'",
    );
    expect(r.records).toEqual([
      {
        attributes: { type: 'Loan_Application__c', url: url('Loan_Application__c', IDS.loan1) },
        Name: 'L-001',
        Status__c: 'Submitted for review',
        Products__c: 'Mortgage;Credit card',
      },
    ]);
  });

  it('resolves TYPEOF per record type and the polymorphic Name entity', () => {
    const r = run(
      'SELECT Subject, TYPEOF What WHEN Account THEN Name, Industry WHEN Loan_Application__c THEN Amount__c END FROM Task ORDER BY Subject',
    );
    expect(r.records.map((rec) => rec['What'])).toEqual([
      { attributes: { type: 'Account', url: url('Account', IDS.acme) }, Name: 'Acme', Industry: 'Tech' },
      { attributes: { type: 'Loan_Application__c', url: url('Loan_Application__c', IDS.loan1) }, Amount__c: 250000 },
    ]);
    const poly = run('SELECT What.Type, What.Name FROM Task ORDER BY Subject');
    expect(poly.records.map((rec) => rec['What'])).toEqual([
      // A polymorphic parent is the Name entity: attributes.type 'Name', the url names the actual object.
      { attributes: { type: 'Name', url: url('Account', IDS.acme) }, Type: 'Account', Name: 'Acme' },
      {
        attributes: { type: 'Name', url: url('Loan_Application__c', IDS.loan1) },
        Type: 'Loan_Application__c',
        Name: 'L-001',
      },
    ]);
    expect(error('SELECT TYPEOF What WHEN Account THEN Name END, What.Name FROM Task').message).toContain(
      'duplicate field selected',
    );
    expect(run("SELECT Subject FROM Task WHERE What.Name = 'L-001'").records.map((x) => x['Subject'])).toEqual([
      'Review loan',
    ]);
  });

  it('expands FIELDS(STANDARD) and bounded FIELDS(ALL) to readable fields only', () => {
    const keys = Object.keys(run('SELECT FIELDS(ALL) FROM Account LIMIT 1', f.analyst).records[0]!);
    expect(keys).toEqual([
      'attributes',
      'Id',
      'Name',
      'Industry',
      'AnnualRevenue',
      'NumberOfEmployees',
      'OwnerId',
      'CreatedDate',
    ]);
    expect(Object.keys(run('SELECT FIELDS(CUSTOM) FROM Account LIMIT 200').records[0]!)).toEqual([
      'attributes',
      'Secret__c',
    ]);
    expect(run('SELECT FIELDS(STANDARD) FROM Account').totalSize).toBe(4);
    expect(error('SELECT FIELDS(ALL) FROM Account').message).toContain(
      'The SOQL FIELDS function must have a LIMIT of at most 200',
    );
  });
});

describe('WHERE', () => {
  const cases: Array<[string, unknown[]]> = [
    ["SELECT Name FROM Account WHERE Name = 'ACME'", ['Acme']],
    ["SELECT Name FROM Account WHERE Name != 'acme' ORDER BY Name", ['globex', 'Hidden Corp', 'Initech']],
    ['SELECT Name FROM Account WHERE Industry = null ORDER BY Name', ['Initech']],
    ['SELECT Name FROM Account WHERE Industry != null ORDER BY Name', ['Acme', 'globex', 'Hidden Corp']],
    ["SELECT Name FROM Account WHERE Industry != 'Tech' ORDER BY Name", ['globex', 'Hidden Corp', 'Initech']],
    ['SELECT Name FROM Account WHERE AnnualRevenue > 4999.99 ORDER BY Name', ['Acme', 'globex']],
    ['SELECT Name FROM Account WHERE AnnualRevenue <= 5000 ORDER BY Name', ['Acme', 'Hidden Corp']],
    ['SELECT Name FROM Account WHERE NumberOfEmployees >= 50 AND NumberOfEmployees < 500', ['Acme']],
    ["SELECT Name FROM Account WHERE Industry IN ('tech', 'Banking') ORDER BY Name", ['Acme', 'globex']],
    ["SELECT Name FROM Account WHERE Industry NOT IN ('Tech', 'Banking') ORDER BY Name", ['Hidden Corp', 'Initech']],
    ["SELECT Name FROM Account WHERE Name LIKE 'a%'", ['Acme']],
    ["SELECT Name FROM Account WHERE Name LIKE '_lob%'", ['globex']],
    ["SELECT LastName FROM Contact WHERE LastName LIKE 'carol\\_100\\%'", ['Carol_100%']],
    ["SELECT LastName FROM Contact WHERE LastName LIKE 'carol_1%'", ['Carol_100%']],
    ["SELECT Name FROM Account WHERE Name LIKE 'acm'", []],
    [
      "SELECT Name FROM Loan_Application__c WHERE Products__c INCLUDES ('Card;Mortgage') ORDER BY Name",
      ['L-001', 'L-003'],
    ],
    [
      "SELECT Name FROM Loan_Application__c WHERE Products__c INCLUDES ('Auto', 'Card;Nothing') ORDER BY Name",
      ['L-002', 'L-003'],
    ],
    ["SELECT Name FROM Loan_Application__c WHERE Products__c EXCLUDES ('Card') ORDER BY Name", ['L-002', 'L-004']],
    ["SELECT Name FROM Loan_Application__c WHERE Products__c = 'Card;Mortgage'", ['L-001']],
    ['SELECT Name FROM Loan_Application__c WHERE Is_Priority__c = true', ['L-001']],
    ['SELECT Name FROM Loan_Application__c WHERE Is_Priority__c = FALSE ORDER BY Name', ['L-002', 'L-003', 'L-004']],
    // Precedence: NOT > AND > OR, and parentheses.
    ["SELECT Name FROM Account WHERE Name = 'Acme' OR Name = 'Initech' AND Industry = 'Tech' ORDER BY Name", ['Acme']],
    ["SELECT Name FROM Account WHERE (Name = 'Acme' OR Name = 'Initech') AND Industry = null", ['Initech']],
    [
      "SELECT Name FROM Account WHERE NOT Name = 'Acme' AND NOT Name = 'globex' ORDER BY Name",
      ['Hidden Corp', 'Initech'],
    ],
    ["SELECT Name FROM Account WHERE NOT (Name = 'Acme' OR Name = 'globex') ORDER BY Name", ['Hidden Corp', 'Initech']],
    ["SELECT Name FROM Account WHERE (NOT Name = 'Acme') AND (Industry = 'Tech' OR Industry = 'Banking')", ['globex']],
    [
      "SELECT Name FROM Account WHERE ((Name = 'Acme' OR Name = 'globex') AND NumberOfEmployees > 100) OR Name = 'Initech' ORDER BY Name",
      ['globex', 'Initech'],
    ],
    // Parent paths in WHERE, including a null parent.
    [
      "SELECT Name FROM Loan_Application__c WHERE Applicant__r.Account.Name = 'Acme' ORDER BY Name",
      ['L-001', 'L-002', 'L-003'],
    ],
    ['SELECT Name FROM Loan_Application__c WHERE Reviewed_By__r.Name = null ORDER BY Name', ['L-002', 'L-004']],
    ["SELECT Name FROM Account WHERE Owner.Username = 'ana@example.com' ORDER BY Name", ['Acme', 'Initech']],
    // Semi-joins and anti-joins.
    [
      'SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email != null) ORDER BY Name',
      ['Acme', 'Hidden Corp'],
    ],
    ['SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name', ['globex', 'Initech']],
    [
      "SELECT LastName FROM Contact WHERE Id IN (SELECT Applicant__c FROM Loan_Application__c WHERE Status__c = 'Draft')",
      ['Bob'],
    ],
    // Dates, datetimes with offsets.
    ['SELECT Name FROM Loan_Application__c WHERE Submitted_On__c = 2026-03-01', ['L-002']],
    ['SELECT Name FROM Loan_Application__c WHERE Submitted_On__c < 2026-03-01 ORDER BY Name', ['L-001', 'L-003']],
    ['SELECT Name FROM Loan_Application__c WHERE Decision_At__c = 2026-03-01T12:00:00Z', ['L-001']],
    ['SELECT Name FROM Loan_Application__c WHERE Decision_At__c = 2026-03-01T14:00:00+02:00', ['L-001']],
    [
      'SELECT Name FROM Loan_Application__c WHERE Decision_At__c > 2026-01-20T13:45:30Z ORDER BY Name',
      ['L-001', 'L-003'],
    ],
    ['SELECT Name FROM Loan_Application__c WHERE Decision_At__c < 2026-01-20T13:45:30.250Z', []],
    // Ids: 15- and 18-character forms, case of 18-char ignored.
    [`SELECT Name FROM Account WHERE Id = '${IDS.acme.slice(0, 15)}'`, ['Acme']],
    [`SELECT Name FROM Account WHERE Id = '${IDS.acme.toLowerCase()}'`, ['Acme']],
    [
      `SELECT Name FROM Account WHERE Id IN ('${IDS.acme}', '${IDS.globex}', '${IDS.alice}') ORDER BY Name`,
      ['Acme', 'globex'],
    ],
    [`SELECT LastName FROM Contact WHERE AccountId = '${IDS.acme}' ORDER BY LastName`, ['Alice', 'Bob']],
    // Alias on the FROM object.
    ["SELECT a.Name FROM Account a WHERE a.Name = 'Acme'", ['Acme']],
  ];
  it.each(cases)('%s', (soql, expected) => {
    expect(names(run(soql))).toEqual(expected);
  });

  it('uses the Id index instead of a scan for Id = and Id IN', () => {
    const before = f.store.scans;
    expect(names(run(`SELECT Name FROM Account WHERE Id = '${IDS.globex}' AND Name != null`))).toEqual(['globex']);
    expect(f.store.scans).toBe(before);
    expect(names(run(`SELECT Name FROM Account WHERE Id = '${IDS.globex}' AND Name = 'x'`))).toEqual([]);
    expect(names(run(`SELECT Name FROM Account WHERE Id = '${IDS.globex}' OR Name = 'Acme' ORDER BY Name`))).toEqual([
      'Acme',
      'globex',
    ]);
  });
});

describe('relative date literals (now = Sunday 2026-03-01T12:00Z)', () => {
  const cases: Array<[string, unknown[]]> = [
    ['Submitted_On__c = TODAY', ['L-002']],
    ['Submitted_On__c = YESTERDAY', ['L-001']],
    ['Submitted_On__c = TOMORROW', []],
    ['Submitted_On__c < TODAY', ['L-001', 'L-003']],
    ['Submitted_On__c <= TODAY', ['L-001', 'L-002', 'L-003']],
    ['Submitted_On__c > YESTERDAY', ['L-002']],
    ['Submitted_On__c >= YESTERDAY', ['L-001', 'L-002']],
    ['Submitted_On__c != TODAY', ['L-001', 'L-003', 'L-004']],
    ['Submitted_On__c = LAST_N_DAYS:1', ['L-001', 'L-002']],
    ['Submitted_On__c = LAST_N_DAYS:50', ['L-001', 'L-002', 'L-003']],
    ['Submitted_On__c = N_DAYS_AGO:1', ['L-001']],
    ['Submitted_On__c = NEXT_N_DAYS:5', []],
    ['Submitted_On__c = THIS_WEEK', ['L-002']],
    ['Submitted_On__c = LAST_WEEK', ['L-001']],
    ['Submitted_On__c = THIS_MONTH', ['L-002']],
    ['Submitted_On__c = LAST_MONTH', ['L-001']],
    ['Submitted_On__c = THIS_YEAR', ['L-001', 'L-002', 'L-003']],
    ['Submitted_On__c = LAST_YEAR', []],
    ['Submitted_On__c = LAST_90_DAYS', ['L-001', 'L-002', 'L-003']],
    ['Submitted_On__c = THIS_QUARTER', ['L-001', 'L-002', 'L-003']],
    ['Submitted_On__c IN (TODAY, LAST_MONTH)', ['L-001', 'L-002']],
    ['CreatedDate = TODAY', ['L-002']],
    ['CreatedDate = LAST_N_DAYS:1', ['L-001', 'L-002']],
    ['CreatedDate < THIS_YEAR', ['L-004']],
    ['CreatedDate = LAST_N_MONTHS:2', ['L-001', 'L-003']],
  ];
  it.each(cases)('%s', (condition, expected) => {
    expect(names(run(`SELECT Name FROM Loan_Application__c WHERE ${condition} ORDER BY Name`))).toEqual(expected);
  });

  it('evaluates datetime boundaries in UTC at the exact day edge', () => {
    const justAfterMidnight = new Date('2026-03-01T00:00:00.000Z');
    expect(
      names(run('SELECT Name FROM Account WHERE CreatedDate = TODAY', f.admin, { now: justAfterMidnight })),
    ).toEqual(['globex']);
    expect(
      names(run('SELECT Name FROM Account WHERE CreatedDate = YESTERDAY', f.admin, { now: justAfterMidnight })),
    ).toEqual([]);
    expect(
      names(
        run('SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:2 ORDER BY Name', f.admin, {
          now: justAfterMidnight,
        }),
      ),
    ).toEqual(['Acme', 'globex']);
    expect(
      names(run('SELECT Name FROM Account WHERE CreatedDate = LAST_YEAR', f.admin, { now: justAfterMidnight })),
    ).toEqual(['Initech']);
  });
});

describe('ORDER BY, LIMIT, OFFSET', () => {
  const cases: Array<[string, unknown[]]> = [
    ['SELECT Name FROM Account ORDER BY Name', ['Acme', 'globex', 'Hidden Corp', 'Initech']],
    ['SELECT Name FROM Account ORDER BY Name DESC', ['Initech', 'Hidden Corp', 'globex', 'Acme']],
    ['SELECT Name FROM Account ORDER BY AnnualRevenue', ['Initech', 'Hidden Corp', 'Acme', 'globex']],
    ['SELECT Name FROM Account ORDER BY AnnualRevenue NULLS LAST', ['Hidden Corp', 'Acme', 'globex', 'Initech']],
    ['SELECT Name FROM Account ORDER BY AnnualRevenue DESC', ['globex', 'Acme', 'Hidden Corp', 'Initech']],
    ['SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS FIRST', ['Initech', 'globex', 'Acme', 'Hidden Corp']],
    ['SELECT Name FROM Account ORDER BY Owner.Name, Name DESC', ['Hidden Corp', 'globex', 'Initech', 'Acme']],
    ['SELECT Name FROM Loan_Application__c ORDER BY Status__c', ['L-004', 'L-002', 'L-001', 'L-003']],
    ['SELECT Name FROM Account ORDER BY Name LIMIT 2', ['Acme', 'globex']],
    ['SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1', ['globex', 'Hidden Corp']],
    ['SELECT Name FROM Account ORDER BY Name OFFSET 3', ['Initech']],
    ['SELECT Name FROM Account ORDER BY Name LIMIT 0', []],
  ];
  it.each(cases)('%s', (soql, expected) => {
    expect(names(run(soql))).toEqual(expected);
  });
});

describe('COUNT() and aggregates', () => {
  it('COUNT() returns the count as totalSize and no records', () => {
    expect(run('SELECT COUNT() FROM Account')).toEqual({ totalSize: 4, records: [] });
    expect(run('SELECT COUNT() FROM Account', f.analyst)).toEqual({ totalSize: 3, records: [] });
    expect(run("SELECT COUNT() FROM Account WHERE Name LIKE 'a%'")).toEqual({ totalSize: 1, records: [] });
    expect(run('SELECT COUNT() FROM Account LIMIT 2')).toEqual({ totalSize: 2, records: [] });
  });

  it('aggregates without GROUP BY return one row, even over no rows', () => {
    expect(
      run(
        'SELECT COUNT(Id), COUNT(Industry) c, COUNT_DISTINCT(OwnerId), SUM(AnnualRevenue), AVG(NumberOfEmployees), MIN(CreatedDate), MAX(Name) FROM Account',
      ).records,
    ).toEqual([
      {
        attributes: { type: 'AggregateResult' },
        expr0: 4,
        c: 3,
        expr1: 2,
        expr2: 17001.5,
        expr3: 140.25,
        expr4: '2025-12-31T23:59:59.000+0000',
        expr5: 'Initech',
      },
    ]);
    expect(run("SELECT COUNT(Id), SUM(AnnualRevenue) FROM Account WHERE Name = 'none'").records).toEqual([
      { attributes: { type: 'AggregateResult' }, expr0: 0, expr1: null },
    ]);
  });

  it('groups, filters with HAVING and orders by aggregates', () => {
    const r = run(
      'SELECT Owner.Name, COUNT(Id) n, SUM(AnnualRevenue) FROM Account GROUP BY Owner.Name HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC, Owner.Name',
    );
    expect(r).toEqual({
      totalSize: 2,
      records: [
        { attributes: { type: 'AggregateResult' }, Name: 'Ada Admin', n: 2, expr0: 12001.5 },
        { attributes: { type: 'AggregateResult' }, Name: 'Ana Analyst', n: 2, expr0: 5000 },
      ],
    });
    const restricted = run(
      'SELECT Owner.Name, COUNT(Id) n FROM Account GROUP BY Owner.Name HAVING COUNT(Id) > 1',
      f.analyst,
    );
    expect(restricted.records).toEqual([{ attributes: { type: 'AggregateResult' }, Name: 'Ana Analyst', n: 2 }]);
  });

  it('supports HAVING on grouped fields, MIN/MAX of dates and GROUP BY without aggregates', () => {
    expect(
      run(
        'SELECT Status__c, MIN(Submitted_On__c) FROM Loan_Application__c GROUP BY Status__c HAVING Status__c != null ORDER BY Status__c',
      ).records,
    ).toEqual([
      { attributes: { type: 'AggregateResult' }, Status__c: 'Draft', expr0: '2026-03-01' },
      { attributes: { type: 'AggregateResult' }, Status__c: 'Submitted', expr0: '2026-02-28' },
      { attributes: { type: 'AggregateResult' }, Status__c: 'Approved', expr0: '2026-01-10' },
    ]);
    expect(run('SELECT Industry FROM Account GROUP BY Industry ORDER BY Industry LIMIT 2 OFFSET 1').records).toEqual([
      { attributes: { type: 'AggregateResult' }, Industry: 'Banking' },
      { attributes: { type: 'AggregateResult' }, Industry: 'Retail' },
    ]);
    expect(
      run(
        'SELECT Is_Priority__c, COUNT(Id) total FROM Loan_Application__c GROUP BY Is_Priority__c HAVING COUNT(Id) >= 3',
      ).records,
    ).toEqual([{ attributes: { type: 'AggregateResult' }, Is_Priority__c: false, total: 3 }]);
  });
});

describe('security: the engine runs as the user', () => {
  it('hides records the user cannot read, in rows, children, semi-joins and parents', () => {
    expect(names(run('SELECT Name FROM Account ORDER BY Name', f.analyst))).toEqual(['Acme', 'globex', 'Initech']);
    expect(
      names(run('SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) ORDER BY Name', f.analyst)),
    ).toEqual(['Acme']);
    const carol = run("SELECT LastName, Account.Name FROM Contact WHERE LastName LIKE 'Carol%'", f.analyst).records[0]!;
    expect(carol['Account']).toBeNull();
    expect(run('SELECT LastName, Account.Name FROM Contact', f.admin).records).toHaveLength(3);
  });

  it('returns deleted rows only for queryAll', () => {
    expect(names(run("SELECT Name FROM Loan_Application__c WHERE Name LIKE 'L-DEL'"))).toEqual([]);
    expect(
      names(run("SELECT Name FROM Loan_Application__c WHERE Name LIKE 'L-DEL'", f.admin, { includeDeleted: true })),
    ).toEqual(['L-DEL']);
    expect(run(`SELECT Name FROM Loan_Application__c WHERE Id = '${IDS.loanDeleted}'`).totalSize).toBe(0);
    expect(
      run(`SELECT Name FROM Loan_Application__c WHERE Id = '${IDS.loanDeleted}'`, f.admin, { includeDeleted: true })
        .totalSize,
    ).toBe(1);
  });

  it('a cached plan is not reused after the user loses access to a field', () => {
    expect(run('SELECT Id, Email FROM Contact', f.analyst).totalSize).toBe(3);
    f.analyst.rules = { ...f.analyst.rules, hiddenFields: [...(f.analyst.rules.hiddenFields ?? []), 'Contact.Email'] };
    expect(error('SELECT Id, Email FROM Contact', f.analyst).errorCode).toBe('INVALID_FIELD');
  });

  it('plans are per user', () => {
    expect(run('SELECT Id, Secret__c FROM Account').totalSize).toBe(4);
    expect(error('SELECT Id, Secret__c FROM Account', f.analyst).errorCode).toBe('INVALID_FIELD');
  });

  it('WITH SECURITY_ENFORCED and WITH USER_MODE are accepted', () => {
    expect(run('SELECT Name FROM Account WITH SECURITY_ENFORCED', f.analyst).totalSize).toBe(3);
    expect(run('SELECT Name FROM Account WITH USER_MODE', f.analyst).totalSize).toBe(3);
  });

  it('USING SCOPE mine keeps the user-owned rows', () => {
    expect(names(run('SELECT Name FROM Account USING SCOPE mine ORDER BY Name', f.analyst))).toEqual([
      'Acme',
      'Initech',
    ]);
  });
});
