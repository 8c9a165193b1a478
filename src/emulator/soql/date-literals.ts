/**
 * SOQL date literals as half-open UTC ranges [start, end) in epoch milliseconds. Weeks start on Sunday (en_US) and
 * the fiscal year is the calendar year (the Salesforce default), so FISCAL literals equal their calendar twins.
 */

export interface DateRange {
  start: number;
  end: number;
}

const DAY = 86_400_000;

function dayStart(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

function weekStart(now: Date): number {
  return dayStart(now) - now.getUTCDay() * DAY;
}

/** First day of the month `offset` months from now's month. */
function monthStart(now: Date, offset: number): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1);
}

function quarterStart(now: Date, offset: number): number {
  const q = Math.floor(now.getUTCMonth() / 3);
  return Date.UTC(now.getUTCFullYear(), (q + offset) * 3, 1);
}

function yearStart(now: Date, offset: number): number {
  return Date.UTC(now.getUTCFullYear() + offset, 0, 1);
}

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

/** Start of the period `offset` periods away from the current one. */
function periodStart(now: Date, unit: Unit, offset: number): number {
  switch (unit) {
    case 'DAY':
      return dayStart(now) + offset * DAY;
    case 'WEEK':
      return weekStart(now) + offset * 7 * DAY;
    case 'MONTH':
      return monthStart(now, offset);
    case 'QUARTER':
      return quarterStart(now, offset);
    case 'YEAR':
      return yearStart(now, offset);
  }
}

function span(now: Date, unit: Unit, from: number, to: number): DateRange {
  return { start: periodStart(now, unit, from), end: periodStart(now, unit, to) };
}

const UNIT_BY_WORD: Record<string, Unit> = {
  DAY: 'DAY',
  DAYS: 'DAY',
  WEEK: 'WEEK',
  WEEKS: 'WEEK',
  MONTH: 'MONTH',
  MONTHS: 'MONTH',
  QUARTER: 'QUARTER',
  QUARTERS: 'QUARTER',
  FISCAL_QUARTER: 'QUARTER',
  FISCAL_QUARTERS: 'QUARTER',
  YEAR: 'YEAR',
  YEARS: 'YEAR',
  FISCAL_YEAR: 'YEAR',
  FISCAL_YEARS: 'YEAR',
};

/** The range a literal denotes, or undefined when the literal is unknown. `n` is the `:n` of N-literals. */
export function dateLiteralRange(literal: string, n: number | undefined, now: Date): DateRange | undefined {
  const name = literal.toUpperCase().replace(/:.*$/, '');
  switch (name) {
    case 'YESTERDAY':
      return span(now, 'DAY', -1, 0);
    case 'TODAY':
      return span(now, 'DAY', 0, 1);
    case 'TOMORROW':
      return span(now, 'DAY', 1, 2);
    case 'LAST_90_DAYS':
      return span(now, 'DAY', -90, 1);
    case 'NEXT_90_DAYS':
      return span(now, 'DAY', 1, 91);
  }
  let m = /^(LAST|THIS|NEXT)_(\w+)$/.exec(name);
  if (m && n === undefined) {
    const unit = UNIT_BY_WORD[m[2]!];
    if (!unit || unit === 'DAY') return undefined;
    const offset = m[1] === 'LAST' ? -1 : m[1] === 'THIS' ? 0 : 1;
    return span(now, unit, offset, offset + 1);
  }
  if (n === undefined || !Number.isInteger(n) || n < 0) return undefined;
  m = /^(LAST|NEXT)_N_(\w+)$/.exec(name);
  if (m) {
    const unit = UNIT_BY_WORD[m[2]!];
    if (!unit) return undefined;
    // LAST_N_DAYS includes today; the other LAST_N_* ranges stop before the current period.
    if (unit === 'DAY') return m[1] === 'LAST' ? span(now, 'DAY', -n, 1) : span(now, 'DAY', 1, n + 1);
    return m[1] === 'LAST' ? span(now, unit, -n, 0) : span(now, unit, 1, n + 1);
  }
  m = /^N_(\w+)_AGO$/.exec(name);
  if (m) {
    const unit = UNIT_BY_WORD[m[1]!];
    if (!unit) return undefined;
    return span(now, unit, -n, -n + 1);
  }
  return undefined;
}
