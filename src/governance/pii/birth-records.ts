import type { Detection } from './scan.ts';

/**
 * Record formats that hold a date of birth by position, not by label: a field number, a segment qualifier or a
 * fixed offset says what the value is. Each reader checks the value is a date (and, for machine-readable zones, its
 * check digit) before it masks anything.
 */

const calendar = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 0;
/** YYYYMMDD with a plausible year. */
const ccyymmdd = (value: string): boolean =>
  /^\d{8}$/.test(value) &&
  Number(value.slice(0, 4)) >= 1880 &&
  calendar(Number(value.slice(0, 4)), Number(value.slice(4, 6)), Number(value.slice(6, 8)));

/** HL7 v2: PID-7 is the patient's date of birth (`PID|1||88213^^^HOSP||DOE^JANE||19850314|F`). */
export function hl7Births(text: string, out: Detection[]): void {
  for (let at = text.indexOf('PID|'); at >= 0; at = text.indexOf('PID|', at + 4)) {
    if (at > 0 && !/[\r\n]/.test(text[at - 1] ?? '')) continue;
    let start = at;
    for (let field = 0; field < 7 && start >= 0; field++) start = text.indexOf('|', start + 1);
    if (start < 0) continue;
    let end = start + 1;
    while (end < text.length && !'|^\r\n'.includes(text[end] as string)) end++;
    const value = text.slice(start + 1, end);
    if (/^\d{8}(?:\d{4,6})?$/.test(value) && ccyymmdd(value.slice(0, 8)))
      out.push({ start: start + 1, end, type: 'DOB' });
  }
}

// ASC X12 (837 claims, 834 enrolment): the DMG segment's second element is the date of birth when its first, the
// date format qualifier, is D8 (CCYYMMDD): `DMG*D8*19730228*F~`.
const X12_DMG = /(?:^|[~\n])\s*DMG([*|^:])D8\1(\d{8})(?=\1|~|$)/gm;

export function x12Births(text: string, out: Detection[]): void {
  X12_DMG.lastIndex = 0;
  for (const m of text.matchAll(X12_DMG)) {
    const value = m[2] as string;
    const start = (m.index ?? 0) + m[0].length - value.length;
    if (ccyymmdd(value)) out.push({ start, end: start + value.length, type: 'DOB' });
  }
}

// IATA SSR DOCS (advance passenger information in a booking): `SSR DOCS BA HK1 P/GBR/533401842/GBR/14MAR85/F/…`, the
// fifth slash-separated field is the passenger's date of birth as DDMMMYY.
// The date of birth is the one followed by the gender field (`/F/`, `/MI/`), so empty leading fields
// (`HK1/////04MAR79/F//…`) and the expiry date that comes later do not matter.
// A PNR display may print the element without its `SSR` (`DOCS/P/FRA/…/03JUN79/M/…`).
const SSR_DOCS = /(?:SSR\s+DOCS\s|(?<![A-Z])DOCS\/)[^\n]*?\/(\d{2}[A-Z]{3}\d{2})(?=\/(?:[MFUX]I?|)\/)/g;
const MONTHS3 = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export function ssrDocsBirths(text: string, out: Detection[]): void {
  SSR_DOCS.lastIndex = 0;
  for (const m of text.matchAll(SSR_DOCS)) {
    const value = m[1] as string;
    const day = Number(value.slice(0, 2));
    if (!MONTHS3.includes(value.slice(2, 5)) || day < 1 || day > 31) continue;
    const start = (m.index ?? 0) + m[0].length - value.length;
    out.push({ start, end: start + value.length, type: 'DOB' });
  }
}

/** ICAO 9303 check digit: weights 7, 3, 1 over digits, letters (A=10…Z=35) and `<` (0). */
function mrzCheck(field: string): number {
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    const value = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : 0;
    sum += value * ([7, 3, 1][i % 3] as number);
  }
  return sum % 10;
}

const MRZ_LINE = /^[A-Z0-9<]{30}$|^[A-Z0-9<]{36}$|^[A-Z0-9<]{44}$/;

/**
 * Machine-readable zones of passports and ID cards (ICAO 9303): the holder's date of birth, YYMMDD, sits at a fixed
 * offset with its own check digit: the second line of a TD3 (44 characters) or TD2 (36) zone at 13–18, the second
 * line of a TD1 (30) zone at 0–5. Masked only when the check digit agrees, so a row of `<` fillers is not enough.
 */
