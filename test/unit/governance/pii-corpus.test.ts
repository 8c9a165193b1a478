import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryTokenVault, PiiMasker } from '../../../src/governance/pii/index.ts';
import { HELDOUT_DOB_PHONE } from '../../fixtures/pii-corpus/handwritten-heldout.ts';

type Row = {
  id: number;
  label: string;
  kind: string;
  text: string;
  secrets: Array<{ type: string; value: string }>;
  preserve: string[];
};
const rows: Row[] = readFileSync(new URL('../../fixtures/pii-corpus/corpus.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Row);

describe('PII corpus', () => {
  it('has several hundred labelled lines of every kind', () => {
    expect(rows.length).toBeGreaterThanOrEqual(600);
    const types = new Set(rows.flatMap((row) => row.secrets.map((secret) => secret.type)));
    expect([...types].sort()).toEqual(['CREDIT_CARD', 'DOB', 'EMAIL', 'IBAN', 'IP_ADDRESS', 'PHONE', 'SSN']);
    expect(rows.filter((row) => row.label === 'lookalike').length).toBeGreaterThanOrEqual(300);
  });

  it('leaks nothing, types every secret, destroys at most 2% of look-alikes and restores every line exactly', async () => {
    const masker = new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'corpus' });
    const leaks: string[] = [];
    const mistyped: string[] = [];
    const destroyed: string[] = [];
    let preserved = 0;
    for (const row of rows) {
      const { masked, entities } = await masker.mask(row.text);
      expect(await masker.restore(masked)).toBe(row.text);
      for (const secret of row.secrets) {
        if (masked.includes(secret.value)) leaks.push(`${row.id} ${secret.type}`);
        else if (!entities.some((entity) => entity.type === secret.type)) mistyped.push(`${row.id} ${secret.type}`);
      }
      for (const value of row.preserve) {
        preserved++;
        if (!masked.includes(value)) destroyed.push(`${row.id} ${row.kind} ${value}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(mistyped).toEqual([]);
    expect(destroyed.length / preserved).toBeLessThanOrEqual(0.02);
  });

  it('leaks nothing and destroys nothing on the held-out dates-of-birth and phone lines', async () => {
    const masker = new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'heldout' });
    const misses: string[] = [];
    for (const row of HELDOUT_DOB_PHONE) {
      const { masked } = await masker.mask(row.text);
      expect(await masker.restore(masked)).toBe(row.text);
      for (const secret of row.secrets) if (masked.includes(secret.value)) misses.push(`leak: ${row.text}`);
      for (const value of row.preserve) if (!masked.includes(value)) misses.push(`destroyed: ${row.text}`);
    }
    expect(misses).toEqual([]);
  });
});
