import { describe, expect, it } from 'vitest';
import { DescribeIndex } from '../../../src/governance/describe.ts';
import { checkSoql, resetSoqlGuardCaches, soqlGuardCacheSizes } from '../../../src/governance/soql-guard/index.ts';
import type { SoqlVerdict } from '../../../src/governance/soql-guard/index.ts';
import { loadIndex } from '../../fixtures/describe/load.ts';

const officer = loadIndex('officer');
const underwriter = loadIndex('underwriter');

function blocked(soql: string, ...mentions: string[]): SoqlVerdict {
  const verdict = checkSoql(soql, officer);
  expect(verdict.allowed, `expected a block: ${soql}`).toBe(false);
  expect(verdict.query).toBeUndefined();
  expect(verdict.violations.length).toBeGreaterThan(0);
  for (const mention of mentions) expect(verdict.violations.join('\n')).toContain(mention);
  return verdict;
}

function allowed(soql: string, index = officer): SoqlVerdict {
  const verdict = checkSoql(soql, index);
  expect(verdict.violations, soql).toEqual([]);
  expect(verdict.allowed).toBe(true);
  expect(verdict.query).toBeDefined();
  return verdict;
}

describe('checkSoql: the seed post examples', () => {
  it('passes the clean query and blocks the SELECT and ORDER BY leaks', () => {
    allowed("SELECT Id, Name, Amount__c FROM Loan_Application__c WHERE Status__c = 'Open'");
    blocked('SELECT Id, Risk_Tier__c, Reviewed_By__c FROM Loan_Application__c', 'Risk_Tier__c', 'Reviewed_By__c');
    blocked('SELECT Id, Name FROM Loan_Application__c ORDER BY Risk_Tier__c DESC', 'ORDER BY', 'Risk_Tier__c');
  });
});

