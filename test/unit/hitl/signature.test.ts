import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentSigner, canonicalJson, type SignedAction } from '../../../src/hitl/signature.ts';

const KEY = 'k'.repeat(40);
const action: SignedAction = {
  executionId: 'a01000000000001AAA',
  turnId: 't-1',
  toolCallId: 'call_1',
  toolName: 'update_application',
  args: { recordId: 'a0A1', fields: { Amount__c: 27500 } },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for any key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });
});

describe('ArgumentSigner', () => {
  const signer = new ArgumentSigner(KEY);

  it('verifies what it signed, whatever the key order', () => {
    const stored = signer.sign(action);
    expect(stored).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(stored, { ...action, args: { fields: { Amount__c: 27500 }, recordId: 'a0A1' } })).toBe(true);
  });

  it('refuses changed arguments, another place, another key, or a malformed value', () => {
    const stored = signer.sign(action);
    expect(signer.verify(stored, { ...action, args: { ...action.args, fields: { Amount__c: 275000 } } })).toBe(false);
    expect(signer.verify(stored, { ...action, turnId: 't-2' })).toBe(false);
    expect(signer.verify(stored, { ...action, toolCallId: 'call_2' })).toBe(false);
    expect(signer.verify(stored, { ...action, toolName: 'delete_application' })).toBe(false);
    expect(new ArgumentSigner('x'.repeat(40)).verify(stored, action)).toBe(false);
    for (const bad of [null, undefined, '', 'v1', 'v2.' + stored.slice(3), stored + '.x', stored.slice(0, -1)])
      expect(signer.verify(bad, action)).toBe(false);
  });

  it('keeps both versions verifiable after an approver edit, within the 128-character field', () => {
    const reviewed = { ...action, args: { recordId: 'a0A1', fields: { Amount__c: 26000 } } };
    const stored = signer.signReviewed(signer.sign(action), reviewed);
    expect(stored.length).toBeLessThanOrEqual(128);
    expect(signer.verify(stored, action, reviewed)).toBe(true);
    expect(signer.verify(stored, action)).toBe(false);
    expect(
      signer.verify(stored, action, { ...reviewed, args: { recordId: 'a0A1', fields: { Amount__c: 99000 } } }),
    ).toBe(false);
  });

  it('rejects a short key', () => {
    expect(() => new ArgumentSigner('short')).toThrow(/at least 32/);
  });
});
