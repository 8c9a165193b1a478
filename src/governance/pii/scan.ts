import { lineStartWithin } from '../text-lines.ts';

export { lineStartWithin };
/** What every detector shares: the finding and detector shapes, keyword context, and CSV/TSV column context. */

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

/**
 * What a text holds that regexes need before they can match. Detectors skip a regex whose necessary facts are missing
 * instead of scanning the text for nothing; each fact is exact (no guess), so a skipped regex could not have matched.
 */
export interface TextFacts {
  /** ASCII digits, and the longest run of them. */
  readonly digits: number;
  readonly maxRun: number;
  /** An ASCII capital, two in a row; a character outside ASCII. */
  readonly capitals: boolean;
  readonly capitalPair: boolean;
  readonly nonAscii: boolean;
  /** A character an encoding the decoded view reads starts with (`%`, `\\`, `&`, full-width or Arabic-Indic digits). */
  readonly encoded: boolean;
  /** An ASCII letter right before an ASCII digit (`DE89`: how an IBAN starts). */
  readonly letterDigit: boolean;
  /** `+` or `00` right before a digit 1-9 (how an international number starts). */
  readonly dialPrefix: boolean;
  /** A run of three digits or more, one space, dot or dash, then a run of four or more (`555-0134`). */
  readonly groups34: boolean;
}

let factsCache: { text: string; facts: TextFacts } | undefined;

/** The facts of `text`, computed in one pass and kept for the text last asked about (the detectors share it). */
export function textFacts(text: string): TextFacts {
  if (factsCache?.text === text) return factsCache.facts;
  let digits = 0;
  let run = 0;
  let maxRun = 0;
  let capitals = false;
  let capitalPair = false;
  let nonAscii = false;
  let encoded = false;
  let letterDigit = false;
  let dialPrefix = false;
  let groups34 = false;
  // The run before the current one, when a single space, dot or dash separates them.
  let previousRun = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Most characters are letters and spaces: the branches test the code's range first.
    if (code <= 57) {
      if (code >= 48) {
        if (run === 0) {
          const before = text.charCodeAt(i - 1);
          if (isAsciiLetter(before)) letterDigit = true;
          previousRun = isGroupSeparator(before) ? runEndingAt(text, i - 2) : 0;
        }
        digits++;
        if (++run > maxRun) maxRun = run;
        // `+` right before the run's first digit, or `00` right before a digit 1-9 inside it.
        if (code > 48 && (run === 1 ? text.charCodeAt(i - 1) === 43 : run >= 3 && text.startsWith('00', i - 2)))
          dialPrefix = true;
        if (run >= 4 && previousRun >= 3) groups34 = true;
        continue;
      }
      if (code === 37 || code === 38) encoded = true;
    } else if (code <= 90) {
      if (code >= 65) {
        if (capitals && isCapital(text.charCodeAt(i - 1))) capitalPair = true;
        capitals = true;
      }
    } else if (code === 92) encoded = true;
    else if (code >= 128) {
      nonAscii = true;
      if (isEncodedDigit(code)) encoded = true;
    }
    run = 0;
  }
  const facts = { digits, maxRun, capitals, capitalPair, nonAscii, encoded, letterDigit, dialPrefix, groups34 };
  factsCache = { text, facts };
  return facts;
}

const isCapital = (code: number): boolean => code >= 65 && code <= 90;
const isAsciiLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isGroupSeparator = (code: number): boolean => code === 32 || code === 46 || code === 45;

/** The length of the digit run that ends at `end` (inclusive); at most 4 digits are counted, all a fact needs. */
function runEndingAt(text: string, end: number): number {
  let length = 0;
  while (length < 4 && end - length >= 0 && isDigitCode(text.charCodeAt(end - length))) length++;
  return length;
}
const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;

/** Full-width and Arabic-Indic digits, which the decoded view reads as ASCII (`%`, `\\` and `&` open the others). */
const isEncodedDigit = (code: number): boolean =>
  (code >= 0xff10 && code <= 0xff19) || (code >= 0x0660 && code <= 0x0669) || (code >= 0x06f0 && code <= 0x06f9);

/** The ASCII digits of `value`, in order (what `value.replace(/\D/g, '')` gives, without a regex). */
export function digitsOf(value: string): string {
  let digits = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) continue;
    if (i > from) digits += value.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? value : digits + value.slice(from);
}