describe('checkSoql: bypasses of the regex check', () => {
  it('(a) letter case: hidden fields in any case are blocked, visible fields in any case are allowed', () => {
    blocked('select id, risk_tier__c from loan_application__c', 'risk_tier__c');
    blocked("SELECT Id FROM Loan_Application__c WHERE RISK_TIER__C = 'High'", 'RISK_TIER__C');
    const verdict = allowed("select ID, name, AMOUNT__C from LOAN_APPLICATION__C where status__C = 'Open'");
    expect(verdict.fieldPaths).toContain('Loan_Application__c.Amount__c');
    expect(verdict.objects).toEqual(['Loan_Application__c']);
  });

  it('(b) parent traversal at any depth and in any clause', () => {
    blocked('SELECT Account.Risk_Tier__c FROM Contact', 'Account.Risk_Tier__c', 'Account');
    blocked('SELECT Id, Applicant__r.SSN__c FROM Loan_Application__c', 'Applicant__r.SSN__c', 'Contact');
    blocked("SELECT Id FROM Loan_Application__c WHERE Applicant__r.SSN__c LIKE '123%'", 'WHERE');
    blocked('SELECT Id FROM Loan_Application__c ORDER BY Applicant__r.Account.Credit_Score__c', 'ORDER BY');
    blocked('SELECT Applicant__r.Account.Parent.Risk_Tier__c FROM Loan_Application__c', 'Risk_Tier__c');
    allowed('SELECT Applicant__r.Account.Owner.Manager.Name FROM Loan_Application__c');
  });

  it('(b) a hidden lookup blocks the hop even when the target object is readable', () => {
    blocked('SELECT Reviewed_By__r.Name FROM Loan_Application__c', 'Reviewed_By__r');
    blocked('SELECT Id FROM Loan_Application__c WHERE Reviewed_By__r.Email != null', 'Reviewed_By__r');
    blocked('SELECT Id FROM Loan_Document__c ORDER BY Verified_By__r.Name', 'Verified_By__r');
    expect(officer.object('User')).toBeDefined();
  });

  it('(b) a readable lookup to an unreadable object is blocked', () => {
    blocked('SELECT Owner.Profile.Name FROM Account', 'Profile');
  });

  it('(c) child subqueries are resolved on the child object, in every clause', () => {
    blocked('SELECT Name, (SELECT Risk_Tier__c FROM Loan_Applications__r) FROM Account', 'Risk_Tier__c');
    blocked(
      'SELECT Name, (SELECT Id FROM Loan_Applications__r WHERE Credit_Score__c > 700) FROM Account',
      'Credit_Score__c',
    );
    blocked(
      'SELECT Name, (SELECT Id FROM Loan_Applications__r ORDER BY Underwriter_Notes__c) FROM Account',
      'Underwriter_Notes__c',
    );
    blocked('SELECT Id, (SELECT Id FROM Credit_Reviews__r) FROM Loan_Application__c', 'Credit_Reviews__r');
    blocked('SELECT Id, (SELECT Id FROM Made_Up__r) FROM Loan_Application__c', 'Made_Up__r');
    const ok = allowed('SELECT Name, (SELECT Id, Amount__c FROM Loan_Applications__r) FROM Account');
    expect(ok.fieldPaths).toContain('Account.Loan_Applications__r.Amount__c');
  });

  it('(d) FIELDS() is refused in any form and position', () => {
    blocked('SELECT FIELDS(ALL) FROM Account LIMIT 200', 'FIELDS(ALL)');
    blocked('SELECT FIELDS(CUSTOM) FROM Loan_Application__c LIMIT 200', 'FIELDS(CUSTOM)');
    blocked('SELECT FIELDS(STANDARD) FROM Contact', 'FIELDS(STANDARD)');
    blocked('SELECT Id, (SELECT FIELDS(ALL) FROM Loan_Applications__r LIMIT 200) FROM Account', 'FIELDS(ALL)');
  });

  it('(e) TYPEOF: every WHEN and ELSE branch is checked on its own object', () => {
    blocked('SELECT TYPEOF What WHEN Loan_Application__c THEN Name, Risk_Tier__c END FROM Task', 'Risk_Tier__c');
    blocked('SELECT TYPEOF What WHEN Loan_Application__c THEN Name ELSE Risk_Tier__c END FROM Task', 'Risk_Tier__c');
    blocked('SELECT TYPEOF What WHEN Opportunity THEN Name END FROM Task', 'Opportunity');
    blocked('SELECT TYPEOF What WHEN Account THEN Name, Applicant__r.SSN__c END FROM Task');
    blocked('SELECT TYPEOF Reviewed_By__r WHEN User THEN Name END FROM Loan_Application__c', 'Reviewed_By__r');
    const ok = allowed(
      'SELECT TYPEOF What WHEN Account THEN Name, Industry WHEN Loan_Application__c THEN Amount__c END FROM Task',
    );
    expect(ok.fieldPaths).toContain('Task.What(Loan_Application__c).Amount__c');
  });

  it('(f) fields and objects missing from describe fail closed (stale describe, hallucinations)', () => {
    blocked('SELECT Id, Approval_Probability__c FROM Loan_Application__c', 'Approval_Probability__c');
    blocked('SELECT Id FROM Loan_Application__c WHERE Brand_New_Field__c = true', 'Brand_New_Field__c');
    blocked('SELECT Id FROM Credit_Review__c', 'Credit_Review__c');
    blocked('SELECT Id FROM Opportunity', 'Opportunity');
  });

  it('(g) a restricted name inside a string literal is not a false positive', () => {
    allowed("SELECT Id FROM Loan_Application__c WHERE Notes__c = 'Risk_Tier__c was discussed'");
    allowed("SELECT Id FROM Account WHERE Name LIKE '%SSN__c%'");
  });

  it('(h) a LIMIT is always enforced', () => {
    expect(allowed('SELECT Id FROM Account').query).toBe('SELECT Id FROM Account LIMIT 200');
  });
});

