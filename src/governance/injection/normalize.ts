/**
 * The screening view of a text: obfuscation undone so one rule set sees `ignore`, `іgnоrе`, `i g n o r e`, `1gn0r3`,
 * `ｉｇｎｏｒｅ` and `ig\u200Bnore` alike. `map[i]` is the original index of normalized char i, so spans can be cut out
 * of the original; `changed[i]` marks chars produced by de-obfuscation (used to add the `obfuscation` category).
 */
export interface NormalizedText {
  text: string;
  map: Int32Array | null; // null: identity
  changed: Uint8Array | null;
  zeroWidthInWords: number;
  hiddenTags: string; // ASCII smuggled in Unicode tag characters (U+E0000-E007F)
}

const ZERO_WIDTH = new Set([
  0xad, 0x34f, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff,
]);

// Cyrillic and Greek letters that render like Latin ones; applied only next to Latin letters (mixed-script words).
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
};
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };

const isLatinCode = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const LETTER = /\p{L}/u;
const isLetterAt = (text: string, index: number): boolean => {
  const code = text.charCodeAt(index);
  if (Number.isNaN(code)) return false;
  return isLatinCode(code) || (code >= 0xc0 && LETTER.test(text[index] as string));
};
const SEPARATOR = new Set([32, 46, 45, 42, 0xb7]);
/** A Latin letter right next to `at`, or one separator away (spaced-out words). */
function latinNearby(text: string, at: number): boolean {
  for (const step of [-1, 1]) {
    const next = text.charCodeAt(at + step);
    if (isLatinCode(next) || (SEPARATOR.has(next) && isLatinCode(text.charCodeAt(at + 2 * step)))) return true;
  }
  return false;
}
// Letters (3+) joined by one separator: "i g n o r e", "I.g.n.o.r.e", "d-i-s-r-e-g-a-r-d".
const SPACED = /(?<![\p{L}\p{N}])\p{L}(?:[ .\-*·]\p{L}){3,}(?![\p{L}\p{N}])/gu;
const MIXED_WORD = /\b(?=[a-z]*[0-9])(?=[0-9]*[a-z])[a-z0-9]{2,}\b/gi;
const LEET_ANY_WORD = /\b[a-z0-9]{1,16}\b/gi;
const PLAIN = /^[\x20-\x5e\x60-\x7e\t\n\r]*$/;
const ASCII = /^[\x20-\x7e\t\n\r]*$/;

type Chars = { text: string; map: Int32Array | null; changed: Uint8Array | null };

/** Pass 1, per UTF-16 unit or code point: zero-width, tags, NFKC, homoglyphs, `_`. */
function perCodePoint(text: string): Chars & { zeroWidthInWords: number; hiddenTags: string } {
  const out: string[] = [];
  const map: number[] = [];
  const changed: number[] = [];
  let zeroWidthInWords = 0;
  let hiddenTags = '';
  let lastFlag = -16;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const at = i;
    i += width - 1;
    if (code < 0x80) {
      out.push(code === 0x5f ? ' ' : (text[at] as string));
      map.push(at);
      changed.push(0);
      continue;
    }
    if (ZERO_WIDTH.has(code)) {
      if (isLetterAt(text, at - 1) && isLetterAt(text, at + 1)) zeroWidthInWords++;
      continue;
    }
    if (code === 0x1f3f4) lastFlag = at;
    if (code >= 0xe0000 && code <= 0xe007f) {
      // Tag characters also spell subdivision flags right after U+1F3F4; other runs are hidden text.
      if (at - lastFlag > 16 && code >= 0xe0020 && code < 0xe007f) hiddenTags += String.fromCharCode(code - 0xe0000);
      continue;
    }
    const ch = text.slice(at, at + width);
    const homoglyph = HOMOGLYPHS[ch];
    if (homoglyph !== undefined && latinNearby(text, at)) {
      out.push(homoglyph);
      map.push(at);
      changed.push(1);
      continue;
    }
    const folded = code >= 0x2000 || (code >= 0xff00 && code <= 0xffef) ? ch.normalize('NFKC') : ch;
    for (let k = 0; k < folded.length; k++) {
      out.push(folded[k] as string);
      map.push(at);
      changed.push(folded === ch ? 0 : 1);
    }
  }
  return {
    text: out.join(''),
    map: Int32Array.from(map),
    changed: Uint8Array.from(changed),
    zeroWidthInWords,
    hiddenTags,
  };
}

