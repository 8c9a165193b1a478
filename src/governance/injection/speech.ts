/**
 * Benign counterparts that share an attack's words: text that quotes or reports an attack (security training, a case
 * describing a phishing e-mail) rather than making one. A hit inside quotes with framing around it ("phishing",
 * "attackers may write", "never follow") counts for little; a hit right after "the e-mail said:" counts for less.
 * A quote after "translate", "repeat" or "say" is the opposite: the wrapper hands the quoted order to the model.
 */

const OPENING = new Set(['"', '“', '«', '„', '‘', "'"]);
const CLOSING = new Set(['"', '”', '»', '“', '’', "'"]);
const LOOK_BACK = 160;
const LOOK_AHEAD = 320;

const WRAPPER_BEFORE =
  /(?:translate|repeat|say|print|output|echo|write\s+out|type|respond\s+with|reply\s+with|answer\s+with|return|complete|continue)\b[^.!?\n]{0,60}$/i;
const FRAMING =
  /\b(?:examples?|e\.g\.|such\s+as|training|awareness|phishing|scam|spam|attackers?|hackers?|malicious|suspicious|fraud\w*|social\s+engineering|red\s+flags?|never\s+(?:follow|obey|comply)|do\s+not\s+(?:follow|obey|comply)|don'?t\s+(?:follow|obey|comply)|report(?:ed)?|flagged|blocked|warn\w*|beware|watch\s+out|said|says|wrote|claimed|contained|containing|stating|saying|received|phrases?\s+like|lines?\s+like|text\s+like|injection|jailbreak\s+attempts?|quiz|module|slide|lesson)\b/i;
const REPORTED_INTRO =
  /(?:said|says|wrote|writes|asked|asking|told\s+(?:me|us|them|him|her)|claimed|claiming|saying|stating|telling\s+(?:me|us|them|him|her)|containing|contained|with\s+the\s+(?:text|phrase|line|subject(?:\s+line)?))\s*(?:to\s+|that\s+)?[:,]?\s*$/i;

/** An apostrophe opens a quote only at a word start (`'Ignore…'`), never inside a word (`don't`). */
function opensQuote(text: string, i: number): boolean {
  const ch = text[i] ?? '';
  if (!OPENING.has(ch)) return false;
  if (ch !== "'" && ch !== '‘') return true;
  return i === 0 || /[\s:(\-–—]/.test(text[i - 1] ?? '');
}

function closesQuote(text: string, i: number): boolean {
  const ch = text[i] ?? '';
  if (!CLOSING.has(ch)) return false;
  if (ch !== "'" && ch !== '’') return true;
  return !/[\p{L}\p{N}]/u.test(text[i + 1] ?? '');
}

/** The quote around `[start, end)`: its opening and closing index, if the hit sits inside one. */
function quoteAround(text: string, start: number, end: number): { open: number; close: number } | undefined {
  let open = -1;
  for (let i = start - 1; i >= Math.max(0, start - LOOK_BACK); i--) {
    if (text[i] === '\n') break;
    if (opensQuote(text, i)) {
      open = i;
      break;
    }
  }
  if (open < 0) return undefined;
  for (let i = end; i < Math.min(text.length, end + LOOK_AHEAD); i++) {
    if (text[i] === '\n') return undefined;
    if (closesQuote(text, i)) return { open, close: i };
  }
  return undefined;
}

/** Multiplier for a hit at `[start, end)`: 1 for a direct order, lower when the text quotes or reports one. */
export function reportedSpeechFactor(text: string, start: number, end: number): number {
  const quote = quoteAround(text, start, end);
  if (quote) {
    if (WRAPPER_BEFORE.test(text.slice(Math.max(0, quote.open - 80), quote.open))) return 1;
    const outside = `${text.slice(Math.max(0, quote.open - 200), quote.open)} ${text.slice(quote.close + 1, quote.close + 200)}`;
    return FRAMING.test(outside) ? 0.15 : 1;
  }
  const before = text.slice(Math.max(0, start - 200), start);
  return REPORTED_INTRO.test(before.slice(-40)) && FRAMING.test(before) ? 0.3 : 1;
}

// --- word-split obfuscation ---------------------------------------------------------------------------------------

const VERBS = ['ignore', 'disregard', 'forget', 'bypass', 'override'];
const FILLERS = ['all', 'any', 'the', 'of', 'your', 'my'];
const QUALIFIERS = ['previous', 'prior', 'above', 'earlier', 'preceding', 'initial', 'original', 'system', 'your'];
const OBJECTS = ['instructions', 'instruction', 'prompts', 'prompt', 'rules', 'directions', 'directives', 'guidelines'];
const LEAK_VERBS = ['reveal', 'show', 'print', 'repeat', 'output'];
const LEAK_OBJECTS = ['prompt', 'prompts', 'instructions'];
const alt = (list: string[]): string => `(?:${list.join('|')})`;
const JOINED = new RegExp(
  `${alt(VERBS)}${alt(FILLERS)}*${alt(QUALIFIERS)}${alt(OBJECTS)}|${alt(LEAK_VERBS)}(?:me)?(?:your|the)(?:system|initial|hidden|original)${alt(LEAK_OBJECTS)}`,
);
const SPACED = new RegExp(
  `${alt(VERBS)}(?:\\s+${alt(FILLERS)})*\\s+${alt(QUALIFIERS)}\\s+${alt(OBJECTS)}|${alt(LEAK_VERBS)}(?:\\s+me)?\\s+(?:your|the)\\s+(?:system|initial|hidden|original)\\s+${alt(LEAK_OBJECTS)}`,
  'i',
);

/**
 * Words split by stray spaces (`ign ore previ ous instruc tions`): letters joined across single spaces (any other
 * character breaks the run), matched against the core phrases. A phrase that reads normally is left to the rules.
 * Returns the original span of the first obfuscated phrase.
 */
export function splitWordPhrase(text: string): [number, number] | undefined {
  if (text.length > 20_000 || !/[a-z] [a-z]/i.test(text)) return undefined;
  const letters: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      letters.push(String.fromCharCode(code | 0x20));
      origin.push(i);
    } else if (code !== 32) {
      letters.push('|');
      origin.push(i);
    }
  }
  const joined = letters.join('');
  const m = JOINED.exec(joined);
  if (m === null) return undefined;
  const start = origin[m.index] as number;
  const end = (origin[m.index + m[0].length - 1] as number) + 1;
  return SPACED.test(text.slice(start, end)) &&
    text
      .slice(start, end)
      .split(/\s+/)
      .every((word) => word.length > 1)
    ? undefined
    : [start, end];
}