describe('checkSoql: every clause and expression', () => {
  it.each([
    ['GROUP BY', 'SELECT Risk_Tier__c, COUNT(Id) FROM Loan_Application__c GROUP BY Risk_Tier__c'],
    [
      'GROUP BY ROLLUP',
      'SELECT Status__c, COUNT(Id) FROM Loan_Application__c GROUP BY ROLLUP(Status__c, Risk_Tier__c)',
    ],
    [
      'GROUP BY CUBE',
      'SELECT Status__c, COUNT(Id) FROM Loan_Application__c GROUP BY CUBE(Status__c, Applicant__r.SSN__c)',
    ],
    [
      'HAVING',
      'SELECT Status__c, COUNT(Id) FROM Loan_Application__c GROUP BY Status__c HAVING MAX(Credit_Score__c) > 700',
    ],
    ['aggregate', 'SELECT MAX(Credit_Score__c) FROM Loan_Application__c'],
    ['aggregate', 'SELECT COUNT_DISTINCT(Reviewed_By__c) FROM Loan_Application__c'],
    ['date function', 'SELECT CALENDAR_YEAR(Birthdate), COUNT(Id) FROM Contact GROUP BY CALENDAR_YEAR(Birthdate)'],
    ['date function in WHERE', 'SELECT Id FROM Contact WHERE CALENDAR_MONTH(Birthdate) = 4'],
    ['toLabel', 'SELECT Id, toLabel(Risk_Tier__c) FROM Loan_Application__c'],
    ['toLabel in WHERE', "SELECT Id FROM Loan_Application__c WHERE toLabel(Risk_Tier__c) = 'High'"],
    ['convertCurrency', 'SELECT convertCurrency(Credit_Score__c) FROM Account'],
    ['FORMAT', 'SELECT FORMAT(Credit_Score__c) FROM Account'],
    ['nested functions', 'SELECT FORMAT(MAX(Credit_Score__c)) FROM Loan_Application__c'],
    ['ORDER BY function', 'SELECT Status__c FROM Loan_Application__c GROUP BY Status__c ORDER BY MAX(Credit_Score__c)'],
    [
      'OR branch',
      "SELECT Id FROM Loan_Application__c WHERE Status__c = 'Open' OR (Amount__c > 5 AND Risk_Tier__c = 'High')",
    ],
    ['NOT', "SELECT Id FROM Loan_Application__c WHERE NOT Risk_Tier__c = 'High'"],
    ['IN list', "SELECT Id FROM Loan_Application__c WHERE Risk_Tier__c IN ('High', 'Medium')"],
  ])('%s: %s', (_clause, soql) => {
    blocked(soql);
  });

  it.each([
    'SELECT Status__c, COUNT(Id) total FROM Loan_Application__c GROUP BY ROLLUP(Status__c, Purpose__c)',
    'SELECT Status__c, Purpose__c, SUM(Amount__c) FROM Loan_Application__c GROUP BY CUBE(Status__c, Purpose__c)',
    'SELECT Status__c, COUNT(Id) FROM Loan_Application__c GROUP BY Status__c HAVING SUM(Amount__c) > 10000',
    'SELECT CALENDAR_YEAR(Submitted_Date__c) yr, AVG(Amount__c) FROM Loan_Application__c GROUP BY CALENDAR_YEAR(Submitted_Date__c)',
    'SELECT Id, toLabel(Status__c), convertCurrency(Amount__c), FORMAT(Submitted_Date__c) FROM Loan_Application__c',
    "SELECT Id FROM Loan_Application__c WHERE Collateral_Types__c INCLUDES ('Vehicle;Property') AND Submitted_Date__c = LAST_N_DAYS:30",
    'SELECT COUNT() FROM Loan_Application__c',
    'SELECT Id FROM Loan_Application__c WITH SECURITY_ENFORCED',
    'SELECT Id FROM Loan_Application__c WITH USER_MODE',
    'SELECT Id, Owner.Name, What.Name, Who.Name FROM Task WHERE ActivityDate = TODAY ORDER BY Owner.Name NULLS LAST',
    'SELECT Id FROM Loan_Application__c USING SCOPE mine',
  ])('allows %s', (soql) => {
    allowed(soql);
  });
});

