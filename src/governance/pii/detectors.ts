import { IBAN_LENGTHS, isPlausiblePhone, isValidCard, isValidIban, isValidIpv4, isValidIpv6, isValidSsn } from './validators.ts';

/** One confirmed PII value in a text: `[start, end)` in UTF-16 code units. */
export interface Detection {
  start: number;
  end: number;
  type: string;
}

/** A detector appends its confirmed findings to `out`. Every regex starts at a boundary (lookbehind) to stay linear. */
export interface Detector {
  readonly type: string;
  readonly category: string;
  /** Fewest digits a text needs before this detector can find anything (cheap pre-filter). */
  readonly minDigits?: number;
  detect(text: string, out: Detection[]): void;
}

/** Pattern categories, as configured per agent (`PIIPatternCategories__c`). */
export const PATTERN_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  identity: ['SSN', 'DOB'],
  financial: ['CREDIT_CARD', 'IBAN'],
  contact: ['EMAIL', 'PHONE'],
  network: ['IP_ADDRESS'],
};

const digitsOf = (value: string): string => value.replace(/\D/g, '');

/** True when a keyword matches in the `window` characters before `index` with no digit between it and `index`. */
function keywordBefore(text: string, index: number, keyword: RegExp, window = 40): boolean {
  const before = text.slice(Math.max(0, index - window), index);
  let last = -1;
  for (const match of before.matchAll(keyword)) last = match.index + match[0].length;
  return last >= 0 && !/\d/.test(before.slice(last));
}

/** Cheap whole-text test so context-only detectors skip texts without any keyword. */
function hasKeyword(text: string, keyword: RegExp): boolean {
  keyword.lastIndex = 0;
  const found = keyword.test(text);
  keyword.lastIndex = 0;
  return found;
}

function scan(text: string, regex: RegExp, out: Detection[], type: string, accept: (value: string, index: number) => boolean): void {
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    if (accept(match[0], match.index)) out.push({ start: match.index, end: match.index + match[0].length, type });
  }
}

// Lookbehinds sit after the first consumed char, so most positions fail on one cheap char test.
const SSN_FORMATTED = /\d(?<![\d-]\d)\d{2}([- ])\d{2}\1\d{4}(?!\d|-\d)/g;
const SSN_BARE = /\d(?<![\w-]\d)\d{8}(?![\w-])/g;
const SSN_CONTEXT = /(?:\bssn|\bss#|social security|\bsoc\.? ?sec|\bsozialversicherung|\bseguro social|\btax ?id|\btin\b)/gi;

const ssn: Detector = {
  type: 'SSN',
  category: 'identity',
  minDigits: 9,
  detect(text, out) {
    scan(text, SSN_FORMATTED, out, 'SSN', (value) => isValidSsn(digitsOf(value)));
    // Nine bare digits are rare, so candidates come first and the keyword is checked only around them.
    scan(text, SSN_BARE, out, 'SSN', (value, index) => isValidSsn(value) && keywordBefore(text, index, SSN_CONTEXT));
  },
};

// Compact 13-19 digits, or the printed groupings (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4) with one consistent separator.
const CARD = /\d(?<![\d.,]\d)(?:\d{12,18}|\d{3}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{3}([ -])\d{6}\2\d{4,5})(?![\d]|[.,]\d)/g;

const card: Detector = {
  type: 'CREDIT_CARD',
  category: 'financial',
  minDigits: 13,
  detect(text, out) {
    scan(text, CARD, out, 'CREDIT_CARD', (value) => isValidCard(digitsOf(value)));
  },
};

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z-]|\.[A-Za-z0-9])/g;

const email: Detector = {
  type: 'EMAIL',
  category: 'contact',
  detect(text, out) {
    if (text.includes('@')) scan(text, EMAIL, out, 'EMAIL', () => true);
  },
};

