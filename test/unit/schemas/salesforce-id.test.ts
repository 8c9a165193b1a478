import { describe, expect, it } from 'vitest';
import { idSuffix } from '../../../src/schemas/salesforce-id.ts';
import { to18 } from '../../../src/emulator/http/ids.ts';
import { canonicalId } from '../../../src/emulator/org/ids.ts';
import { normalizeId } from '../../../src/governance/coercion/index.ts';

describe('the 15 → 18-character ID checksum', () => {
  it('gives the suffix Salesforce gives (one bit per upper-case letter, five per chunk)', () => {
    expect(idSuffix('001EM0000000001')).toBe('YAA');
    expect(idSuffix('aaaaaaaaaaaaaaa')).toBe('AAA');
    expect(idSuffix('AAAAAAAAAAAAAAA')).toBe('555');
    expect(idSuffix('Aaaaa0000000000')).toBe('BAA');
  });

  it('is the one the emulator and the coercion layer both use', () => {
    for (const id15 of ['001EM0000000001', '005xx000001SvbA', 'a0B5g00000XyZqR']) {
      const id18 = id15 + idSuffix(id15);
      expect(to18(id15)).toBe(id18);
      expect(canonicalId(id15)).toBe(id18);
      expect(normalizeId(id15)).toEqual({ ok: true, id: id18 });
    }
  });
});