/** Pass 2: collapse spaced-out letters; a separator other than the run's usual one stays as a word gap. */
function collapse(input: Chars): Chars {
  SPACED.lastIndex = 0;
  if (!SPACED.test(input.text)) return input;
  SPACED.lastIndex = 0;
  const out: string[] = [];
  const map: number[] = [];
  const changed: number[] = [];
  const origin = (i: number): number => (input.map === null ? i : (input.map[i] as number));
  const copy = (from: number, to: number, mark: boolean): void => {
    for (let i = from; i < to; i++) {
      out.push(input.text[i] as string);
      map.push(origin(i));
      changed.push(mark || input.changed?.[i] === 1 ? 1 : 0);
    }
  };
  let cursor = 0;
  for (let match = SPACED.exec(input.text); match !== null; match = SPACED.exec(input.text)) {
    copy(cursor, match.index, false);
    const run = match[0];
    const counts = new Map<string, number>();
    for (let i = 1; i < run.length; i += 2) counts.set(run[i] as string, (counts.get(run[i] as string) ?? 0) + 1);
    const usual = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    for (let i = 0; i < run.length; i++) {
      if (i % 2 === 1 && run[i] === usual) continue;
      out.push(i % 2 === 1 ? ' ' : (run[i] as string));
      map.push(origin(match.index + i));
      changed.push(1);
    }
    cursor = match.index + run.length;
  }
  copy(cursor, input.text.length, false);
  return { text: out.join(''), map: Int32Array.from(map), changed: Uint8Array.from(changed) };
}

/** Pass 3: leetspeak inside words that mix letters and digits; with several such words, short numbers too. */
function unleet(input: Chars): Chars {
  MIXED_WORD.lastIndex = 0;
  const mixed = input.text.match(MIXED_WORD);
  if (mixed === null) return input;
  const candidates = mixed.filter((word) => /[013457]/.test(word));
  if (candidates.length === 0) return input;
  const heavy = candidates.length >= 3;
  const chars = input.text.split('');
  const changed = input.changed ?? new Uint8Array(chars.length);
  const regex = heavy ? LEET_ANY_WORD : MIXED_WORD;
  regex.lastIndex = 0;
  for (let m = regex.exec(input.text); m !== null; m = regex.exec(input.text)) {
    for (let i = m.index; i < m.index + m[0].length; i++) {
      const replacement = LEET[chars[i] as string];
      if (replacement !== undefined) {
        chars[i] = replacement;
        changed[i] = 1;
      }
    }
  }
  return { text: chars.join(''), map: input.map, changed };
}

export function normalizeForScreening(text: string): NormalizedText {
  let zeroWidthInWords = 0;
  let hiddenTags = '';
  let chars: Chars = { text, map: null, changed: null };
  if (ASCII.test(text)) {
    // Pure ASCII: pass 1 only turns `_` into a space, one char for one, so the map stays the identity.
    if (!PLAIN.test(text)) chars = { text: text.replaceAll('_', ' '), map: null, changed: null };
  } else {
    ({ zeroWidthInWords, hiddenTags, ...chars } = perCodePoint(text));
  }
  chars = unleet(collapse(chars));
  return { ...chars, zeroWidthInWords, hiddenTags };
}

/** Original `[start, end)` of a normalized range. */
export function originalRange(
  view: NormalizedText,
  start: number,
  end: number,
  originalLength: number,
): [number, number] {
  if (view.map === null) return [start, end];
  const from = view.map[start] ?? originalLength;
  const last = view.map[Math.max(start, end - 1)] ?? originalLength - 1;
  return [from, Math.min(originalLength, last + 1)];
}

/** True when any char of the normalized range came from de-obfuscation. */
export function rangeChanged(view: NormalizedText, start: number, end: number): boolean {
  if (view.changed === null) return false;
  for (let i = start; i < end; i++) if (view.changed[i] === 1) return true;
  return false;
}
