import { describe, expect, it } from 'vitest';
import { baselineInputs, baselineRegexCheck, checkSoql } from '../../../src/governance/soql-guard/index.ts';
import { loadIndex } from '../../fixtures/describe/load.ts';

const officer = loadIndex('officer');
const { allowed, full } = baselineInputs(officer, loadIndex('underwriter'));
const baseline = (soql: string) => baselineRegexCheck(soql, allowed, full);

describe('baselineRegexCheck (the seed post, ported for comparison only)', () => {
  it("reproduces the post's three published results", () => {
    expect(baseline("SELECT Id, Name, Amount__c FROM Loan_Application__c WHERE Status__c = 'Open'")).toEqual({
      allowed: true,
      violations: [],
    });
    expect(baseline('SELECT Id, Risk_Tier__c, Reviewed_By__c FROM Loan_Application__c')).toEqual({
      allowed: false,
      violations: ['Reviewed_By__c', 'Risk_Tier__c'],
    });
    expect(baseline('SELECT Id, Name FROM Loan_Application__c ORDER BY Risk_Tier__c DESC').violations).toEqual([
      'Risk_Tier__c',
    ]);
    expect(baseline('SELECT Id FROM Credit_Review__c').violations).toEqual(['object not permitted: Credit_Review__c']);
  });

  // Each of these leaks through the baseline and is blocked by checkSoql.
  it.each([
    ['(a) letter case', 'SELECT Id, risk_tier__c FROM Loan_Application__c'],
    ['(b) parent traversal', 'SELECT Account.Risk_Tier__c FROM Contact'],
    ['(b) hidden lookup, visible target', 'SELECT Reviewed_By__r.Name FROM Loan_Application__c'],
    [
      '(c) semi-join',
      "SELECT Id FROM Account WHERE Id IN (SELECT Account__c FROM Loan_Application__c WHERE Underwriter_Notes__c LIKE '%fraud%')",
    ],
    ['(d) FIELDS(ALL)', 'SELECT FIELDS(ALL) FROM Loan_Application__c LIMIT 200'],
    ['(e) TYPEOF', 'SELECT TYPEOF What WHEN Loan_Application__c THEN Credit_Score__c END FROM Task'],
    ['(f) field missing from the full describe', 'SELECT Id, Approval_Probability__c FROM Loan_Application__c'],
  ])('%s leaks through the baseline only', (_name, soql) => {
    expect(baseline(soql).allowed).toBe(true);
    expect(checkSoql(soql, officer).allowed).toBe(false);
  });

  it('(c) the first-FROM parser refuses every child subquery, even a benign one', () => {
    const soql = 'SELECT Name, (SELECT Id FROM Contacts) FROM Account';
    expect(baseline(soql).violations).toEqual(['object not permitted: Contacts']);
    expect(checkSoql(soql, officer).allowed).toBe(true);
  });

  it('(g) a restricted name inside a string literal is a baseline false positive', () => {
    const soql = "SELECT Id FROM Loan_Application__c WHERE Notes__c = 'ask about Risk_Tier__c'";
    expect(baseline(soql).allowed).toBe(false);
    expect(checkSoql(soql, officer).allowed).toBe(true);
  });

  it('(h) the baseline adds no row cap; the guard does', () => {
    expect(baseline('SELECT Id FROM Account')).toEqual({ allowed: true, violations: [] });
    expect(checkSoql('SELECT Id FROM Account', officer).query).toBe('SELECT Id FROM Account LIMIT 200');
  });
});
