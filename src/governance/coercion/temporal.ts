/** Date, datetime and time parsing for LLM-provided values: ISO 8601 first, then a few unambiguous common forms. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

// prettier-ignore
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function isoDate(year: number, month: number, day: number): Parsed<string> {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1700 || year > 4000 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, message: `${year}-${month}-${day} is not a calendar date between 1700 and 4000` };
  }
  return { ok: true, value: `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}` };
}

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  const index =
    lower.length < 3
      ? -1
      : MONTHS.findIndex((month) => month.startsWith(lower) || (lower === 'sept' && month === 'september'));
  return index < 0 ? -1 : index + 1;
}

/**
 * `2024-05-01`, `2024-05-01T..` (date part), `12/31/2024` or `31/12/2024` (only when unambiguous), `31.12.2024`,
 * `1 May 2024`, `May 1, 2024`.
 */
export function parseDate(text: string): Parsed<string> {
  const value = text.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(value);
  if (match) return isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (match) {
    const [a, b, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (value.includes('.') || a > 12) return isoDate(year, b, a);
    if (b > 12 || a === b) return isoDate(year, a, b);
    // 05/04/2024 is May 4 in the US and 5 April elsewhere: refuse rather than guess.
    return { ok: false, message: `'${value}' is ambiguous (month/day or day/month); use YYYY-MM-DD` };
  }
  match = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})$/.exec(value);
  if (match && monthIndex(match[2] ?? '') > 0)
    return isoDate(Number(match[3]), monthIndex(match[2] ?? ''), Number(match[1]));
  match = /^([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(value);
  if (match && monthIndex(match[1] ?? '') > 0)
    return isoDate(Number(match[3]), monthIndex(match[1] ?? ''), Number(match[2]));
  return { ok: false, message: `'${value}' is not a date; use YYYY-MM-DD` };
}

/** ISO 8601 with an explicit offset or Z; a value without a zone is refused rather than guessed. */
export function parseDateTime(text: string): Parsed<string> {
  const value = text.trim().replace(' ', 'T');
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value,
  );
  if (!match)
    return { ok: false, message: `'${text.trim()}' is not a date-time; use ISO 8601 such as 2024-05-01T09:30:00Z` };
  const date = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
  if (!date.ok) return date;
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59)
    return { ok: false, message: `'${text.trim()}' has an invalid time of day` };
  if (!match[8]) {
    return { ok: false, message: `'${text.trim()}' has no time zone; add Z (UTC) or an offset such as +02:00` };
  }
  const zone = match[8].toUpperCase() === 'Z' ? 'Z' : match[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const millis = (match[7] ?? '0').padEnd(3, '0').slice(0, 3);
  const parsed = new Date(`${date.value}T${pad(hour)}:${pad(minute)}:${pad(second)}.${millis}${zone}`);
  if (Number.isNaN(parsed.getTime())) return { ok: false, message: `'${text.trim()}' is not a valid date-time` };
  return { ok: true, value: parsed.toISOString() };
}

/** `13:30`, `13:30:15`, `13:30:15.250Z`, `1:30 pm`, `9am` → Salesforce's `HH:mm:ss.SSSZ`. */
export function parseTime(text: string): Parsed<string> {
  const value = text.trim();
  let match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z?$/i.exec(value);
  let hour: number;
  let minute: number;
  let second = 0;
  let millis = '000';
  if (match) {
    [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
    millis = (match[4] ?? '0').padEnd(3, '0');
  } else {
    match = /^(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?$/i.exec(value);
    if (!match) return { ok: false, message: `'${value}' is not a time; use HH:mm or HH:mm:ss` };
    const twelve = Number(match[1]);
    if (twelve < 1 || twelve > 12) return { ok: false, message: `'${value}' is not a valid 12-hour time` };
    hour = (twelve % 12) + ((match[3] ?? '').toLowerCase() === 'p' ? 12 : 0);
    minute = Number(match[2] ?? 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, message: `'${value}' is not a valid time of day` };
  return { ok: true, value: `${pad(hour)}:${pad(minute)}:${pad(second)}.${millis}Z` };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
