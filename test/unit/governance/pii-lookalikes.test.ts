/**
 * Look-alikes that must survive pattern masking, generated rather than hand-picked: Salesforce record IDs of any
 * realistic shape (15 and 18 characters, digit-heavy counters) and ordinary business numbers. Masking one of them
 * would break the tool calls that carry it, so each counts as a false positive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumSuffix } from '../../../src/emulator/org/ids.ts';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';

const found = (text: string): Array<[string, string]> =>
  detectAll(text, BUILTIN_DETECTORS).map((d) => [d.type, text.slice(d.start, d.end)]);

const DIGITS = '0123456789';
const BASE62 = `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz`;
/** Standard and custom key prefixes as they appear in real orgs. */
const PREFIXES = [
  '001',
  '003',
  '005',
  '006',
  '00Q',
  '00T',
  '00U',
  '00D',
  '01p',
  '0Q0',
  '500',
  '701',
  '800',
  '801',
  'a00',
  'a0B',
  'a1X',
  'a2f',
];

/** Early records have all-digit counters; later ones mix in letters. Both must survive. */
const counter = fc.oneof(
  fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 9, maxLength: 9 }),
  fc.string({ unit: fc.constantFrom(...BASE62), minLength: 9, maxLength: 9 }),
);
const pod = fc.oneof(fc.constant('00'), fc.string({ unit: fc.constantFrom(...BASE62), minLength: 2, maxLength: 2 }));

const recordId = fc
  .tuple(fc.constantFrom(...PREFIXES), pod, counter, fc.boolean())
  .map(([prefix, instance, count, long]) => {
    const id15 = `${prefix}${instance}0${count}`;
    return long ? id15 + checksumSuffix(id15) : id15;
  });

const CONTEXTS = [
  (id: string) => id,
  (id: string) => `Record ${id} was updated.`,
  (id: string) => `{"Id":"${id}","attributes":{"type":"Account"}}`,
  (id: string) => `/lightning/r/Account/${id}/view`,
  (id: string) => `SELECT Id FROM Contact WHERE AccountId = '${id}'`,
  (id: string) => `ids: ${id}, ${id}`,
];

describe('pattern masking leaves look-alikes alone', () => {
  it('never masks a Salesforce record ID, whatever its counter and context', () => {
    fc.assert(
      fc.property(recordId, fc.constantFrom(...CONTEXTS), (id, context) => {
        expect(found(context(id))).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['an 18-character ID with an all-digit counter', 'Account 001000000000001AAA'],
    ['its 15-character form', 'Account 001000000000001'],
    ['a task ID', 'Task 00T300000012345AAA'],
    ['a case number', 'Case 00012345'],
  ])('keeps %s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });

  it('still finds international phone numbers written with 00 and separators', () => {
    expect(found('call 0044 20 7946 0958 today')).toEqual([['PHONE', '0044 20 7946 0958']]);
    expect(found('reach me at +44 20 7946 0958')).toEqual([['PHONE', '+44 20 7946 0958']]);
  });
});
