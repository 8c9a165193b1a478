import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coerceFields,
  normalizeId,
  parseDate,
  parseDateTime,
  parseTime,
} from '../../../src/governance/coercion/index.ts';
import { loadDescribe, loadIndex } from '../../fixtures/describe/load.ts';

const officerIndex = loadIndex('officer');
const loan = loadDescribe('officer', 'Loan_Application__c');
const loanUnderwriter = loadDescribe('underwriter', 'Loan_Application__c');
const user = loadDescribe('officer', 'User');
const CONTACT_ID = '003xx000004TmiQAAS';
const required = { Applicant__c: CONTACT_ID, Amount__c: 1000 };

function one(field: string, value: unknown, describe = loan) {
  const result = coerceFields({ [field]: value }, describe, 'update', { index: officerIndex });
  return { value: result.values[Object.keys(result.values)[0] ?? ''], errors: result.errors };
}

describe('normalizeId', () => {
  it('converts 15 to 18 characters and validates the checksum', () => {
    expect(normalizeId('001xx000003DGb2')).toEqual({ ok: true, id: '001xx000003DGb2AAG' });
    expect(normalizeId('00DEM0000000001')).toEqual({ ok: true, id: '00DEM00000000012AA' });
    expect(normalizeId('001xx000003DGb2aag')).toEqual({ ok: true, id: '001xx000003DGb2AAG' });
    expect(normalizeId('001xx000003DGb2AAA').ok).toBe(false);
    expect(normalizeId('001xx000003DGb').ok).toBe(false);
    expect(normalizeId("001xx000003DG'2").ok).toBe(false);
  });
});

describe('coerceFields: access', () => {
  it('refuses hidden and unknown fields by name and suggests writable close matches', () => {
    const result = coerceFields({ Risk_Tier__c: 'High', Amount: 5, Stauts__c: 'Open' }, loan, 'update');
    expect(result.values).toEqual({});
    const messages = Object.fromEntries(result.errors.map((error) => [error.field, error.message]));
    expect(messages['Risk_Tier__c']).toMatch(/does not exist on Loan_Application__c or you cannot access it/);
    expect(messages['Amount']).toContain('Did you mean: Amount__c');
    expect(messages['Stauts__c']).toContain('Status__c');
    // Suggestions never reveal hidden fields.
    expect(result.errors.map((error) => error.message).join()).not.toMatch(/Risk_Tier__c\?|Credit_Score__c/);
  });

  it('refuses fields the user can read but not edit, and system fields', () => {
    expect(one('Interest_Rate__c', 5).errors[0]?.message).toMatch(/read-only for you/);
    expect(one('Interest_Rate__c', 5, loanUnderwriter).errors).toEqual([]);
    expect(one('Monthly_Payment__c', 10).errors[0]?.message).toMatch(/read-only/);
    expect(one('Id', '001xx000003DGb2AAG').errors[0]?.message).toMatch(/read-only/);
    expect(one('Name', 'x', user).errors.map((error) => error.field)).toEqual(['(object)', 'Name']);
  });

  it('on create, refuses fields that are not createable (formulas, system fields) and objects the user cannot create', () => {
    const formula = coerceFields({ ...required, Monthly_Payment__c: 10 }, loan, 'create', { index: officerIndex });
    expect(formula.errors.map((error) => [error.field, error.message])).toEqual([
      ['Monthly_Payment__c', expect.stringMatching(/read-only/)],
    ]);
    expect(formula.values).not.toHaveProperty('Monthly_Payment__c');
    const system = coerceFields(
      { ...required, Id: '001xx000003DGb2AAG', CreatedDate: '2026-01-01T00:00:00Z' },
      loan,
      'create',
      { index: officerIndex },
    );
    expect(system.errors.map((error) => error.field).sort()).toEqual(['CreatedDate', 'Id']);
    expect(coerceFields({ LastName: 'x' }, user, 'create').errors.map((error) => error.field)).toContain('(object)');
  });

  it('checks required fields on create, not on update, and refuses duplicate keys', () => {
    const missing = coerceFields({ Status__c: 'Draft' }, loan, 'create', { index: officerIndex });
    expect(missing.errors.map((error) => error.field).sort()).toEqual(['Amount__c', 'Applicant__c']);
    expect(coerceFields({ ...required, Status__c: 'Draft' }, loan, 'create', { index: officerIndex }).errors).toEqual(
      [],
    );
    expect(coerceFields({ Status__c: 'Draft' }, loan, 'update').errors).toEqual([]);
    const twice = coerceFields({ Status__c: 'Draft', status__c: 'Open' }, loan, 'update');
    expect(twice.errors[0]?.message).toContain('given twice');
    expect(coerceFields({ Amount__c: null }, loan, 'update').errors[0]?.message).toContain('required');
    expect(coerceFields({ Notes__c: null }, loan, 'update').values).toEqual({ Notes__c: null });
  });

  it('reports field names in canonical case', () => {
    expect(coerceFields({ amount__C: '12.5', IS_SECURED__C: 'yes' }, loan, 'update').values).toEqual({
      Amount__c: 12.5,
      Is_Secured__c: true,
    });
  });

  it('refuses non-object input without throwing', () => {
    expect(coerceFields([] as unknown as Record<string, unknown>, loan, 'update').errors[0]?.field).toBe('(object)');
  });
});

