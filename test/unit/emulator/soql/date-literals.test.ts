import { describe, expect, it } from 'vitest';
import { dateLiteralRange } from '../../../../src/emulator/soql/date-literals.ts';

// Wednesday 2026-05-13, late in the UTC day.
const now = new Date('2026-05-13T23:30:00.000Z');
const day = (iso: string): number => Date.parse(`${iso}T00:00:00.000Z`);
const range = (literal: string, n?: number): [string, string] => {
  const r = dateLiteralRange(literal, n, now);
  if (!r) throw new Error(`unknown ${literal}`);
  return [new Date(r.start).toISOString().slice(0, 10), new Date(r.end).toISOString().slice(0, 10)];
};

describe('dateLiteralRange (UTC, weeks start Sunday, fiscal = calendar)', () => {
  it.each([
    ['TODAY', undefined, ['2026-05-13', '2026-05-14']],
    ['YESTERDAY', undefined, ['2026-05-12', '2026-05-13']],
    ['TOMORROW', undefined, ['2026-05-14', '2026-05-15']],
    ['THIS_WEEK', undefined, ['2026-05-10', '2026-05-17']],
    ['LAST_WEEK', undefined, ['2026-05-03', '2026-05-10']],
    ['NEXT_WEEK', undefined, ['2026-05-17', '2026-05-24']],
    ['THIS_MONTH', undefined, ['2026-05-01', '2026-06-01']],
    ['LAST_MONTH', undefined, ['2026-04-01', '2026-05-01']],
    ['NEXT_MONTH', undefined, ['2026-06-01', '2026-07-01']],
    ['THIS_QUARTER', undefined, ['2026-04-01', '2026-07-01']],
    ['LAST_QUARTER', undefined, ['2026-01-01', '2026-04-01']],
    ['THIS_YEAR', undefined, ['2026-01-01', '2027-01-01']],
    ['LAST_YEAR', undefined, ['2025-01-01', '2026-01-01']],
    ['THIS_FISCAL_YEAR', undefined, ['2026-01-01', '2027-01-01']],
    ['LAST_90_DAYS', undefined, ['2026-02-12', '2026-05-14']],
    ['NEXT_90_DAYS', undefined, ['2026-05-14', '2026-08-12']],
    ['LAST_N_DAYS', 7, ['2026-05-06', '2026-05-14']],
    ['NEXT_N_DAYS', 7, ['2026-05-14', '2026-05-21']],
    ['N_DAYS_AGO', 3, ['2026-05-10', '2026-05-11']],
    ['LAST_N_WEEKS', 2, ['2026-04-26', '2026-05-10']],
    ['NEXT_N_WEEKS', 1, ['2026-05-17', '2026-05-24']],
    ['N_WEEKS_AGO', 1, ['2026-05-03', '2026-05-10']],
    ['LAST_N_MONTHS', 2, ['2026-03-01', '2026-05-01']],
    ['NEXT_N_MONTHS', 8, ['2026-06-01', '2027-02-01']],
    ['N_MONTHS_AGO', 5, ['2025-12-01', '2026-01-01']],
    ['LAST_N_QUARTERS', 2, ['2025-10-01', '2026-04-01']],
    ['LAST_N_YEARS', 1, ['2025-01-01', '2026-01-01']],
    ['N_YEARS_AGO', 2, ['2024-01-01', '2025-01-01']],
  ] as Array<[string, number | undefined, [string, string]]>)('%s:%s', (literal, n, expected) => {
    expect(range(literal, n)).toEqual(expected);
  });

  it('rejects unknown literals and bad N values', () => {
    expect(dateLiteralRange('LAST_DECADE', undefined, now)).toBeUndefined();
    expect(dateLiteralRange('LAST_N_DAYS', undefined, now)).toBeUndefined();
    expect(dateLiteralRange('LAST_N_DAYS', -1, now)).toBeUndefined();
  });

  it('is exact at midnight boundaries', () => {
    const midnight = new Date('2026-01-01T00:00:00.000Z');
    expect(dateLiteralRange('TODAY', undefined, midnight)).toEqual({
      start: day('2026-01-01'),
      end: day('2026-01-02'),
    });
    expect(dateLiteralRange('LAST_YEAR', undefined, midnight)).toEqual({
      start: day('2025-01-01'),
      end: day('2026-01-01'),
    });
    expect(dateLiteralRange('LAST_WEEK', undefined, midnight)).toEqual({
      start: day('2025-12-21'),
      end: day('2025-12-28'),
    });
  });
});