describe('checkSoql: semi-joins and anti-joins', () => {
  it('checks the inner query as a query on its own object', () => {
    blocked(
      "SELECT Id FROM Account WHERE Id IN (SELECT Account__c FROM Loan_Application__c WHERE Underwriter_Notes__c LIKE '%fraud%')",
      'semi-join',
      'Underwriter_Notes__c',
    );
    blocked(
      "SELECT Id FROM Account WHERE Id NOT IN (SELECT Account__c FROM Loan_Application__c WHERE Risk_Tier__c = 'High')",
    );
    blocked('SELECT Id, Name FROM User WHERE Id IN (SELECT Reviewed_By__c FROM Loan_Application__c)', 'Reviewed_By__c');
    blocked(
      'SELECT Id FROM Loan_Application__c WHERE Id IN (SELECT Loan_Application__c FROM Credit_Review__c)',
      'Credit_Review__c',
    );
    blocked(
      "SELECT Id FROM Account WHERE Name = 'x' AND Id IN (SELECT AccountId FROM Contact WHERE SSN__c != null)",
      'SSN__c',
    );
  });

  it('allows readable semi-joins and anti-joins and records the inner object', () => {
    const verdict = allowed(
      "SELECT Id FROM Account WHERE Id IN (SELECT Account__c FROM Loan_Application__c WHERE Status__c = 'Open') " +
        'AND Id NOT IN (SELECT AccountId FROM Contact WHERE Email = null)',
    );
    expect(verdict.objects).toEqual(['Account', 'Loan_Application__c', 'Contact']);
    expect(verdict.query).not.toMatch(/Loan_Application__c WHERE Status__c = 'Open' LIMIT/);
  });
});

describe('checkSoql: statements that are not a single SELECT', () => {
  it.each([
    'DELETE FROM Account',
    "UPDATE Account SET Name = 'x'",
    'FIND {Acme} IN ALL FIELDS RETURNING Account(Name)',
    'SELECT Id FROM Account; SELECT Id FROM Contact',
    'SELECT Id FROM Account -- comment',
    'SELECT FROM Account',
    'hello world',
    'SELECT Id FROM Account WHERE Id IN :ids',
    '   ',
    '',
  ])('refuses %j', (soql) => {
    blocked(soql);
  });

  it('refuses escalation and locking clauses, unknown functions and oversized text', () => {
    blocked('SELECT Id FROM Account WITH SYSTEM_MODE', 'SYSTEM_MODE');
    blocked('SELECT Id FROM Account FOR UPDATE', 'FOR UPDATE');
    blocked('SELECT Id FROM Account UPDATE TRACKING', 'UPDATE TRACKING');
    // Both write LastViewedDate / LastReferencedDate: a read-only tool must not run them.
    blocked('SELECT Name, Id FROM Contact LIMIT 1 FOR VIEW', 'FOR VIEW');
    blocked('SELECT Id FROM Account FOR REFERENCE', 'FOR REFERENCE');
    blocked('SELECT Id, (SELECT Id FROM Contacts) FROM Account FOR VIEW', 'FOR VIEW');
    blocked('SELECT Id FROM Loan_Application__c USING SCOPE mine FOR VIEW', 'FOR VIEW');
    blocked(`SELECT Id FROM Account WHERE Name = '${'x'.repeat(100_001)}'`, 'longer than');
  });

  it('never throws, whatever it is given', () => {
    expect(checkSoql(null as unknown as string, officer).allowed).toBe(false);
    expect(checkSoql('SELECT Id FROM Account', null as unknown as typeof officer).allowed).toBe(false);
    expect(checkSoql('SELECT Id FROM Account', officer, { rowCap: 0 }).violations[0]).toContain('row cap');
    expect(checkSoql('SELECT Id FROM Account', officer, { rowCap: 1.5 }).allowed).toBe(false);
  });
});

describe('checkSoql: aliases', () => {
  it('resolves the FROM alias and refuses aliases that shadow relationships', () => {
    const verdict = allowed("SELECT a.Name, a.Owner.Name FROM Account a WHERE a.Industry = 'Banking' ORDER BY a.Name");
    expect(verdict.fieldPaths).toEqual(['Account.Name', 'Account.Owner.Name', 'Account.Industry']);
    blocked('SELECT a.Risk_Tier__c FROM Account a', 'Risk_Tier__c');
    blocked('SELECT Reviewed_By__r.Name FROM Loan_Application__c Reviewed_By__r', 'alias');
    blocked('SELECT x.Name FROM Account a', "'x'");
  });
});