describe('coerceFields: values', () => {
  it.each([
    ['External_Ref__c', 'ABC-1', 'ABC-1'],
    ['External_Ref__c', 42, '42'],
    ['Status__c', 'open', 'Open'],
    ['Status__c', ' Submitted ', 'Submitted'],
    ['Collateral_Types__c', ['vehicle', 'Property', 'Vehicle'], 'Vehicle;Property'],
    ['Collateral_Types__c', 'Savings;equipment', 'Savings;Equipment'],
    ['Is_Secured__c', 'false', false],
    ['Is_Secured__c', 1, true],
    ['Amount__c', '$1,250.505', 1250.51],
    ['Amount__c', 99, 99],
    ['Term_Months__c', '36', 36],
    ['Submitted_Date__c', '2024-02-29', '2024-02-29'],
    ['Submitted_Date__c', '12/31/2024', '2024-12-31'],
    ['Submitted_Date__c', '31/12/2024', '2024-12-31'],
    ['Submitted_Date__c', '31.12.2024', '2024-12-31'],
    ['Submitted_Date__c', 'March 5, 2024', '2024-03-05'],
    ['Submitted_Date__c', '5 Sept 2024', '2024-09-05'],
    ['Preferred_Call_Time__c', '13:30', '13:30:00.000Z'],
    ['Preferred_Call_Time__c', '9:05 pm', '21:05:00.000Z'],
    ['Preferred_Call_Time__c', '12am', '00:00:00.000Z'],
    ['Applicant__c', '003xx000004TmiQ', '003xx000004TmiQAAS'],
    ['Account__c', '001xx000003DGb2AAG', '001xx000003DGb2AAG'],
    ['Contact_Email__c', ' ana@example.com ', 'ana@example.com'],
    ['Branch_Phone__c', '+1 (415) 555-0100 ext 12', '+1 (415) 555-0100 ext 12'],
    ['Document_URL__c', 'example.com/docs/1', 'https://example.com/docs/1'],
    ['Document_URL__c', 'https://example.com/a?b=c', 'https://example.com/a?b=c'],
  ])('%s <- %j', (field, input, expected) => {
    const result = one(field, input);
    expect(result.errors).toEqual([]);
    expect(result.value).toEqual(expected);
  });

  it('coerces datetimes with a zone and percentages for the underwriter', () => {
    const result = coerceFields(
      { Decision_Date__c: '2024-05-01 09:30:00+02:00', Interest_Rate__c: '7.125%' },
      loanUnderwriter,
      'update',
    );
    expect(result).toEqual({
      values: { Decision_Date__c: '2024-05-01T07:30:00.000Z', Interest_Rate__c: 7.125 },
      errors: [],
    });
  });

  it.each([
    ['External_Ref__c', 'x'.repeat(21), /maximum is 20/],
    ['External_Ref__c', { a: 1 }, /expected text, got an object/],
    ['Status__c', 'Pending', /use one of: Draft, Open, Submitted, Approved, Declined/],
    ['Collateral_Types__c', ['Vehicle', 'Boat'], /'Boat' is not an allowed value/],
    ['Is_Secured__c', 'maybe', /expected true or false/],
    ['Amount__c', 'a lot', /not a number/],
    ['Amount__c', 1e15, /too large/],
    ['Amount__c', '5%', /percentage/],
    ['Term_Months__c', Number.NaN, /finite/],
    ['Submitted_Date__c', '2023-02-29', /not a calendar date/],
    ['Submitted_Date__c', '05/04/2024', /ambiguous/],
    ['Submitted_Date__c', 'next tuesday', /use YYYY-MM-DD/],
    ['Preferred_Call_Time__c', '25:00', /not a valid time/],
    ['Applicant__c', '001xx000003DGb2AAG', /not an ID of Contact \(expected prefix 003\)/],
    ['Applicant__c', '003xx000004TmiQAAA', /checksum/],
    ['Applicant__c', 'Ana Lopez', /not a record ID/],
    ['Contact_Email__c', 'ana at example.com', /not an email address/],
    ['Branch_Phone__c', 'call me', /not a phone number/],
    ['Branch_Phone__c', '12', /not a phone number/],
    ['Document_URL__c', 'javascript:alert(1)', /http or https/],
    ['Document_URL__c', 'not a url', /not a URL/],
  ])('%s <- %j is refused precisely', (field, input, message) => {
    const result = one(field, input);
    expect(result.value).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.field).toBe(field);
    expect(result.errors[0]?.message).toMatch(message);
  });

  it('refuses datetimes without a zone and unverifiable custom-object IDs', () => {
    const decision = coerceFields({ Decision_Date__c: '2024-05-01T09:30:00' }, loanUnderwriter, 'update');
    expect(decision.errors[0]?.message).toMatch(/no time zone/);
    const doc = loadDescribe('officer', 'Loan_Document__c');
    const id = 'a01xx0000000001AAA';
    expect(coerceFields({ Loan_Application__c: id }, doc, 'update').errors[0]?.message).toMatch(/cannot verify/);
    expect(coerceFields({ Loan_Application__c: id }, doc, 'update', { index: officerIndex }).errors).toEqual([]);
  });
});

