import type { Detection, Detector } from './scan.ts';
import { isPlausiblePhone, isValidCard, isValidSsn } from './validators.ts';

/**
 * Numbers spoken digit by digit, as call transcripts write them: "four five five six, seven three one two…",
 * "oh-seven-nine-one-one, two-three-four…", "nine double-oh, one two three", "five three one, twenty-two, …". A run of
 * digit words (English; `oh`/`nought` for zero, `double`/`triple` before a digit, tens with their unit) is read as its
 * digits (`hundred` after a digit as two zeros), each mapped back to the words it came from; a run that spells a card (Luhn), an SSN or a phone number, with a
 * word for that kind of number in the sentence before, is masked from its first digit word to its last.
 */

const UNITS: Readonly<Record<string, number>> = {
  zero: 0,
  oh: 0,
  o: 0,
  nought: 0,
  nil: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  niner: 9,
  // es, pt, it, fr, de: the digits as callers read a number out one by one ("tres, uno, cero…", "null eins sieben…").
  cero: 0,
  uno: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  um: 1,
  dois: 2,
  duas: 2,
  três: 3,
  quatro: 4,
  sete: 7,
  oito: 8,
  nove: 9,
  due: 2,
  tre: 3,
  quattro: 4,
  cinque: 5,
  sei: 6,
  sette: 7,
  otto: 8,
  zéro: 0,
  un: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  sept: 7,
  huit: 8,
  neuf: 9,
  null: 0,
  eins: 1,
  zwei: 2,
  zwo: 2,
  drei: 3,
  vier: 4,
  fünf: 5,
  sechs: 6,
  sieben: 7,
  acht: 8,
  neun: 9,
};
const TEENS: Readonly<Record<string, number>> = {
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  // French pairs, as French numbers are read (`06 42 18 33 07`: "zéro six, quarante-deux, dix-huit…").
  onze: 11,
  douze: 12,
  treize: 13,
  quatorze: 14,
  quinze: 15,
  seize: 16,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 2,
  thirty: 3,
  forty: 4,
  fifty: 5,
  sixty: 6,
  seventy: 7,
  eighty: 8,
  ninety: 9,
  dix: 1,
  vingt: 2,
  trente: 3,
  quarante: 4,
  cinquante: 5,
  soixante: 6,
};
const REPEAT: Readonly<Record<string, number>> = { double: 2, triple: 3 };

const WORD = /[A-Za-zÀ-ÿ]+/g;
// Between two digit words of one number: spaces, and at most one comma or dash (`five-six`, `one two, three`).
const JOIN = /^[ \t]*(?:[,\-–][ \t]*)?$/;
// A quick test that the text holds a spoken digit at all.
const HINT =
  /(?<![A-Za-zÀ-ÿ])(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cinco|um|dois|due|tre|zéro|deux|trois|quatre|null|eins|zwei|drei|vier|fünf)(?![A-Za-zÀ-ÿ])/i;

const CARD_WORDS = /(?<![a-z])(?:card|credit|debit|visa|master\s?card|amex|long number)(?![a-z])/i;
const SSN_WORDS = /(?<![a-z])(?:social|ssn|soc(?:ial)?\s+sec(?:urity)?|tax\s+id)(?![a-z])/i;
const PHONE_WORDS =
  /(?<![a-zà-ÿ])(?:phone|mobile|cell|number|landline|reach|call(?:\s?back)?|contact|text|ring|extension|whats\s?app|tel[ée]fono|telefone|telefono|telefon(?:nummer)?|t[ée]l[ée]phone|celular|cellulare|m[óo]vil|portable|handy|r[üu]ckruf|num[ée]ro|n[úu]mero|numero|nummer|joindre|llamar|ligar|chiamare|erreichbar)(?![a-zà-ÿ])/i;

/** One digit read from the text: its value and the original span of the word(s) it came from. */
interface SpokenDigit {
  digit: string;
  start: number;
  end: number;
}

