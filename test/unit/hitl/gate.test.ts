import { describe, expect, it } from 'vitest';
import { requirement } from '../../../src/hitl/gate.ts';

const policy = JSON.stringify({ requireApprovalWhen: [{ path: 'amount', op: '>', value: 100 }] });
const cap = (
  mode: '' | 'Confirmation' | 'Approval' | 'ConfirmationThenApproval' | 'ConditionalApproval',
  ApprovalPolicy__c = '',
) => ({ HITLMode__c: mode, ApprovalPolicy__c });

describe('requirement', () => {
  it('follows the capability mode, whatever the model says', () => {
    expect(requirement(cap(''), {}, false)).toBeNull();
    expect(requirement(cap('Confirmation'), {}, false)?.type).toBe('Confirmation');
    expect(requirement(cap('Approval'), {}, false)?.type).toBe('Approval');
    expect(requirement(cap('ConfirmationThenApproval'), {}, false)?.type).toBe('ConfirmationThenApproval');
  });

  it('lets the model raise the requirement but never lower it', () => {
    expect(requirement(cap(''), {}, true)?.type).toBe('Approval');
    expect(requirement(cap('Confirmation'), {}, true)?.type).toBe('ConfirmationThenApproval');
    expect(requirement(cap('ConditionalApproval', policy), { amount: 5 }, true, 'odd')).toEqual({
      type: 'ConditionalApproval',
      reasons: ['The assistant asked for approval: odd'],
    });
    expect(requirement(cap('ConditionalApproval', policy), { amount: 500 }, false)?.reasons).toEqual([
      expect.stringMatching(/^Policy: amount > 100/),
    ]);
    expect(requirement(cap('ConditionalApproval', policy), { amount: 5 }, false)).toBeNull();
  });

  it('fails closed on a broken policy', () => {
    expect(requirement(cap('ConditionalApproval', '{oops'), { amount: 5 }, false)?.type).toBe('ConditionalApproval');
  });
});