describe('parsers', () => {
  it('parse the documented forms', () => {
    expect(parseDate('2024-05-01T23:00:00Z')).toEqual({ ok: true, value: '2024-05-01' });
    expect(parseDateTime('2024-05-01T09:30Z')).toEqual({ ok: true, value: '2024-05-01T09:30:00.000Z' });
    expect(parseDateTime('2024-05-01T09:30:00.5-0500')).toEqual({ ok: true, value: '2024-05-01T14:30:00.500Z' });
    expect(parseTime('07:05:09.1')).toEqual({ ok: true, value: '07:05:09.100Z' });
    expect(parseDate('Mayo 1, 2024').ok).toBe(false);
  });
});

describe('coerceFields properties', () => {
  const writable = loan.fields.filter((field) => field.updateable).map((field) => field.name.toLowerCase());
  it('never drops a key silently: every input key is either a coerced value or an error', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(...loan.fields.map((field) => field.name)),
            fc.string({ minLength: 1, maxLength: 12 }),
          ),
          fc.anything(),
          {
            maxKeys: 6,
          },
        ),
        (input) => {
          const result = coerceFields(input, loan, 'update', { index: officerIndex });
          const valueKeys = Object.keys(result.values).map((key) => key.toLowerCase());
          for (const key of valueKeys) expect(writable).toContain(key);
          const erroredKeys = new Set(result.errors.map((error) => error.field.toLowerCase()));
          for (const key of Object.keys(input)) {
            expect(valueKeys.includes(key.toLowerCase()) || erroredKeys.has(key.toLowerCase())).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
