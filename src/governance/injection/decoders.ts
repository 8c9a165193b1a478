/**
 * Finds encoded runs (base64, hex, percent-encoding) in the original text and decodes those that turn out to be
 * readable text; the caller screens the decoded text. Binary payloads (images, hashes) decode to non-text and are
 * ignored, so attachments and checksums do not raise false positives.
 */
export interface DecodedRun {
  start: number;
  end: number;
  encoding: 'base64' | 'hex' | 'percent';
  decoded: string;
}

const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Fa-f])|(?:\\x[0-9A-Fa-f]{2}){8,}/g;
const PERCENT = /(?:%[0-9A-Fa-f]{2}[A-Za-z0-9 ]{0,3}){8,}/g;
const MAX_RUNS = 64; // bounds the work per text; more runs than this are screened only by the plain rules

/** Readable text: mostly printable, contains letters and at least one space. */
export function isReadable(text: string): boolean {
  if (text.length < 8 || text.includes('\ufffd')) return false;
  let printable = 0;
  let letters = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if ((code >= 0x20 && code !== 0x7f) || ch === '\n' || ch === '\t' || ch === '\r') printable++;
    if (/\p{L}/u.test(ch)) letters++;
  }
  const length = [...text].length;
  return printable / length >= 0.95 && letters / length >= 0.5 && /\s/.test(text);
}

function push(runs: DecodedRun[], start: number, end: number, encoding: DecodedRun['encoding'], decoded: string): void {
  if (runs.length < MAX_RUNS && isReadable(decoded)) runs.push({ start, end, encoding, decoded });
}

export function findEncodedRuns(text: string): DecodedRun[] {
  const runs: DecodedRun[] = [];
  BASE64.lastIndex = 0;
  for (let m = BASE64.exec(text); m !== null && runs.length < MAX_RUNS; m = BASE64.exec(text)) {
    if (/^[0-9A-Fa-f]+$/.test(m[0])) continue; // hex digits only: handled as hex
    const decoded = Buffer.from(m[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    push(runs, m.index, m.index + m[0].length, 'base64', decoded);
  }
  HEX.lastIndex = 0;
  for (let m = HEX.exec(text); m !== null && runs.length < MAX_RUNS; m = HEX.exec(text)) {
    const decoded = Buffer.from(m[0].replace(/\\x/g, ''), 'hex').toString('utf8');
    push(runs, m.index, m.index + m[0].length, 'hex', decoded);
  }
  if (text.includes('%')) {
    PERCENT.lastIndex = 0;
    for (let m = PERCENT.exec(text); m !== null && runs.length < MAX_RUNS; m = PERCENT.exec(text)) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(m[0]);
      } catch {
        continue;
      }
      push(runs, m.index, m.index + m[0].length, 'percent', decoded);
    }
  }
  return runs;
}

/** ROT13 keeps length and positions, so rule hits on it map straight back onto the original. */
export function rot13(text: string): string {
  // A char-code loop: a replace callback per letter costs several times more on long tool results.
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 65 && code <= 90) codes[i] = ((code - 52) % 26) + 65;
    else if (code >= 97 && code <= 122) codes[i] = ((code - 84) % 26) + 97;
    else codes[i] = code;
  }
  // utf16le copies code units as they are (lone surrogates included), so positions and text match the old replace.
  return Buffer.from(codes.buffer, codes.byteOffset, codes.byteLength).toString('utf16le');
}