/** The runs of spoken digits in a text, each as its digits with their original spans. */
function spokenRuns(text: string): SpokenDigit[][] {
  const runs: SpokenDigit[][] = [];
  let run: SpokenDigit[] = [];
  let lastEnd = -1;
  let repeat = 0;
  let repeatStart = -1;
  let tens: SpokenDigit | undefined;
  const close = (): void => {
    if (run.length > 0) runs.push(run);
    run = [];
    repeat = 0;
    tens = undefined;
  };
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const word = m[0].toLowerCase();
    const start = m.index;
    const end = start + m[0].length;
    const joined = lastEnd >= 0 && JOIN.test(text.slice(lastEnd, start));
    if (!joined) close();
    const unit = UNITS[word];
    if (unit !== undefined) {
      if (tens !== undefined && word !== 'oh' && unit > 0 && repeat === 0) {
        // "twenty-two": the unit replaces the tens' zero.
        const last = run[run.length - 1] as SpokenDigit;
        last.digit = String(unit);
        last.end = end;
        tens = undefined;
      } else {
        const from = repeat > 0 ? repeatStart : start;
        for (let k = 0; k < Math.max(repeat, 1); k++) run.push({ digit: String(unit), start: from, end });
        tens = undefined;
      }
      repeat = 0;
    } else if (TEENS[word] !== undefined && repeat === 0) {
      const value = String(TEENS[word]);
      run.push({ digit: value[0] as string, start, end }, { digit: value[1] as string, start, end });
      tens = undefined;
    } else if (TENS[word] !== undefined && repeat === 0) {
      run.push({ digit: String(TENS[word]), start, end });
      tens = { digit: '0', start, end };
      run.push(tens);
    } else if (word === 'hundred' && repeat === 0 && tens === undefined && run.length > 0) {
      // "eight hundred" after a digit: the two zeros of a 1-800 number.
      run.push({ digit: '0', start, end }, { digit: '0', start, end });
    } else if ((word === 'dash' || word === 'hyphen') && repeat === 0 && run.length > 0) {
      // "five five five dash one two one two": the separator said aloud.
      tens = undefined;
    } else if (REPEAT[word] !== undefined && repeat === 0) {
      repeat = REPEAT[word] as number;
      repeatStart = start;
      tens = undefined;
    } else {
      close();
      lastEnd = -1;
      continue;
    }
    lastEnd = end;
  }
  close();
  // "Oh, it's…" is an exclamation: a leading `oh` set apart by a comma is no zero.
  return runs.map((digits) => {
    const first = digits[0] as SpokenDigit;
    const second = digits[1];
    if (
      digits.length > 1 &&
      second !== undefined &&
      /^oh?$/i.test(text.slice(first.start, first.end)) &&
      text.slice(first.end, second.start).includes(',')
    )
      return digits.slice(1);
    return digits;
  });
}

let cache: { text: string; found: Detection[] } | undefined;

/** What the spoken runs of a text spell, typed, computed once per text for the three detectors. */
function spokenNumbers(text: string): Detection[] {
  if (cache?.text === text) return cache.found;
  const found: Detection[] = [];
  if (HINT.test(text)) {
    for (const run of spokenRuns(text)) {
      if (run.length < 7) continue;
      const digits = run.map((d) => d.digit).join('');
      const start = (run[0] as SpokenDigit).start;
      const end = (run[run.length - 1] as SpokenDigit).end;
      // The word for the number is asked or said before it, or just after ("…, that's my card number").
      const before = `${text.slice(Math.max(0, start - 160), start)} ${text.slice(end, end + 40)}`;
      let type: string | undefined;
      if (isValidCard(digits) && CARD_WORDS.test(before)) type = 'CREDIT_CARD';
      else if (digits.length === 9 && isValidSsn(digits) && SSN_WORDS.test(before)) type = 'SSN';
      else if (isPlausiblePhone(digits) && PHONE_WORDS.test(before)) type = 'PHONE';
      if (type !== undefined) found.push({ start, end, type });
    }
  }
  cache = { text, found };
  return found;
}

const spoken = (type: string, category: string): Detector => ({
  type,
  category,
  minDigits: 0,
  detect(text, out) {
    for (const detection of spokenNumbers(text)) if (detection.type === type) out.push({ ...detection });
  },
});

export const spokenCard = spoken('CREDIT_CARD', 'financial');
export const spokenSsn = spoken('SSN', 'identity');
export const spokenPhone = spoken('PHONE', 'contact');