describe('checkSoql: row cap', () => {
  it('adds, lowers or keeps LIMIT and keeps OFFSET', () => {
    expect(allowed('SELECT Id FROM Account LIMIT 5000').query).toBe('SELECT Id FROM Account LIMIT 200');
    expect(allowed('SELECT Id FROM Account LIMIT 10').query).toBe('SELECT Id FROM Account LIMIT 10');
    expect(allowed('SELECT Id FROM Account LIMIT 300 OFFSET 40').query).toBe(
      'SELECT Id FROM Account LIMIT 200 OFFSET 40',
    );
    expect(checkSoql('SELECT Id FROM Account ORDER BY Name', officer, { rowCap: 25 }).query).toBe(
      'SELECT Id FROM Account ORDER BY Name LIMIT 25',
    );
  });

  it('drops WITH SECURITY_ENFORCED / USER_MODE (the composer misplaces them; REST enforces FLS anyway)', () => {
    expect(allowed('SELECT Id FROM Account WITH SECURITY_ENFORCED ORDER BY Name LIMIT 20 OFFSET 4').query).toBe(
      'SELECT Id FROM Account ORDER BY Name LIMIT 20 OFFSET 4',
    );
    expect(allowed('SELECT Id FROM Account WITH USER_MODE').query).toBe('SELECT Id FROM Account LIMIT 200');
    blocked('SELECT Id FROM Account WITH DATA CATEGORY Geography__c ABOVE usa__c', 'DATA CATEGORY');
  });

  it('caps child subqueries too, and the capped text passes the guard again', () => {
    const verdict = allowed(
      'SELECT Id, (SELECT Id FROM Documents__r), (SELECT Id FROM Tasks LIMIT 3) FROM Loan_Application__c',
    );
    expect(verdict.query).toBe(
      'SELECT Id, (SELECT Id FROM Documents__r LIMIT 200), (SELECT Id FROM Tasks LIMIT 3) FROM Loan_Application__c LIMIT 200',
    );
    expect(checkSoql(verdict.query ?? '', officer).allowed).toBe(true);
  });
});

describe('checkSoql: personas and caching', () => {
  it('allows the underwriter what the officer may not read', () => {
    const soql =
      'SELECT Risk_Tier__c, Reviewed_By__r.Name, Applicant__r.SSN__c, (SELECT Findings__c FROM Credit_Reviews__r) FROM Loan_Application__c';
    allowed(soql, underwriter);
    blocked(soql);
  });

  it('keeps at most 5,000 parses and 5,000 verdicts per describe index, and empties both on reset', () => {
    resetSoqlGuardCaches();
    const query = (n: number): string => `SELECT Id FROM Contact WHERE Name = 'n${n}'`;
    for (let n = 0; n <= 5_100; n++) checkSoql(query(n), officer);
    expect(soqlGuardCacheSizes(officer)).toEqual({ parses: 5_000, verdicts: 5_000 });
    expect(checkSoql(query(0), officer).query).toBe(`${query(0)} LIMIT 200`);
    resetSoqlGuardCaches();
    expect(soqlGuardCacheSizes(officer)).toEqual({ parses: 0, verdicts: 0 });
  });

  it('returns fresh copies from the cache', () => {
    const first = checkSoql('SELECT Id, Name FROM Contact', officer);
    first.violations.push('tampered');
    first.fieldPaths.length = 0;
    const second = checkSoql('SELECT Id, Name FROM Contact', officer);
    expect(second).toEqual({
      allowed: true,
      violations: [],
      objects: ['Contact'],
      fieldPaths: ['Contact.Id', 'Contact.Name'],
      resultFields: [
        { path: 'Id', sources: ['Contact.Id'] },
        { path: 'Name', sources: ['Contact.Name'] },
      ],
      query: 'SELECT Id, Name FROM Contact LIMIT 200',
    });
  });

  it('maps every selected field to its place in a result record and the object it comes from', () => {
    const child = checkSoql('SELECT Name, (SELECT Amount__c FROM Loan_Applications__r) FROM Account', officer);
    expect(child.resultFields).toContainEqual({
      path: 'Loan_Applications__r.Amount__c',
      sources: ['Loan_Application__c.Amount__c'],
    });
    const typed = checkSoql('SELECT TYPEOF What WHEN Loan_Application__c THEN Amount__c END FROM Task', officer);
    expect(typed.resultFields).toContainEqual({ path: 'What.Amount__c', sources: ['Loan_Application__c.Amount__c'] });
    const parent = checkSoql('SELECT Owner.Name FROM Account', officer);
    expect(parent.resultFields.find((entry) => entry.path === 'Owner.Name')?.sources.length).toBeGreaterThanOrEqual(1);
  });
});

