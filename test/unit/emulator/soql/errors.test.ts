import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import type { UserAccess } from '../../../../src/emulator/org/model.ts';
import { clearQueryCache, executeQuery } from '../../../../src/emulator/soql/index.ts';
import { createSoqlFixture } from '../../../support/soql-fixture.ts';
import type { SoqlFixture } from '../../../support/soql-fixture.ts';

let f: SoqlFixture;
beforeEach(() => {
  clearQueryCache();
  f = createSoqlFixture();
});

function error(soql: string, access?: UserAccess): ApiError {
  try {
    executeQuery(soql, f.ctx(access ?? f.analyst));
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error(`expected ${soql} to fail`);
}

const noSuchColumn = (field: string, entity: string): string =>
  `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;
const badRelationship = (name: string): string =>
  `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`;

describe('Salesforce error format', () => {
  it('reproduces the excerpt, caret and row/column prefix for INVALID_FIELD', () => {
    const e = error('SELECT Id, Risk_Tier__c FROM Loan_Application__c');
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toBe(
      `\nSELECT Id, Risk_Tier__c FROM Loan_Application__c\n           ^\nERROR at Row:1:Column:12\n${noSuchColumn('Risk_Tier__c', 'Loan_Application__c')}`,
    );
    expect(e.toBody()).toEqual([{ message: e.message, errorCode: 'INVALID_FIELD' }]);
  });

  it('treats an unknown field and a hidden field identically', () => {
    const hidden = error('SELECT Id, Risk_Tier__c FROM Loan_Application__c');
    const unknown = error(
      'SELECT Id, Risk_Tier__c FROM Loan_Application__c'.replace('Risk_Tier__c', 'Risk_Tixr__c'),
      f.admin,
    );
    expect(unknown.message.replaceAll('Risk_Tixr__c', 'Risk_Tier__c')).toBe(hidden.message);
  });

  it('shows a window of the query, a correctly placed caret and the row for later lines', () => {
    const soql = 'SELECT Id, Name, Amount__c, Status__c, Risk_Tier__c FROM Loan_Application__c';
    const e = error(soql);
    const col = soql.indexOf('Risk_Tier__c') + 1;
    expect(e.message).toContain(`ERROR at Row:1:Column:${col}\n`);
    const [, slice, caret] = e.message.split('\n');
    expect(slice!.slice(caret!.length - 1).startsWith('Risk_Tier__c')).toBe(true);
    expect(slice!.length).toBeLessThan(soql.length);
    const multi = error('SELECT Id\nFROM Loan_Application__c\nWHERE Risk_Tier__c = null');
    expect(multi.message.startsWith('\nWHERE Risk_Tier__c = null\n      ^\nERROR at Row:3:Column:7\n')).toBe(true);
  });

  it('reports an unreadable object as INVALID_TYPE in the query format', () => {
    const e = error('SELECT Id FROM Secret_Project__c');
    expect(e.errorCode).toBe('INVALID_TYPE');
    expect(e.message).toBe(
      "\nSELECT Id FROM Secret_Project__c\n               ^\nERROR at Row:1:Column:16\nsObject type 'Secret_Project__c' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    );
    expect(error('SELECT Id FROM Nope__c', f.admin).errorCode).toBe('INVALID_TYPE');
  });
});

describe('a hidden field is invisible in every clause', () => {
  const cases: Array<[string, string, string]> = [
    [
      'SELECT Id FROM Loan_Application__c WHERE Risk_Tier__c = null',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Id FROM Loan_Application__c ORDER BY Risk_Tier__c',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Risk_Tier__c, COUNT(Id) FROM Loan_Application__c GROUP BY Risk_Tier__c',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT COUNT(Id) FROM Loan_Application__c GROUP BY Risk_Tier__c',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Status__c FROM Loan_Application__c GROUP BY Status__c HAVING MAX(Risk_Tier__c) != null',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT COUNT(Risk_Tier__c) FROM Loan_Application__c',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT toLabel(Risk_Tier__c) FROM Loan_Application__c',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      "SELECT Id FROM Loan_Application__c WHERE toLabel(Risk_Tier__c) = 'High'",
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Id, (SELECT Risk_Tier__c FROM Loan_Applications__r) FROM Contact',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      "SELECT Id, (SELECT Id FROM Loan_Applications__r WHERE Risk_Tier__c = 'High') FROM Contact",
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Id, (SELECT Id FROM Loan_Applications__r ORDER BY Risk_Tier__c) FROM Contact',
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Id FROM User WHERE Id IN (SELECT Reviewed_By__c FROM Loan_Application__c)',
      'INVALID_FIELD',
      noSuchColumn('Reviewed_By__c', 'Loan_Application__c'),
    ],
    [
      "SELECT Id FROM Contact WHERE Id IN (SELECT Applicant__c FROM Loan_Application__c WHERE Risk_Tier__c = 'High')",
      'INVALID_FIELD',
      noSuchColumn('Risk_Tier__c', 'Loan_Application__c'),
    ],
    [
      'SELECT Applicant__r.Account.Secret__c FROM Loan_Application__c',
      'INVALID_FIELD',
      noSuchColumn('Secret__c', 'Account'),
    ],
    ["SELECT Id FROM Contact WHERE Account.Secret__c = 'x'", 'INVALID_FIELD', noSuchColumn('Secret__c', 'Account')],
    ['SELECT Id FROM Contact ORDER BY Account.Secret__c', 'INVALID_FIELD', noSuchColumn('Secret__c', 'Account')],
    ['SELECT Id, Reviewed_By__r.Name FROM Loan_Application__c', 'INVALID_FIELD', badRelationship('Reviewed_By__r')],
    [
      "SELECT Id FROM Loan_Application__c WHERE Reviewed_By__r.Name = 'x'",
      'INVALID_FIELD',
      badRelationship('Reviewed_By__r'),
    ],
    [
      'SELECT Id FROM Loan_Application__c ORDER BY Reviewed_By__r.Name',
      'INVALID_FIELD',
      badRelationship('Reviewed_By__r'),
    ],
    [
      'SELECT Reviewed_By__r.Name, COUNT(Id) FROM Loan_Application__c GROUP BY Reviewed_By__r.Name',
      'INVALID_FIELD',
      badRelationship('Reviewed_By__r'),
    ],
    [
      'SELECT Id, TYPEOF What WHEN Account THEN Secret__c END FROM Task',
      'INVALID_FIELD',
      noSuchColumn('Secret__c', 'Account'),
    ],
    ['SELECT Id FROM Task WHERE What.Secret__c = null', 'INVALID_FIELD', noSuchColumn('Secret__c', 'Name')],
    ['SELECT Id, Bogus.Name FROM Account', 'INVALID_FIELD', badRelationship('Bogus')],
  ];
  it.each(cases)('%s', (soql, code, detail) => {
    const e = error(soql);
    expect(e.errorCode).toBe(code);
    expect(e.message).toMatch(/^\n.*\n *\^\nERROR at Row:\d+:Column:\d+\n/);
    expect(e.message.endsWith(`\n${detail}`)).toBe(true);
  });

  it('the same queries succeed for the privileged user', () => {
    for (const [soql] of cases.slice(0, 21)) expect(() => executeQuery(soql, f.ctx(f.admin))).not.toThrow();
  });

  it('hidden objects are invisible as child relationships and semi-join sources', () => {
    const child = error('SELECT Id, (SELECT Id FROM Secret_Projects__r) FROM Account');
    expect(child.errorCode).toBe('INVALID_TYPE');
    expect(child.message).toContain("Didn't understand relationship 'Secret_Projects__r' in FROM part of query call.");
    expect(error('SELECT Id FROM Account WHERE Id IN (SELECT Account__c FROM Secret_Project__c)').errorCode).toBe(
      'INVALID_TYPE',
    );
    expect(error('SELECT Id, TYPEOF What WHEN Secret_Project__c THEN Name END FROM Task').errorCode).toBe(
      'INVALID_TYPE',
    );
  });
});

describe('malformed and unsupported queries', () => {
  const cases: Array<[string, string, string]> = [
    ['SELECT Id FROM', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    ['SELECT Id, FROM Account', 'MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['SELECT Id FROM Account WHERE Name = "x"', 'MALFORMED_QUERY', `unexpected token: '"'`],
    ['', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    ['DELETE FROM Account', 'MALFORMED_QUERY', 'unexpected token'],
    ['SELECT Id FROM Account FOR UPDATE', 'MALFORMED_QUERY', 'FOR UPDATE is not allowed in this context'],
    ['SELECT Industry FROM Account GROUP BY ROLLUP(Industry)', 'MALFORMED_QUERY', 'GROUP BY ROLLUP is not supported'],
    ['SELECT FORMAT(AnnualRevenue) FROM Account', 'MALFORMED_QUERY', 'FORMAT() is not supported'],
    [
      'SELECT Name, COUNT(Id) FROM Account GROUP BY Industry',
      'MALFORMED_QUERY',
      'Field must be grouped or aggregated: Name',
    ],
    ['SELECT Name, COUNT(Id) FROM Account', 'MALFORMED_QUERY', 'Field must be grouped or aggregated: Name'],
    ['SELECT Name n FROM Account', 'MALFORMED_QUERY', 'Only aggregate expressions use field aliasing'],
    ['SELECT Name, Name FROM Account', 'MALFORMED_QUERY', 'duplicate field selected: Name'],
    ['SELECT Id FROM Account OFFSET 2001', 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000'],
    [
      'SELECT FIELDS(CUSTOM) FROM Account LIMIT 201',
      'MALFORMED_QUERY',
      'The SOQL FIELDS function must have a LIMIT of at most 200',
    ],
    ['SELECT SUM(Name) FROM Account', 'MALFORMED_QUERY', 'field Name does not support aggregate operator SUM'],
    [
      'SELECT Id, (SELECT COUNT(Id) FROM Contacts) FROM Account',
      'MALFORMED_QUERY',
      'Aggregate functions cannot be used in a subquery',
    ],
    ['SELECT Id FROM Account ORDER BY COUNT(Id)', 'MALFORMED_QUERY', 'requires an aggregate query'],
    [
      "SELECT Id FROM Account WHERE AnnualRevenue = '5'",
      'INVALID_FIELD',
      "value of filter criterion for field 'AnnualRevenue' must be of type double and should not be enclosed in quotes",
    ],
    [
      'SELECT Id FROM Account WHERE Name = 5',
      'INVALID_FIELD',
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    ],
    [
      'SELECT Id FROM Loan_Application__c WHERE Submitted_On__c = 2026-01-01T00:00:00Z',
      'INVALID_FIELD',
      'must be of type date and should not be enclosed in quotes',
    ],
    [
      'SELECT Id FROM Account WHERE CreatedDate = 2026-01-01',
      'INVALID_FIELD',
      'must be of type dateTime and should not be enclosed in quotes',
    ],
    [
      "SELECT Id FROM Loan_Application__c WHERE Is_Priority__c = 'true'",
      'INVALID_FIELD',
      'must be of type boolean and should not be enclosed in quotes',
    ],
    ["SELECT Id FROM Account WHERE Id = 'abc'", 'INVALID_QUERY_FILTER_OPERATOR', 'invalid ID field: abc'],
    [
      "SELECT Id FROM Account WHERE Name INCLUDES ('a')",
      'INVALID_QUERY_FILTER_OPERATOR',
      'includes or excludes operator only valid on multipicklist field',
    ],
    ["SELECT Id FROM Account WHERE AnnualRevenue LIKE '5%'", 'INVALID_QUERY_FILTER_OPERATOR', 'invalid operator'],
    [
      'SELECT Id FROM Loan_Application__c WHERE Is_Priority__c > false',
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid operator on boolean field',
    ],
    ['SELECT Id FROM Account WHERE Name IN (SELECT Id FROM Contact)', 'INVALID_FIELD', 'Invalid semi join field'],
    [
      'SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)',
      'INVALID_FIELD',
      'semi join sub-selects can only select an Id or reference field',
    ],
    [
      'SELECT Id FROM Loan_Application__c ORDER BY Products__c',
      'INVALID_FIELD',
      "field 'Products__c' can not be sorted in a query call",
    ],
    [
      "SELECT Id FROM Account WHERE NOT NOT (NOT Name = 'x' AND Name = 'Acme')",
      'MALFORMED_QUERY',
      "unexpected token: 'NOT'",
    ],
    [
      'SELECT Id FROM Account WITH DATA CATEGORY Geography__c AT usa__c',
      'MALFORMED_QUERY',
      'WITH DATA CATEGORY is not supported',
    ],
  ];
  it.each(cases)('%s', (soql, code, detail) => {
    const e = error(soql, f.admin);
    expect(e.status).toBe(400);
    expect(e.errorCode).toBe(code);
    expect(e.message).toMatch(/^\n.*\n *\^\nERROR at Row:\d+:Column:\d+\n/);
    expect(e.message).toContain(detail);
  });

  it('places the caret on the unexpected token', () => {
    expect(error('SELECT Id, FROM Account', f.admin).message).toBe(
      "\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'",
    );
    expect(error('SELECT Id FROM', f.admin).message).toBe(
      "\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: '<EOF>'",
    );
  });
});