// NANP shapes need separators (a bare 10-digit run is more often an order number); international needs + or 00.
const PHONE_US = /(?<![\w+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d|[.-]\d)/g;
// Not right after another digit group: "3704 0044 0532" is one number, not a call to +44. Not glued to letters either:
// "001000000000001AAA" is a Salesforce Account ID, not a call to +1.
const PHONE_INTL = /(?<![\w+]|\d[ .-])(?:\+|00)[1-9][\d ().-]{5,22}\d(?!\w)/g;
const PHONE_NATIONAL = /(?<![\w+.,/-])\(?\d[\d ().-]{5,18}\d(?![\w]|[.,/-]\d)/g;
const PHONE_CONTEXT =
  /(?:\bphone|\bph\b|\btel\b|\btelephone|\bmobile|\bmob\b|\bcell|\bfax|\bcall(?:ed)?\b|\btext(?:ed)?\b|\bsms|\bwhatsapp|\bcontact number|\breach (?:me|him|her|us|them) (?:at|on)|\btelefon|t[ée]l[ée]phone|\bt[ée]l[ée]fono|\bm[óo]vil|\bhandy|\bportable|\bcellulare)/gi;
const DATE_SHAPE = /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$/;

function plausibleGroups(value: string): boolean {
  return !/[ ().-]{2,}/.test(value.replace(/\) /g, ')').replace(/ \(/g, '('));
}

const phone: Detector = {
  type: 'PHONE',
  category: 'contact',
  minDigits: 7,
  detect(text, out) {
    scan(text, PHONE_US, out, 'PHONE', (value) => isPlausiblePhone(digitsOf(value)));
    scan(text, PHONE_INTL, out, 'PHONE', (value, index) => {
      const digits = digitsOf(value).replace(/^00/, '');
      if (digits.length < 8 || !isPlausiblePhone(digits) || !plausibleGroups(value)) return false;
      // An unbroken 00-run is as likely a 15-character record ID (key prefixes 001, 003, 005...) as a dialled
      // number: it counts as a phone only after a phone keyword. "+" and separated 00-numbers need none.
      return value.startsWith('+') || /[ ().-]/.test(value) || keywordBefore(text, index, PHONE_CONTEXT);
    });
    if (!hasKeyword(text, PHONE_CONTEXT)) return;
    scan(text, PHONE_NATIONAL, out, 'PHONE', (value, index) => {
      const digits = digitsOf(value);
      const separated = /[ ().-]/.test(value);
      if (!separated && digits.length < 10) return false;
      if (DATE_SHAPE.test(value) || !plausibleGroups(value)) return false;
      return isPlausiblePhone(digits) && keywordBefore(text, index, PHONE_CONTEXT);
    });
  },
};

const IPV4 = /\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)/g;
// A dotted quad after "version", "release", "build" or "API" is a version number, not an address.
const VERSION_CONTEXT = /(?:\bver(?:sion)?|\brelease|\bbuild|\bapi|\brev(?:ision)?|\bpatch|\bfirmware|\bsdk|\bupgrade(?:d)? to)\s*[:#]?\s*$/i;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}\.\d{1,3}\.\d{1,3})?(?![\w:])/g;

const ip: Detector = {
  type: 'IP_ADDRESS',
  category: 'network',
  minDigits: 1,
  detect(text, out) {
    if (text.includes('.')) {
      scan(text, IPV4, out, 'IP_ADDRESS', (value, index) => {
        if (!isValidIpv4(value)) return false;
        return !VERSION_CONTEXT.test(text.slice(Math.max(0, index - 24), index));
      });
    }
    if (text.includes(':')) scan(text, IPV6, out, 'IP_ADDRESS', (value) => isValidIpv6(value));
  },
};

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATE = new RegExp(
  '(?<![\\w/.-])(?:\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})' +
    `|(?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?)?${MONTH}\\s+(?:\\d{1,2}(?:st|nd|rd|th)?,?\\s+)?\\d{4})(?![\\w/]|[-.]\\d)`,
  'gi',
);
const DOB_CONTEXT =
  /(?:\bdob\b|\bd\.o\.b\b\.?|date of birth|\bbirth ?date|\bbirthday|\bborn\b(?: on| in)?|geburtsdatum|\bgeboren\b(?: am)?|date de naissance|\bn[ée]e? le|fecha de nacimiento|\bnacid[oa] el|data di nascita|\bnat[oa] il|data de nascimento)/gi;

const dob: Detector = {
  type: 'DOB',
  category: 'identity',
  minDigits: 4,
  detect(text, out) {
    if (hasKeyword(text, DOB_CONTEXT)) scan(text, DATE, out, 'DOB', (_value, index) => keywordBefore(text, index, DOB_CONTEXT, 48));
  },
};

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?= ?[A-Za-z0-9])/g;

/** Reads exactly the country's IBAN length of alphanumerics, allowing single spaces, then checks mod-97. */
const iban: Detector = {
  type: 'IBAN',
  category: 'financial',
  minDigits: 4,
  detect(text, out) {
    IBAN_START.lastIndex = 0;
    for (let match = IBAN_START.exec(text); match !== null; match = IBAN_START.exec(text)) {
      const length = IBAN_LENGTHS[(match[1] ?? '').toUpperCase()];
      if (length === undefined) continue;
      let compact = match[0];
      let i = match.index + match[0].length;
      while (compact.length < length && i < text.length) {
        const ch = text[i] ?? '';
        if (/[A-Za-z0-9]/.test(ch)) compact += ch;
        else if (!(ch === ' ' && /[A-Za-z0-9]/.test(text[i + 1] ?? ''))) break;
        i++;
      }
      if (compact.length !== length || /[A-Za-z0-9]/.test(text[i] ?? '')) continue;
      if (isValidIban(compact)) {
        out.push({ start: match.index, end: i, type: 'IBAN' });
        IBAN_START.lastIndex = i;
      }
    }
  },
};

export const BUILTIN_DETECTORS: readonly Detector[] = [ssn, card, iban, email, phone, ip, dob];

/** A detector from configuration: `{ type, regex }`; zero-length matches are ignored. */
export function customDetector(type: string, source: string): Detector {
  const regex = new RegExp(source, 'g');
  return {
    type,
    category: 'custom',
    detect(text, out) {
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        if (match[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        out.push({ start: match.index, end: match.index + match[0].length, type });
      }
    },
  };
}

function countDigits(text: string, enough: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count < enough; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/**
 * Runs the detectors; overlapping findings merge into one span (typed after its longest member), so a value glued
 * to another ("4111 1111 1111 1111ada@example.com") is never half-masked.
 */
export function detectAll(text: string, detectors: readonly Detector[]): Detection[] {
  const merged = detectOnce(text, detectors);
  if (merged.length === 0) return merged;
  // Once a value becomes a token, its neighbours stand alone in the masked text: "ada@example.com078-05-1120" masks the
  // email, and the SSN glued to it must not come out in clear. So each gap is scanned again as a text of its own.
  const all: Detection[] = [];
  let cursor = 0;
  for (const detection of [...merged, { start: text.length, end: text.length, type: '' }]) {
    if (detection.start > cursor) {
      for (const inner of detectAll(text.slice(cursor, detection.start), detectors)) {
        all.push({ start: inner.start + cursor, end: inner.end + cursor, type: inner.type });
      }
    }
    if (detection.type !== '') all.push(detection);
    cursor = detection.end;
  }
  return all.sort((a, b) => a.start - b.start);
}

function detectOnce(text: string, detectors: readonly Detector[]): Detection[] {
  const found: Detection[] = [];
  const digits = countDigits(text, 13);
  for (const detector of detectors) if ((detector.minDigits ?? 0) <= digits) detector.detect(text, found);
  if (found.length < 2) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Detection[] = [];
  let longest = 0;
  for (const detection of found) {
    const last = merged[merged.length - 1];
    if (last && detection.start < last.end) {
      if (detection.end - detection.start > longest) {
        longest = detection.end - detection.start;
        last.type = detection.type;
      }
      last.end = Math.max(last.end, detection.end);
    } else {
      merged.push({ ...detection });
      longest = detection.end - detection.start;
    }
  }
  return merged;
}