describe('DescribeIndex', () => {
  it('looks names up case-insensitively and hides child relationships to unreadable objects', () => {
    expect(officer.field('loan_application__C', 'AMOUNT__C')?.name).toBe('Amount__c');
    expect(officer.parentRelationship('Loan_Application__c', 'applicant__R')?.name).toBe('Applicant__c');
    expect(officer.parentRelationship('Loan_Application__c', 'Reviewed_By__r')).toBeUndefined();
    expect(officer.childRelationship('Loan_Application__c', 'credit_reviews__r')).toBeUndefined();
    expect(underwriter.childRelationship('Loan_Application__c', 'credit_reviews__r')).toEqual({
      relationshipName: 'Credit_Reviews__r',
      childSObject: 'Credit_Review__c',
      field: 'Loan_Application__c',
    });
    expect(officer.objectForKeyPrefix('a01')?.name).toBe('Loan_Application__c');
  });

  it('rejects describe input that does not match the schema, naming the path', () => {
    expect(() => DescribeIndex.fromJson([{ name: 'Account', fields: [{ name: 'Id' }] }])).toThrow(/fields\[0\]\.type/);
    expect(() => DescribeIndex.fromJson({})).toThrow(/invalid describe input/);
  });
});

describe('checkSoql: deep but valid WHERE clauses', () => {
  const run = (verdict: SoqlVerdict): string => verdict.query ?? '';

  it('allows twelve redundant levels of parentheses around one condition', () => {
    const verdict = allowed(`SELECT Id FROM Account WHERE ${'('.repeat(12)}Name = 'Acme'${')'.repeat(12)}`);
    expect(run(verdict)).toContain("Name = 'Acme'");
  });

  it('allows twelve left-nested groups and keeps their meaning (each group still holds the same conditions)', () => {
    let where = "Name = 'a0'";
    for (let i = 1; i <= 12; i++) where = `(${where} ${i % 2 === 0 ? 'AND' : 'OR'} Name = 'a${i}')`;
    const verdict = allowed(`SELECT Id FROM Account WHERE ${where}`);
    // Rotated, not dropped: every condition is still there, and the groups still alternate OR / AND.
    for (let i = 0; i <= 12; i++) expect(run(verdict)).toContain(`Name = 'a${i}'`);
    expect(run(verdict)).toMatch(/\(Name = 'a12' AND \(Name = 'a11' OR \(Name = 'a10' AND/);
    expect(verdict.fieldPaths.sort()).toEqual(['Account.Id', 'Account.Name']);
  });

  it('allows twelve right-nested groups', () => {
    let where = "Name = 'z'";
    for (let i = 0; i < 12; i++) where = `(Name = 'a${i}' ${i % 2 === 0 ? 'AND' : 'OR'} ${where})`;
    allowed(`SELECT Id FROM Account WHERE ${where}`);
  });

  it('still blocks a hidden field deep inside the nesting', () => {
    let where = "Risk_Tier__c = 'High'";
    for (let i = 1; i <= 12; i++) where = `(${where} OR Name = 'a${i}')`;
    blocked(`SELECT Id FROM Account WHERE ${where}`, 'Risk_Tier__c');
  });

  it('allows a 2,000-term OR chain without overflowing the stack', () => {
    const terms = Array.from({ length: 2_000 }, (_, i) => `Name = 'n${i}'`);
    const verdict = allowed(`SELECT Id FROM Account WHERE ${terms.join(' OR ')}`);
    expect(run(verdict)).toContain("Name = 'n1999'");
    expect(run(verdict)).toMatch(/LIMIT 200$/);
  });
});
