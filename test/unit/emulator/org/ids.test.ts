import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalId,
  checksumSuffix,
  idsEqual,
  IdGenerator,
  isValidId,
  makeId,
  normalizeId,
} from '../../../../src/emulator/org/ids.ts';
import { ApiError } from '../../../../src/emulator/org/model.ts';

describe('record ids', () => {
  it('computes the 18-character suffix of the wire doc examples', () => {
    expect(canonicalId('001xx000003DGb2')).toBe('001xx000003DGb2AAG');
    expect(canonicalId('00DEM0000000001')).toBe('00DEM00000000012AA');
    expect(checksumSuffix('001EM0000000001')).toBe('YAA');
  });

  it('builds ids with the key prefix, pod EM and reserved 0', () => {
    expect(makeId('005', 1)).toBe('005EM0000000001YAA');
    const gen = new IdGenerator();
    expect(gen.next('a01')).toBe(makeId('a01', 1));
    expect(gen.next('a01')).toBe(makeId('a01', 2));
    expect(gen.next('003')).toBe(makeId('003', 1));
    gen.reserve('003', 10);
    expect(gen.next('003')).toBe(makeId('003', 11));
    // Base-62 counter: 62 is "10".
    expect(makeId('a01', 62)).toBe('a01EM0000000010YAA');
  });

  it('accepts an 18-character id in any letter case and restores its case', () => {
    expect(canonicalId('001XX000003DGB2AAG')).toBe('001xx000003DGb2AAG');
    expect(canonicalId('001xx000003dgb2aag')).toBe('001xx000003DGb2AAG');
    expect(idsEqual('001xx000003DGb2', '001XX000003DGB2AAG')).toBe(true);
    expect(idsEqual('001xx000003DGb2', '001xx000003DGB2')).toBe(false);
  });

  it('rejects malformed ids with MALFORMED_ID', () => {
    for (const bad of ['', 'abc', '001xx000003DGb2A', '001xx000003DGb2AAZ', '001xx000003DGb2AAH', '001xx-00003DGb2']) {
      expect(isValidId(bad)).toBe(false);
    }
    const error = (() => {
      try {
        normalizeId('001EM00000zzzzz!', 'Account');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toBody()).toEqual([
      {
        message: 'Account ID: id value of incorrect type: 001EM00000zzzzz!',
        errorCode: 'MALFORMED_ID',
        fields: ['Id'],
      },
    ]);
  });

  it('round-trips every 15-character id through its 18-character form (property)', () => {
    const id15 = fc.stringMatching(/^[a-zA-Z0-9]{15}$/);
    fc.assert(
      fc.property(id15, (id) => {
        const long = canonicalId(id);
        expect(long?.slice(0, 15)).toBe(id);
        expect(canonicalId(long!.toUpperCase())).toBe(long);
        expect(canonicalId(long!.toLowerCase())).toBe(long);
      }),
    );
  });
});
