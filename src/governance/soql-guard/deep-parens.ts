/**
 * soql-parser-js 6.3.1 decides whether a run of `(` opens a `NOT` with a fixed look-ahead of 10 tokens, so valid
 * WHERE clauses that open ten or more groups in a row (`((((((((((A OR B) AND C) ...`) do not parse. This rewrites
 * such text into an equivalent form the parser reads, without recursion:
 *
 * 1. parentheses that only wrap another parenthesised group (`((X))`) are dropped;
 * 2. a group whose first operand is itself a group is rotated so a plain condition comes first: `((A OR B) AND C)`
 *    becomes `(C AND (A OR B))`. SOQL never mixes AND and OR at one level without parentheses, so every operand of a
 *    group is joined by the same operator and the order does not change which rows match.
 *
 * The guard checks (and the row cap composes) the rewritten text, so what runs is what was checked.
 */

const RUN_LIMIT = 9; // the parser reads up to nine `(` in a row
const MAX_ROTATIONS = 10_000;

interface Scan {
  /** match[i] = index of the partner paren of the paren at i, -1 elsewhere. */
  match: Int32Array;
  /** true for characters inside string literals. */
  quoted: Uint8Array;
}

function scan(text: string): Scan | undefined {
  const match = new Int32Array(text.length).fill(-1);
  const quoted = new Uint8Array(text.length);
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      const start = i;
      for (i++; i < text.length && text[i] !== "'"; i++) if (text[i] === '\\') i++;
      quoted.fill(1, start, Math.min(text.length, i + 1));
    } else if (ch === '(') stack.push(i);
    else if (ch === ')') {
      const open = stack.pop();
      if (open === undefined) return undefined;
      match[open] = i;
      match[i] = open;
    }
  }
  return stack.length === 0 ? { match, quoted } : undefined;
}

const nextSignificant = (text: string, from: number): number => {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
};
const prevSignificant = (text: string, from: number): number => {
  let i = from;
  while (i >= 0 && /\s/.test(text[i] ?? '')) i--;
  return i;
};

/** The longest run of `(` (whitespace between allowed) outside string literals, and where it starts. */
function longestRun(text: string, quoted: Uint8Array): { start: number; length: number } {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '(' || quoted[i] === 1) continue;
    let length = 0;
    let j = i;
    while (j < text.length && text[j] === '(') {
      length++;
      j = nextSignificant(text, j + 1);
    }
    if (length > best.length) best = { start: i, length };
    i = j - 1;
  }
  return best;
}

/** Step 1: drops every pair whose content is exactly one other parenthesised group. */
function dropRedundant(text: string): string {
  const scanned = scan(text);
  if (!scanned) return text;
  const drop = new Uint8Array(text.length);
  for (let open = 0; open < text.length; open++) {
    const close = scanned.match[open] ?? -1;
    if (text[open] !== '(' || scanned.quoted[open] === 1 || close < 0) continue;
    const inner = nextSignificant(text, open + 1);
    if (text[inner] === '(' && scanned.match[inner] === prevSignificant(text, close - 1)) {
      drop[open] = 1;
      drop[close] = 1;
    }
  }
  let out = '';
  for (let i = 0; i < text.length; i++) if (drop[i] !== 1) out += text[i];
  return out;
}

/** The top-level operands of the group `(open, close)`, split at AND / OR; undefined when it has one operand. */
function operands(
  text: string,
  scanned: Scan,
  open: number,
  close: number,
): { parts: string[]; operator: string } | undefined {
  const parts: string[] = [];
  let operator: string | undefined;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (scanned.quoted[i] === 1) continue;
    if (text[i] === '(') {
      i = scanned.match[i] ?? i;
      continue;
    }
    const word = /^(AND|OR)\b/i.exec(text.slice(i, i + 4));
    if (word && /\s|\)/.test(text[i - 1] ?? '') && /\s|\(/.test(text[i + word[0].length] ?? '')) {
      const found = word[1]?.toUpperCase() ?? '';
      if (operator !== undefined && operator !== found) return undefined; // mixed AND/OR: not valid SOQL, leave it
      operator = found;
      parts.push(text.slice(start, i).trim());
      start = i + word[0].length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start, close).trim());
  return operator === undefined ? undefined : { parts, operator };
}

/** Step 2: rotates the outermost group of the longest run whose first operand is a group. One rotation per call. */
function rotateOnce(text: string): string | undefined {
  const scanned = scan(text);
  if (!scanned) return undefined;
  const run = longestRun(text, scanned.quoted);
  if (run.length <= RUN_LIMIT) return undefined;
  for (let open = run.start, k = 0; k < run.length; k++, open = nextSignificant(text, open + 1)) {
    const close = scanned.match[open] ?? -1;
    const split = close < 0 ? undefined : operands(text, scanned, open, close);
    if (!split) continue;
    const plain = split.parts.findIndex((part) => !part.startsWith('('));
    if (plain <= 0) continue;
    const rotated = [...split.parts.slice(plain), ...split.parts.slice(0, plain)].join(` ${split.operator} `);
    return `${text.slice(0, open + 1)}${rotated}${text.slice(close)}`;
  }
  return undefined;
}

/** Text the parser can read, equivalent to `soql`; undefined when no rewrite applies (the parse error stands). */
export function flattenDeepParens(soql: string): string | undefined {
  const scanned = scan(soql);
  if (!scanned || longestRun(soql, scanned.quoted).length <= RUN_LIMIT) return undefined;
  let text = dropRedundant(soql);
  for (let i = 0; i < MAX_ROTATIONS; i++) {
    const next = rotateOnce(text);
    if (next === undefined) break;
    text = next;
  }
  return text === soql ? undefined : text;
}