/**
 * True when a keyword matches in the `window` characters before `index` with no digit between it and `index`. Keywords
 * hold no digits, so that is a match in the text after the window's last digit: one test, no match list.
 */
export function keywordBefore(text: string, index: number, keyword: RegExp, window = 40): boolean {
  let from = Math.max(0, index - window);
  for (let i = index - 1; i >= from; i--) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      from = i + 1;
      break;
    }
  }
  if (from >= index) return false;
  // A window that starts inside a word would read its tail as a word of its own ("Host:" as "t:"): start at the word.
  if (from > 0 && from === index - window) from = wordStart(text, from);
  keyword.lastIndex = 0;
  const found = keyword.test(text.slice(from, index));
  keyword.lastIndex = 0;
  return found;
}

const isLetterCode = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 0xc0 && code <= 0x24f);

/** `at`, moved back to the start of the word it falls in (at most 24 letters back), so a window never cuts a word. */
export function wordStart(text: string, at: number): number {
  const limit = Math.max(0, at - 24);
  while (at > limit && isLetterCode(text.charCodeAt(at - 1))) at--;
  return at;
}

/** The `window` characters before `index`, widened back to a word start. */
export const textBefore = (text: string, index: number, window: number): string =>
  text.slice(wordStart(text, Math.max(0, index - window)), index);

/** Cheap whole-text test so context-only detectors skip texts without any keyword. */
export function hasKeyword(text: string, keyword: RegExp): boolean {
  keyword.lastIndex = 0;
  const found = keyword.test(text);
  keyword.lastIndex = 0;
  return found;
}

export function scan(
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
export function columnCells(text: string, key: { test(name: string): boolean }): Array<[number, number]> {
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
export function scanColumns(
  text: string,
  key: { test(name: string): boolean },
  out: Detection[],
  type: string,
  accept: (value: string) => boolean,
): void {
  for (const [start, end] of columnCells(text, key))
    if (end > start && accept(text.slice(start, end))) out.push({ start, end, type });
}

const TURN_REACH = 120;
const QUESTION_REACH = 400;
const GLOBAL_COPIES = new Map<RegExp, RegExp>();
/** `keyword` with the global flag (to list every match), compiled once per keyword. */
function globalCopy(keyword: RegExp): RegExp {
  let copy = GLOBAL_COPIES.get(keyword);
  if (copy === undefined) {
    copy = new RegExp(keyword.source, 'gi');
    GLOBAL_COPIES.set(keyword, copy);
  }
  copy.lastIndex = 0;
  return copy;
}

// A turn of a transcript or a Q&A: a speaker's name or role with a colon (`Caller:`, `[10:04] Cliente:`), `A.` or a
// quoted reply (`>`), then at most a few words before the value (`Oui, c'est le`, `Yes, it's`).
const ANSWER_TURN =
  /^\s*(?:\[[\d:. ]{3,12}\]\s*)?(?:[^\s\d:：]{1,20}(?: [^\s\d:：]{1,20})?\s?[:：]|[AR]\.|>)[^\d\n]{0,24}$/;

/**
 * The value opens a reply to the line before, and that line asks for this kind of value ("Agent: And your date of
 * birth?" / "Caller: 14/02/1979"): the question is the value's label, one turn up.
 */
export function answersPrevious(text: string, index: number, keyword: RegExp): boolean {
  // A turn's opening is short (ANSWER_TURN), and only the end of the line above can ask: both are read within a
  // bounded reach, so each value costs the same however long the text or its lines are.
  const lineStart = lineStartWithin(text, index, TURN_REACH);
  if (lineStart <= 0 || !ANSWER_TURN.test(text.slice(lineStart, index))) return false;
  let end = lineStart - 1;
  while (end > 0 && /\s/.test(text[end - 1] ?? '')) end--;
  const previous = text.slice(Math.max(lineStartWithin(text, end, QUESTION_REACH), end - QUESTION_REACH), end);
  // Only the last sentence of the turn above asks the question, and it asks: no value follows the word there (a form's
  // `Date of birth: 01/02/1980` line labels its own value, not the next line's).
  const question = previous.slice(Math.max(0, previous.replace(/[.?!\s]+$/, '').search(/[.!?][^.!?]*$/)));
  const words = globalCopy(keyword);
  let after = -1;
  for (let m = words.exec(question); m !== null; m = words.exec(question)) after = m.index + m[0].length;
  return after >= 0 && !/\d/.test(question.slice(after));
}
