import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/hitl/policy.ts';

const policy = JSON.stringify({
  requireApprovalWhen: [
    { path: 'fields.Amount__c', op: '>', value: 50000 },
    { path: 'fields', hasAnyKey: ['Status__c'] },
  ],
});

describe('evaluatePolicy', () => {
  it('requires nothing below the threshold and without listed fields', () => {
    expect(evaluatePolicy(policy, { recordId: 'x', fields: { Amount__c: 27500 } })).toEqual({
      required: false,
      reasons: [],
    });
  });

  it('requires approval above the threshold, for listed fields (any case) and says why', () => {
    expect(evaluatePolicy(policy, { fields: { Amount__c: 60000 } }).reasons).toEqual([
      expect.stringContaining('fields.Amount__c > 50000'),
    ]);
    expect(evaluatePolicy(policy, { fields: { status__c: 'Approved' } })).toEqual({
      required: true,
      reasons: ['fields sets Status__c'],
    });
    expect(evaluatePolicy(policy, { FIELDS: { AMOUNT__C: '75000' } }).required).toBe(true);
  });

  it('fails closed on a value that is not a number', () => {
    expect(evaluatePolicy(policy, { fields: { Amount__c: 'a lot' } }).required).toBe(true);
  });

  it('fails closed on invalid JSON or an unknown rule shape', () => {
    expect(evaluatePolicy('{not json', {}).required).toBe(true);
    expect(evaluatePolicy('{"requireApprovalWhen":[{"path":"a","op":"~","value":1}]}', {}).required).toBe(true);
    expect(evaluatePolicy('{"requireApprovalWhen":[{"path":"a","matches":"("}]}', {}).required).toBe(true);
    expect(evaluatePolicy('{"rules":[]}', {}).required).toBe(true);
  });

  it('supports in, exists, matches, = and != and custom reasons', () => {
    const rules = JSON.stringify({
      requireApprovalWhen: [
        { path: 'status', in: ['Approved', 'Declined'] },
        { path: 'recordTypeId', exists: true, reason: 'record type changes need approval' },
        { path: 'body', matches: 'wire|transfer' },
        { path: 'currency', op: '!=', value: 'USD' },
        { path: 'urgent', op: '=', value: true },
      ],
    });
    expect(evaluatePolicy(rules, { status: 'approved', currency: 'USD' }).reasons).toEqual(['status is approved']);
    expect(evaluatePolicy(rules, { recordTypeId: '012', currency: 'USD' }).reasons).toEqual([
      'record type changes need approval',
    ]);
    expect(evaluatePolicy(rules, { body: 'please WIRE it', currency: 'USD' }).required).toBe(true);
    expect(evaluatePolicy(rules, { currency: 'EUR' }).required).toBe(true);
    expect(evaluatePolicy(rules, { currency: 'USD', urgent: true }).required).toBe(true);
    expect(evaluatePolicy(rules, { currency: 'usd', urgent: false }).required).toBe(false);
  });

  it('treats a blank policy as no rules', () => {
    expect(evaluatePolicy('  ', { anything: 1 }).required).toBe(false);
    expect(evaluatePolicy('{"requireApprovalWhen":[]}', { anything: 1 }).required).toBe(false);
  });
});
