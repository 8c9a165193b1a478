import {
  IBAN_LENGTHS,
  isPlausiblePhone,
  isValidCard,
  isValidIban,
  isValidIpv4,
  isValidIpv6,
  isValidSsn,
} from './validators.ts';
import { decodedView } from './views.ts';

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

function scan(
  text: string,
  regex: RegExp,
  out: Detection[],
  type: string,
  accept: (value: string, index: number) => boolean,
): void {
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    if (accept(match[0], match.index)) out.push({ start: match.index, end: match.index + match[0].length, type });
  }
}

const CELL_DELIMITERS = [',', ';', '\t', '|'] as const;

/** `[start, end)` of each cell of `line` (offset `base`), trimmed of spaces and quotes. */
function cellsOf(line: string, base: number, delimiter: string): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] !== delimiter) continue;
    let a = start;
    let b = i;
    while (a < b && /[\s"']/.test(line[a] ?? '')) a++;
    while (b > a && /[\s"']/.test(line[b - 1] ?? '')) b--;
    cells.push([base + a, base + b]);
    start = i + 1;
  }
  return cells;
}

/**
 * Structured text gives context a value lacks: in a CSV/TSV table, every cell under a header such as `dob`, `ssn` or
 * `mobile` is judged as that kind of value, however far the row is from the header. Returns those cells' spans.
 */
function columnCells(text: string, key: RegExp): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  if (!text.includes('\n')) return found;
  let header: { delimiter: string; columns: number[]; count: number } | undefined;
  for (let lineStart = 0; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (header) {
      const cells = cellsOf(line, lineStart, header.delimiter);
      if (cells.length === header.count)
        for (const column of header.columns) found.push(cells[column] as [number, number]);
      else header = undefined;
    }
    if (!header) {
      for (const delimiter of CELL_DELIMITERS) {
        if (!line.includes(delimiter)) continue;
        const cells = cellsOf(line, lineStart, delimiter);
        const columns = cells.flatMap(([a, b], index) => {
          const name = text.slice(a, b);
          return name.length <= 40 && !/\d{3}/.test(name) && key.test(name) ? [index] : [];
        });
        if (columns.length > 0) {
          header = { delimiter, columns, count: cells.length };
          break;
        }
      }
    }
    lineStart = lineEnd + 1;
  }
  return found;
}

/** Adds each column cell that `accept` confirms (the whole cell is the value). */
function scanColumns(
  text: string,
  key: RegExp,
  out: Detection[],
  type: string,
  accept: (value: string) => boolean,
): void {
  for (const [start, end] of columnCells(text, key))
    if (end > start && accept(text.slice(start, end))) out.push({ start, end, type });
}

// Lookbehinds sit after the first consumed char, so most positions fail on one cheap char test.
// Any one separator of dash, space, dot or slash: `536-22-8761`, `536.22.8761`, `078/05/1120`.
const SSN_FORMATTED = /\d(?<![\d-]\d)\d{2}([- ./])\d{2}\1\d{4}(?!\d|-\d)/g;
const SSN_BARE = /\d(?<![\w-]\d)\d{8}(?![\w-])/g;
// Keys in structured text too: `applicant_ssn`, `"SSN":`, `tax_id`.
const SSN_CONTEXT =
  /(?:(?<![a-z])ssn(?![a-z])|\bss#|social[\s_-]*security|\bsoc\.? ?sec|sozialversicherung|seguro[\s_-]*social|(?<![a-z])tax[\s_-]?id|(?<![a-z])tin(?![a-z])|taxpayer)/gi;
const SSN_KEY = new RegExp(SSN_CONTEXT.source, 'i');

const ssn: Detector = {
  type: 'SSN',
  category: 'identity',
  minDigits: 9,
  detect(text, out) {
    scan(text, SSN_FORMATTED, out, 'SSN', (value) => isValidSsn(digitsOf(value)));
    // Nine bare digits are rare, so candidates come first and the keyword is checked only around them.
    scan(text, SSN_BARE, out, 'SSN', (value, index) => isValidSsn(value) && keywordBefore(text, index, SSN_CONTEXT));
    if (text.includes('\n') && hasKeyword(text, SSN_CONTEXT))
      scanColumns(text, SSN_KEY, out, 'SSN', (value) => /^[\d -]{9,11}$/.test(value) && isValidSsn(digitsOf(value)));
  },
};

// Compact 13-19 digits, or the printed groupings (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4) with one consistent separator
// (space, dash, dot or slash). A comma or period before or after is a field delimiter (`17,4111111111111111,12/27`):
// Luhn, issuer prefix and brand length decide.
const CARD =
  /\d(?<!\d\d)(?:\d{12,18}|\d{3}([ ./-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{3}([ .-])\d{6}\2\d{4,5})(?!\d)/g;

const card: Detector = {
  type: 'CREDIT_CARD',
  category: 'financial',
  minDigits: 13,
  detect(text, out) {
    scan(text, CARD, out, 'CREDIT_CARD', (value) => isValidCard(digitsOf(value)));
  },
};

// Unicode letters in the local part and domain (`françois@exemple.fr`); apostrophes inside the local part
// (`patrick.o'reilly@…`), never first, so a quoted address does not take its quote.
const EMAIL =
  /(?<![\p{L}\p{N}_.%+@-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+'’-]*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}-]|\.[\p{L}\p{N}])/gu;
// Written-out forms: `maria [at] example [dot] com`, `maria(at)example.com`, `maria at example dot com`.
const EMAIL_SPELLED =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+-]*\s*(?:[[({]\s*at\s*[\])}]|\s(?:at|AT)\s)\s*[\p{L}\p{N}-]+(?:(?:\s*[[({]\s*dot\s*[\])}]\s*|\s(?:dot|DOT)\s|\.)[\p{L}\p{N}-]+)*(?:\s*[[({]\s*dot\s*[\])}]\s*|\s(?:dot|DOT)\s)(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|ca|au|ie|ch|at|be|pt|info|biz)(?![\p{L}\p{N}])/gu;
// File names are not addresses: `logo@2x.png`, `icon@3x.webp`, `report@v2.pdf`.
const FILE_EXTENSION =
  /\.(?:png|jpe?g|gif|svg|webp|bmp|ico|tiff?|heic|avif|css|s[ac]ss|m?js|cjs|jsx|tsx?|json|ya?ml|txt|pdf|docx?|xlsx?|pptx?|csv|html?|xml|woff2?|ttf|otf|mp[34]|wav|webm|log|bak|tmp)$/i;

const email: Detector = {
  type: 'EMAIL',
  category: 'contact',
  detect(text, out) {
    if (text.includes('@')) scan(text, EMAIL, out, 'EMAIL', (value) => !FILE_EXTENSION.test(value));
    if (/\bdot\b/i.test(text)) scan(text, EMAIL_SPELLED, out, 'EMAIL', (value) => /\bat\b/i.test(value));
  },
};

// NANP shapes need separators (a bare 10-digit run is more often an order number); international needs + or 00.
const PHONE_US = /(?<![\w+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d|[.-]\d)/g;
// Not right after another digit group: "3704 0044 0532" is one number, not a call to +44. Not glued to letters either:
// "001000000000001AAA" is a Salesforce Account ID, not a call to +1.
const PHONE_INTL = /(?<![\w+]|\d[ .-])(?:\+|00)[1-9][\d ().-]{5,22}\d(?!\w)/g;
const PHONE_NATIONAL = /(?<![\w+.,/-])\(?\d[\d ().-]{5,18}\d(?![\w]|[.,/-]\d)/g;
// Keys in structured text count too: `homePhone`, `mobile_number`, `"tel":`; and signature labels (`M: `, `T. `).
const PHONE_WORDS =
  /(?:phone|\bph\b|(?<![a-z])tel(?![a-z])|\bt[ée]l[ée]?\b|\btelephone|mobile?|\bmob\b|\bcell|\bcel\b|\bcelular|\bfax|\bcall(?:ed)?\b|\btext(?:ed)?\b|\bsms|whats ?app|\bcontact[\s_-]*(?:number|no|num)|\breach (?:me|him|her|us|them) (?:at|on)|\btelefon|t[ée]l[ée]phone|\bt[ée]l[ée]fono|\bm[óo]vil|\bhandy|\bportable|\bcellulare|\btlf|\btfno|電話|携帯)/i;
// Non-unicode regexes throughout: V8 runs them several times faster, and every letter here is in the BMP.
const PHONE_CONTEXT = new RegExp(`${PHONE_WORDS.source}|(?<![A-Za-z0-9À-ÿ])[tmfp]\\s?[:.]\\s`, 'gi');
const PHONE_KEY = PHONE_WORDS;
// A number right after an ID word is a reference, not a phone: `order 555-201-3344`, `ticket no. 0151 2345 6789`.
const REFERENCE_BEFORE =
  /(?:order|invoice|ticket|case|ref(?:erence)?|tracking|account|acct|policy|claim|member|po|sku|serial|part|confirmation|booking|reservation|transaction|routing|npi|mrn|isbn|batch|lot|model|licen[cs]e|id)\s*(?:no\.?|number|num|#|id)?\s*[:#]?\s*$/i;
const referenceBefore = (text: string, index: number): boolean =>
  REFERENCE_BEFORE.test(text.slice(Math.max(0, index - 32), index));
const DATE_SHAPE = /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$/;

function plausibleGroups(value: string): boolean {
  return !/[ ().-]{2,}/.test(value.replace(/\) /g, ')').replace(/ \(/g, '('));
}

const phone: Detector = {
  type: 'PHONE',
  category: 'contact',
  minDigits: 7,
  detect(text, out) {
    scan(
      text,
      PHONE_US,
      out,
      'PHONE',
      (value, index) => isPlausiblePhone(digitsOf(value)) && !referenceBefore(text, index),
    );
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
      return isPlausiblePhone(digits) && keywordBefore(text, index, PHONE_CONTEXT) && !referenceBefore(text, index);
    });
    scanColumns(
      text,
      PHONE_KEY,
      out,
      'PHONE',
      (value) => /^\+?[\d ().-]{7,22}$/.test(value) && isPlausiblePhone(digitsOf(value)) && !DATE_SHAPE.test(value),
    );
  },
};

const IPV4 = /\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)/g;
// A dotted quad after "version", "release" or "build" is a version number, and after "clause", "section", "§" a
// document number, not an address. ("API" is not on the list: "the API 10.20.30.40" is an address.)
const VERSION_CONTEXT =
  /(?:\bver(?:sion)?|\brelease|\bbuild|\brev(?:ision)?|\bpatch|\bfirmware|\bsdk|\bupgrade(?:d)? to|\bclauses?|\bsections?|\bsect?\.|§§?|\barticles?|\bart\.|\bchapters?|\bch\.|\bparagraphs?|\bpara\.?|\bitems?|\bsteps?|\brules?|\bfig(?:ure)?\.?|\btables?|\bappendix|\bannex|\bschedule|\bsubsection|\brequirements?|\breq\.?|\bcontrols?|\bpoints?)\s*[:#]?\s*$/i;
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

// Month names in the languages the keywords cover (en, de, fr, es, it, pt), full or abbreviated.
const MONTH =
  '(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|mar(?:ch)?|m[äa]rz|mars|apr(?:il)?|avr(?:il)?|may|mai|' +
  'jun[ei]?|juin|jul[yi]?|juil(?:let)?|aug(?:ust)?|ao[uû]t|sept?(?:ember|embre)?|oct(?:ober|obre)?|okt(?:ober)?|' +
  'nov(?:ember|embre)?|dec(?:ember)?|d[ée]c(?:embre)?|dez(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|' +
  'sep?tiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|' +
  'janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|novembro|dezembro)\\.?(?![A-Za-zÀ-ÿ])';
const DAY = '\\d{1,2}(?:st|nd|rd|th|er|º)?\\.?';
const DATE_BODY =
  '(?:' +
  // 1985-03-14 (with a time: 1985-03-14T00:00:00Z), 03/14/1985, 14.03.85
  '\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}(?:T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?|\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})' +
  // 14 March 1985, 14-Mar-1985, 14. März 1985, 14th of March, 1985, 14 de marzo de 1985
  `|${DAY}(?:\\s+|-|/)(?:of\\s+|de\\s+)?${MONTH},?(?:\\s+|-|/)(?:de\\s+)?(?:\\d{4}|\\d{2}(?![0-9]))` +
  // March 14, 1985; March 14th 1985; March 1985
  `|${MONTH}\\s+(?:${DAY},?\\s+)?\\d{4}` +
  // 19850314 (the keyword is required anyway; the digits are checked as a date below)
  '|\\d{8})';
const DATE = new RegExp(`(?<![A-Za-zÀ-ÿ0-9/.-])${DATE_BODY}(?![A-Za-zÀ-ÿ0-9/]|[-.]\\d)`, 'gi');
const WHOLE_DATE = new RegExp(`^${DATE_BODY}$`, 'i');
/** An 8-digit run is a date when it reads as YYYYMMDD or DDMMYYYY / MMDDYYYY with a plausible birth year. */
function compactDate(value: string): boolean {
  const ok = (year: number, month: number, day: number): boolean =>
    year >= 1900 && year <= 2030 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
  const n = (a: number, b: number): number => Number(value.slice(a, b));
  return ok(n(0, 4), n(4, 6), n(6, 8)) || ok(n(4, 8), n(2, 4), n(0, 2)) || ok(n(4, 8), n(0, 2), n(2, 4));
}
// Prose and structured keys: "date of birth", `dateOfBirth`, `birth_date`, `patient_dob`, `Geburtsdatum`,
// `date_naissance`, `fecha_nacimiento`, "né le", "nato il".
const DOB_CONTEXT =
  /(?:(?<![a-z])d\.?o\.?b(?![a-z])|date[\s_-]*of[\s_-]*birth|birth[\s_-]*(?:date|day)|\bbday|\bb-day|\bborn\b(?:\s+(?:on|in))?|geburts(?:datum|tag)|\bgeb\.|\bgeboren\b(?:\s+am)?|date[\s_-]*(?:de[\s_-]*)?naissance|\bn[ée]e?\s+le|fecha[\s_-]*(?:de[\s_-]*)?nacimiento|\bf\.\s?nac\.?|\bnacid[oa]\s+el|data[\s_-]*(?:di[\s_-]*)?nascita|\bnat[oa]\s+il|data[\s_-]*(?:de[\s_-]*)?nascimento|\bnascid[oa]\s+em)/gi;
const DOB_KEY = new RegExp(DOB_CONTEXT.source, 'i');

const dob: Detector = {
  type: 'DOB',
  category: 'identity',
  minDigits: 4,
  detect(text, out) {
    if (!hasKeyword(text, DOB_CONTEXT)) return;
    scan(
      text,
      DATE,
      out,
      'DOB',
      (value, index) => (!/^\d{8}$/.test(value) || compactDate(value)) && keywordBefore(text, index, DOB_CONTEXT, 48),
    );
    scanColumns(
      text,
      DOB_KEY,
      out,
      'DOB',
      (value) => WHOLE_DATE.test(value) && (!/^\d{8}$/.test(value) || compactDate(value)),
    );
  },
};

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?=[ .-]?[A-Za-z0-9])/g;
const IBAN_SEPARATOR = /[ .-]/;
const ALNUM = /[A-Za-z0-9]/;

/**
 * Reads the country's IBAN length of alphanumerics (single spaces, dashes or dots between groups allowed) and checks
 * mod-97. A country missing from the registry table is read to the end of its run (at most 34) and decided by the
 * checksum alone.
 */
const iban: Detector = {
  type: 'IBAN',
  category: 'financial',
  minDigits: 4,
  detect(text, out) {
    IBAN_START.lastIndex = 0;
    for (let match = IBAN_START.exec(text); match !== null; match = IBAN_START.exec(text)) {
      const known = IBAN_LENGTHS[(match[1] ?? '').toUpperCase()];
      const length = known ?? 34;
      let compact = match[0];
      let i = match.index + match[0].length;
      let separator: string | undefined;
      while (compact.length < length && i < text.length) {
        const ch = text[i] ?? '';
        if (ALNUM.test(ch)) compact += ch;
        else if (
          IBAN_SEPARATOR.test(ch) &&
          (separator === undefined || separator === ch) &&
          ALNUM.test(text[i + 1] ?? '')
        )
          separator = ch;
        else break;
        i++;
      }
      if (known !== undefined ? compact.length !== known : compact.length < 15) continue;
      if (ALNUM.test(text[i] ?? '')) continue;
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
  // URL-encoded, JSON-escaped and HTML-entity text is also read decoded; findings map back onto the encoded span, so
  // the token replaces exactly the encoded text and restore returns it byte for byte.
  const view = decodedView(text);
  if (view !== null) {
    const inView: Detection[] = [];
    const viewDigits = countDigits(view.text, 13);
    for (const detector of detectors) if ((detector.minDigits ?? 0) <= viewDigits) detector.detect(view.text, inView);
    for (const d of inView)
      found.push({ start: view.starts[d.start] as number, end: view.ends[d.end - 1] as number, type: d.type });
  }
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
