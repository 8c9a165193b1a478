import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { screenText } from '../../../src/governance/injection/index.ts';

type Row = {
  id: number;
  label: 'attack' | 'benign';
  category: string;
  source: 'user' | 'tool';
  split: string;
  text: string;
};
const rows: Row[] = readFileSync(new URL('../../fixtures/injection-corpus/corpus.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Row);

function rates(subset: Row[]): { detection: number; falsePositives: number } {
  const attacks = subset.filter((row) => row.label === 'attack');
  const benign = subset.filter((row) => row.label === 'benign');
  const flagged = (row: Row): boolean => screenText(row.text, { source: row.source }).flagged;
  return {
    detection: attacks.filter(flagged).length / attacks.length,
    falsePositives: benign.filter(flagged).length / benign.length,
  };
}

describe('injection corpus', () => {
  it('has several hundred labelled lines in several languages, sources and categories', () => {
    expect(rows.length).toBeGreaterThanOrEqual(600);
    expect(rows.filter((row) => row.label === 'benign').length).toBeGreaterThanOrEqual(300);
    expect(
      new Set(rows.filter((row) => row.label === 'attack').map((row) => row.category)).size,
    ).toBeGreaterThanOrEqual(8);
    expect(new Set(rows.map((row) => row.source))).toEqual(new Set(['user', 'tool']));
  });

  it('detects at least 95% of attacks with at most 5% false positives on the whole corpus', () => {
    const { detection, falsePositives } = rates(rows);
    expect(detection).toBeGreaterThanOrEqual(0.95);
    expect(falsePositives).toBeLessThanOrEqual(0.05);
  });

  it('generalises to the blind split (written after the rules, never tuned against)', () => {
    // Measured once when the split was written: 62.9% detection, 3.4% false positives. Guard against regressions only.
    const { detection, falsePositives } = rates(rows.filter((row) => row.split === 'blind'));
    expect(detection).toBeGreaterThanOrEqual(0.6);
    expect(falsePositives).toBeLessThanOrEqual(0.05);
  });
});
