/**
 * The decoded view of a text: URL-encoding (`%40`), JSON string escapes (`\u0040`, `\"`) and HTML entities (`&#64;`,
 * `&commat;`) undone and full-width forms and Arabic-Indic digits read as ASCII, so `maria.lopez%40example.com` is
 * seen as an e-mail address and `０３－１２３４－５６７８` or `۰۹۱۲ ۳۴۵ ۶۷۸۹` as a phone number. `starts[i]`/`ends[i]`
 * give the original `[start, end)` of decoded char i, so a finding on the view masks exactly the encoded text it came
 * from and restore gives back the original bytes.
 */
export interface DecodedView {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
}

// Full-width digits (`０３－１２３４－５６７８`, as Japanese and Chinese forms print them) and Arabic-Indic digits
// (`۰۹۱۲ ۳۴۵ ۶۷۸۹`, as Arabic and Persian texts print them) are read as ASCII too.
const ANY_ENCODING =
  /%[0-9A-Fa-f]{2}|\\(?:u[0-9A-Fa-f]{4}|["\\/nrtbf])|&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});|[\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/;
const PERCENT = /%([0-9A-Fa-f]{2})/y;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]{2,8}));/y;
const JSON_SIMPLE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  r: '\r',
  t: '\t',
  b: ' ',
  f: ' ',
};
// The entities that can stand inside the values the detectors look for (separators, `@`, `+`, digits' neighbours).
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  commat: '@',
  period: '.',
  plus: '+',
  minus: '-',
  hyphen: '-',
  dash: '‐',
  ndash: '–',
  colon: ':',
  sol: '/',
  lpar: '(',
  rpar: ')',
  comma: ',',
  num: '#',
  lowbar: '_',
  percnt: '%',
  semi: ';',
  equals: '=',
  lsqb: '[',
  rsqb: ']',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
};

const ENTITIES = new RegExp(ENTITY.source, 'g');

/**
 * What one HTML character reference stands for, from its decimal (`&#64;`), hex (`&#x40;`) or named (`&commat;`) part;
 * undefined for a code point outside Unicode or a name not in the table above.
 */
function entityChar(
  decimal: string | undefined,
  hex: string | undefined,
  name: string | undefined,
): string | undefined {
  if (decimal !== undefined || hex !== undefined) {
    const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex as string, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return NAMED[(name ?? '').toLowerCase()];
}

/** The text with every HTML character reference it knows decoded (only that encoding; others stay as written). */
export function decodeHtmlEntities(text: string): string {
  return text.replace(
    ENTITIES,
    (all, decimal?: string, hex?: string, name?: string) => entityChar(decimal, hex, name) ?? all,
  );
}

const isHex = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

/**
 * The ASCII form of a full-width form (`０` → `0`, `－` → `-`, `＠` → `@`), of the ideographic space or of an
 * Arabic-Indic digit (`٣` → `3`, `۳` → `3`); else undefined.
 */
function fullWidth(code: number): string | undefined {
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xfee0);
  // Arabic-Indic (`٠١٢`) and Extended Arabic-Indic (Persian, Urdu: `۰۱۲`) digits read as ASCII digits too.
  if (code >= 0x0660 && code <= 0x0669) return String.fromCharCode(code - 0x0660 + 48);
  if (code >= 0x06f0 && code <= 0x06f9) return String.fromCharCode(code - 0x06f0 + 48);
  return code === 0x3000 ? ' ' : undefined;
}

/** The decoded view, or null when the text holds no encoding (the common case: nothing to do). */
export function decodedView(text: string): DecodedView | null {
  if (!ANY_ENCODING.test(text)) return null;
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (chars: string, start: number, end: number): void => {
    for (const ch of chars) {
      for (let k = 0; k < ch.length; k++) {
        out.push(ch[k] as string);
        starts.push(start);
        ends.push(end);
      }
    }
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '%' && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      // A UTF-8 sequence is one %XX run: decode the lead byte with its continuation bytes.
      const bytes: number[] = [];
      let j = i;
      PERCENT.lastIndex = j;
      for (let m = PERCENT.exec(text); m !== null && bytes.length < 4; m = PERCENT.exec(text)) {
        const byte = Number.parseInt(m[1] as string, 16);
        if (bytes.length > 0 && (byte & 0xc0) !== 0x80) break;
        bytes.push(byte);
        j = PERCENT.lastIndex;
        if (bytes.length === 1 && byte < 0x80) break;
      }
      const decoded = Buffer.from(bytes).toString('utf8');
      if (!decoded.includes('\ufffd')) {
        push(decoded, i, j);
        i = j;
        continue;
      }
    } else if (ch === '\\') {
      const next = text[i + 1] ?? '';
      if (next === 'u' && [2, 3, 4, 5].every((k) => isHex(text.charCodeAt(i + k)))) {
        push(String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
      const simple = JSON_SIMPLE[next];
      if (simple !== undefined) {
        push(simple, i, i + 2);
        i += 2;
        continue;
      }
    } else if (ch === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (m !== null) {
        const decoded = entityChar(m[1], m[2], m[3]);
        if (decoded !== undefined) {
          push(decoded, i, i + m[0].length);
          i += m[0].length;
          continue;
        }
      }
    }
    push(fullWidth(ch.charCodeAt(0)) ?? ch, i, i + 1);
    i++;
  }
  return { text: out.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}