export function mrzBirths(text: string, out: Detection[]): void {
  if (!text.includes('<<')) return;
  const lines: Array<{ text: string; start: number }> = [];
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    lines.push({ text: line.trim(), start: start + line.indexOf(line.trim()) });
    start = end + 1;
  }
  for (let i = 1; i < lines.length; i++) {
    const first = lines[i - 1] as { text: string };
    const line = lines[i] as { text: string; start: number };
    if (!MRZ_LINE.test(line.text) || first.text.length !== line.text.length || !MRZ_LINE.test(first.text)) continue;
    const at = line.text.length === 30 ? 0 : 13;
    const value = line.text.slice(at, at + 6);
    if (!/^\d{6}$/.test(value) || mrzCheck(value) !== Number(line.text[at + 6])) continue;
    if (!calendar(0, Number(value.slice(2, 4)), Number(value.slice(4, 6)))) continue;
    out.push({ start: line.start + at, end: line.start + at + 6, type: 'DOB' });
  }
}

// GEDCOM (genealogy): the DATE line under a BIRT event. `1 BIRT\n2 DATE 27 JUN 1951`.
const GEDCOM_BIRTH = /^\s*(\d+)\s+BIRT\b[^\n]*\n(?:\s*\d+\s+(?!DATE)[A-Z_]+[^\n]*\n){0,3}\s*\d+\s+DATE\s+([^\n\r]+)/gm;

export function gedcomBirths(text: string, out: Detection[]): void {
  GEDCOM_BIRTH.lastIndex = 0;
  for (const m of text.matchAll(GEDCOM_BIRTH)) {
    const value = (m[2] as string).trimEnd();
    if (!/\d{3,4}/.test(value)) continue;
    const start = (m.index ?? 0) + m[0].length - (m[2] as string).length;
    out.push({ start, end: start + value.length, type: 'DOB' });
  }
}

// iCalendar: a yearly event whose summary is someone's birthday starts on their date of birth.
const VEVENT = /BEGIN:VEVENT([\s\S]{0,2000}?)END:VEVENT/g;
const BIRTHDAY_SUMMARY =
  /SUMMARY[^:\n]*:[^\n]*(?:birthday|b-?day|geburtstag|urodziny|cumplea|compleanno|anivers[áa]rio|anniversaire|verjaardag|födelsedag|fødselsdag|syntymäpäivä|誕生日|生日|생일|день рождения)/i;
const DTSTART = /DTSTART[^:\n]*:(\d{8})(?!\d)/;

export function icalBirths(text: string, out: Detection[]): void {
  VEVENT.lastIndex = 0;
  for (const m of text.matchAll(VEVENT)) {
    const body = m[1] as string;
    if (!BIRTHDAY_SUMMARY.test(body) || !/RRULE:[^\n]*FREQ=YEARLY/.test(body)) continue;
    const start = DTSTART.exec(body);
    if (!start || !ccyymmdd(start[1] as string)) continue;
    const at = (m.index ?? 0) + 'BEGIN:VEVENT'.length + (start.index ?? 0) + start[0].length - 8;
    out.push({ start: at, end: at + 8, type: 'DOB' });
  }
}

// vCard: BDAY holds the birth date, also without its year as `--MMDD` or `--MM-DD` (RFC 6350), or with one.
const VCARD_BDAY = /^BDAY(?:;[^:\n]*)?:((?:--\d{2}-?\d{2})|(?:\d{4}-?\d{2}-?\d{2}))[ \t]*\r?$/gm;

export function vcardBirths(text: string, out: Detection[]): void {
  VCARD_BDAY.lastIndex = 0;
  for (const m of text.matchAll(VCARD_BDAY)) {
    const value = m[1] as string;
    const digits = value.replace(/-/g, '');
    const [month, day] = [Number(digits.slice(-4, -2)), Number(digits.slice(-2))];
    if (!calendar(0, month, day)) continue;
    const start = (m.index ?? 0) + m[0].indexOf(value, 4);
    out.push({ start, end: start + value.length, type: 'DOB' });
  }
}

/** Texts that may hold one of the records above (a cheap test before any of them runs). */
export const BIRTH_RECORD_CUE = /PID\||DMG[*|^:]D8|SSR\s+DOCS|DOCS\/|<<|\bBIRT\b|BEGIN:VEVENT|^BDAY/m;

export function recordBirths(text: string, out: Detection[]): void {
  if (text.includes('PID|')) hl7Births(text, out);
  if (text.includes('DMG')) x12Births(text, out);
  if (text.includes('DOCS')) ssrDocsBirths(text, out);
  mrzBirths(text, out);
  if (text.includes('BIRT')) gedcomBirths(text, out);
  if (text.includes('VEVENT')) icalBirths(text, out);
  if (text.includes('BDAY')) vcardBirths(text, out);
}
