import { stdnum } from 'stdnum';
import { idLabelBefore, underIdColumn } from './identifiers.ts';
import { type Detection, type Detector, columnCells, hasKeyword, keywordBefore, textFacts } from './scan.ts';

/**
 * National identifiers outside the US (`NATIONAL_ID`). Every candidate must pass its identifier's checksum (the rules
 * come from `stdnum`; SNILS and My Number, which it lacks, are written out below). Shapes that are only a run of digits
 * (BSN, PESEL, CPF, CPR, personnummer, SIN, Aadhaar, Steuer-ID…) are taken only after a label naming the identifier, or
 * under a column header naming it; distinctive shapes with a strong check (codice fiscale, Chinese RIC, CURP, NINO, a
 * formatted CPF or SNILS, NIR, DNI/NIE) are taken without one. A value after an identifier label (`order`, `invoice`,
 * `SKU`) or under such a column is a look-alike whatever its checksum.
 */

type Check = (compact: string) => boolean;
/** stdnum's check, for a person's number: one stdnum knows to be a company's (a Portuguese NIF from 5, a CUIT from 30) is not PII. */
const check =
  (validator: { validate(value: string): { isValid: boolean; isIndividual?: boolean } }): Check =>
  (compact) => {
    const result = validator.validate(compact);
    return result.isValid && result.isIndividual !== false;
  };

/**
 * Russian SNILS (страховой номер индивидуального лицевого счёта), which stdnum lacks. The Pension Fund's rule: the
 * first nine digits weighted 9 down to 1 and summed; below 100 the sum is the check number, 100 or 101 give 00, above
 * 101 the sum mod 101 is (with 100 again giving 00). Numbers up to 001-001-998 were issued without a check and are not
 * taken.
 */
export function isValidSnils(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || Number(digits.slice(0, 9)) <= 1001998) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (9 - i);
  const key = sum < 100 ? sum : sum % 101 === 100 ? 0 : sum % 101;
  return key === Number(digits.slice(9));
}

/**
 * Japanese Individual Number (マイナンバー, 個人番号), which stdnum lacks. The rule of the ministry's ordinance on the
 * number (総務省令第85号 第5条): with P(n) the n-th of the first eleven digits counted from the right and Q(n) = n + 1
 * for n ≤ 6, n − 5 above, the remainder r of ΣP(n)·Q(n) by 11 gives the check digit 0 when r ≤ 1, else 11 − r.
 */
export function isValidMyNumber(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) sum += Number(digits[11 - n]) * (n <= 6 ? n + 1 : n - 5);
  const r = sum % 11;
  return (r <= 1 ? 0 : 11 - r) === Number(digits[11]);
}

/** Swedish personnummer: stdnum wants the separator before the last four digits. */
const personnummer: Check = (compact) => check(stdnum.SE.personnummer)(`${compact.slice(0, -4)}-${compact.slice(-4)}`);

/** Label words: `words` read case-insensitively, `acronyms` as written (`SIN`, not Spanish "sin"; `NIE`, not Polish "nie"). */
interface Label {
  readonly words: RegExp;
  readonly acronyms: RegExp | undefined;
  /** The label words as bare alternatives, for the whole-text prefilter. */
  readonly loose: readonly string[];
}

const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}])';
const label = (words: string[], acronyms: string[] = []): Label => ({
  words: new RegExp(`${B}(?:${words.join('|')})${E}`, 'iu'),
  acronyms: acronyms.length > 0 ? new RegExp(`${B}(?:${acronyms.join('|')})${E}`, 'u') : undefined,
  loose: words.map((word) => word.replace(NOT_A_PERSON, '')),
});
// Acronyms are capitals: a text without an ASCII capital holds none.
const labelBefore = (text: string, index: number, { words, acronyms }: Label): boolean =>
  keywordBefore(text, index, words) ||
  (acronyms !== undefined && textFacts(text).capitals && keywordBefore(text, index, acronyms));
const labelIn = (name: string, { words, acronyms }: Label): boolean =>
  words.test(name) || (acronyms?.test(name) ?? false);
const labelAnywhere = (text: string, { words, acronyms }: Label): boolean =>
  hasKeyword(text, words) || (acronyms !== undefined && textFacts(text).capitals && hasKeyword(text, acronyms));

// What an employee, order or account number is called is no national identifier: `employee ID number`.
const NOT_A_PERSON =
  '(?<!(?:order|invoice|account|customer|client|employer|employee|company|business|staff|member|user|ticket|case|transaction|product|record|session|device|student|patient|shipment|tracking|booking|reference|vendor|supplier|item|tax)[\\s_-]*)';

/** A label naming no one identifier: every rule may read the value after it. */
const GENERIC = label([
  'national[\\s_-]*(?:id|identity|identification|insurance)(?:[\\s_-]*(?:card|number|no|nr|#))*',
  '(?:personal|citizen|resident)[\\s_-]*(?:id|identity|identification)(?:[\\s_-]*(?:number|no|#))?',
  `${NOT_A_PERSON}id(?:entity)?[\\s_-]*(?:card[\\s_-]*)?(?:number|no|nr|#)`,
  `${NOT_A_PERSON}identification[\\s_-]*number`,
  'n[úu]mero[\\s_-]+de[\\s_-]+(?:identidad|identifica[çc][ãa]o|identificaci[óo]n)',
  'documento[\\s_-]+(?:nacional[\\s_-]+)?de[\\s_-]+identidad',
  "num[ée]ro[\\s_-]+(?:d['’]identit[ée]|d['’]identification)",
  'identiteitsnummer',
  'kimlik[\\s_-]*(?:no|numaras[ıi])',
]);

const NIR_LABEL = label(
  ['n[°º]\\s*de\\s*s[ée]curit[ée]\\s*sociale', 's[ée]curit[ée]\\s*sociale', 'carte\\s*vitale', 'insee'],
  ['NIR'],
);
const RIC_LABEL = label(
  ['身份证(?:号码?)?', '身份證(?:號碼?)?', '公民身份号码', 'resident[\\s_-]+identity(?:[\\s_-]+card)?'],
  ['RIC'],
);

/** One identifier read from a run of digits, taken only with a label (its own or a generic one) or column header. */
interface DigitRule {
  readonly label: Label;
  readonly lengths: readonly number[];
  readonly valid: Check;
}

const DIGIT_RULES: readonly DigitRule[] = [
  // Netherlands: BSN, 11-test.
  { label: label(['bsn', 'burgerservicenummer', 'sofi[\\s_-]*nummer']), lengths: [9], valid: check(stdnum.NL.bsn) },
  // Poland: PESEL, weighted mod 10 and the birth date.
  { label: label(['pesel']), lengths: [11], valid: check(stdnum.PL.pesel) },
  // Brazil: CPF, two mod-11 digits.
  {
    label: label(['cpf', 'cadastro[\\s_-]+de[\\s_-]+pessoas?[\\s_-]+f[íi]sicas?']),
    lengths: [11],
    valid: check(stdnum.BR.cpf),
  },
  // Russia: SNILS, its own check (above).
  { label: label(['снилс', 'snils', 'страхов(?:ой|ого)[\\s_-]+номер']), lengths: [11], valid: isValidSnils },
  // Denmark: CPR, the birth date (the mod-11 check was dropped in 2007; stdnum checks the date).
  { label: label(['cpr(?:[\\s_.-]*(?:nr|nummer|no))?', 'personnummer']), lengths: [10], valid: check(stdnum.DK.cpr) },
  // Sweden: personnummer (10 or 12 digits), Luhn and the birth date.
  { label: label(['personnummer', 'personnr', 'samordningsnummer']), lengths: [10, 12], valid: personnummer },
  // Norway: fødselsnummer, two mod-11 digits.
  {
    label: label(['f[øo]dselsnummer', 'personnummer', 'd-nummer']),
    lengths: [11],
    valid: check(stdnum.NO.fodselsnummer),
  },
  // Finland: henkilötunnus written as digits only never occurs; HETU is a shape of its own (SHAPE_RULES).
  // Belgium: national register number, mod 97.
  {
    label: label([
      'rijksregister(?:nummer)?',
      'num[ée]ro[\\s_-]+(?:national|de[\\s_-]+registre[\\s_-]+national)',
      'registre[\\s_-]+national',
      'national[\\s_-]+register(?:[\\s_-]+number)?',
      'insz',
      'niss',
    ]),
    lengths: [11],
    valid: check(stdnum.BE.nn),
  },
  // Germany: Steuer-ID, ISO 7064 mod 11,10 and its digit-repetition rule.
  {
    label: label([
      'steuer[\\s_-]*id(?:[\\s_-]*nr)?',
      '(?:steuerliche[\\s_-]+)?(?:steuer)?identifikationsnummer',
      'steuer[\\s_-]*idnr',
      'idnr',
    ]),
    lengths: [11],
    valid: check(stdnum.DE.idnr),
  },
  // Turkey: T.C. Kimlik No, two check digits.
  {
    label: label([
      't\\.?\\s?c\\.?[\\s_-]*kimlik(?:[\\s_-]*(?:no|numaras[ıi]))?',
      'tckn',
      'tc[\\s_-]*no',
      'kimlik[\\s_-]*no',
    ]),
    lengths: [11],
    valid: check(stdnum.TR.tckimlik),
  },
  // Canada: SIN / NAS, Luhn.
  {
    label: label(['social[\\s_-]+insurance(?:[\\s_-]+number)?', 'assurance[\\s_-]+sociale'], ['SIN', 'NAS']),
    lengths: [9],
    valid: check(stdnum.CA.sin),
  },
  // India: Aadhaar, Verhoeff.
  { label: label(['aadhaa?r', 'आधार', 'uidai']), lengths: [12], valid: check(stdnum.IN.aadhaar) },
  // Japan: My Number, its own check (above).
  { label: label(['マイナンバー', '個人番号', 'my[\\s_-]*number']), lengths: [12], valid: isValidMyNumber },
  // Korea: resident registration number.
  {
    label: label(['주민등록번호', '주민번호', 'resident[\\s_-]+registration(?:[\\s_-]+number)?'], ['RRN']),
    lengths: [13],
    valid: check(stdnum.KR.rrn),
  },
  // South Africa: ID number, Luhn and the birth date.
  {
    label: label(['south[\\s_-]+african[\\s_-]+id', 'identity[\\s_-]+number'], ['SA ID', 'RSA ID']),
    lengths: [13],
    valid: check(stdnum.ZA.idnr),
  },
  // Israel: teudat zehut, Luhn.
  {
    label: label([
      'teudat[\\s_-]+zehut',
      'mispar[\\s_-]+zehut',
      'ת\\.?\\s?ז',
      'ת"ז',
      'תעודת[\\s_-]+זהות',
      'מספר[\\s_-]+זהות',
    ]),
    lengths: [9],
    valid: check(stdnum.IL.idnr),
  },
  // Portugal: NIF, mod 11.
  {
    label: label(['contribuinte', 'n[úu]mero[\\s_-]+de[\\s_-]+identifica[çc][ãa]o[\\s_-]+fiscal'], ['NIF']),
    lengths: [9],
    valid: check(stdnum.PT.nif),
  },
  // Argentina: CUIT / CUIL, mod 11 (a DNI alone has no check digit and is not taken).
  { label: label(['cuit', 'cuil']), lengths: [11], valid: check(stdnum.AR.cuit) },
  // Chile: RUT / RUN, mod 11 with K.
  {
    label: label(['rol[\\s_-]+[úu]nico(?:[\\s_-]+(?:tributario|nacional))?'], ['RUT', 'RUN', 'R\\.U\\.[TN]\\.?']),
    lengths: [8, 9],
    valid: check(stdnum.CL.rut),
  },
  // China: resident identity card number, grouped or with a lower-case x.
  { label: RIC_LABEL, lengths: [18], valid: check(stdnum.CN.ric) },
  // France: NIR grouped other than the usual way.
  { label: NIR_LABEL, lengths: [15], valid: check(stdnum.FR.nir) },
];

/**
 * One identifier with a shape of its own. `free` shapes are taken without a label when written in capitals (as they
 * are printed); in lower case, or when not free, only after a label.
 */
interface ShapeRule {
  readonly shape: RegExp;
  readonly label: Label;
  readonly valid: Check;
  readonly free: boolean;
  /** The value is checked as written (upper-cased), separators and all: a HETU's century sign is one. */
  readonly raw?: boolean;
  /** An extra test a value found without a label must pass. */
  readonly unlabelled?: (compact: string) => boolean;
  /**
   * The digits every match holds in all and in its longest run: a text with fewer is not scanned (see `TextFacts`).
   */
  readonly minDigits: number;
  readonly minRun: number;
  /** A separator every match holds (`.` and `-` in a printed CPF): a text without it is not scanned. */
  readonly separators?: string;
}

// Lookbehinds sit after the first consumed character, as in the other detectors. `_` and `/` glue a value into a
// longer token (`file_12345678Z`, `ref/12345678Z`).
const DNI_LABEL = label(
  ['documento[\\s_-]+nacional[\\s_-]+de[\\s_-]+identidad'],
  ['DNI', 'NIE', 'NIF', 'D\\.N\\.I\\.?'],
);
const SHAPE_RULES: readonly ShapeRule[] = [
  // Italy: codice fiscale, omocodia letters (LMNPQRSTUV) in place of digits allowed; its check letter.
  {
    shape:
      /[A-Z](?<![\p{L}\p{N}_/-][A-Z])[A-Z]{5}[\dLMNPQRSTUV]{2}[ABCDEHLMPRST][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z](?![\p{L}\p{N}_])/giu,
    label: label(['codice[\\s_-]+fiscale', 'c\\.\\s?f\\.', 'cod\\.\\s?fisc\\.?', 'tax[\\s_-]+code'], ['CF']),
    valid: check(stdnum.IT.codicefiscale),
    free: true,
    minDigits: 0,
    minRun: 0,
  },
  // China: resident identity card number, 17 digits and a check digit or X (ISO 7064 mod 11-2, a valid birth date).
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{16}[\dX](?![\p{L}\p{N}_]|[.,/-]\d)/giu,
    label: RIC_LABEL,
    valid: check(stdnum.CN.ric),
    free: true,
    minDigits: 17,
    minRun: 17,
  },
  // Mexico: CURP, 18 characters with a birth date, sex, state and its check digit.
  {
    shape: /[A-Z](?<![\p{L}\p{N}_/-][A-Z])[A-Z]{3}\d{6}[HMX][A-Z]{5}[A-Z\d]\d(?![\p{L}\p{N}_])/giu,
    label: label(['curp', 'clave[\\s_-]+[úu]nica[\\s_-]+de[\\s_-]+registro[\\s_-]+de[\\s_-]+poblaci[óo]n']),
    valid: check(stdnum.MX.curp),
    free: true,
    minDigits: 7,
    minRun: 6,
  },
  // United Kingdom: National Insurance number, compact or spaced, a valid prefix and suffix A-D.
  {
    shape:
      /[A-Z](?<![\p{L}\p{N}_/-][A-Z])[A-Z](?:\d{6}| \d{2} \d{2} \d{2} |-\d{2}-\d{2}-\d{2}-)[A-D](?![\p{L}\p{N}_])/giu,
    label: label(['national[\\s_-]+insurance(?:[\\s_-]+(?:number|no))?', 'nino'], ['NI number', 'NI No', 'NI']),
    valid: check(stdnum.GB.nino),
    free: true,
    minDigits: 6,
    minRun: 2,
  },
  // Brazil: CPF as printed, `ddd.ddd.ddd-dd`.
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{2}\.\d{3}\.\d{3}-\d{2}(?![\p{L}\p{N}_]|[.,/-]\d)/gu,
    label: label(['cpf']),
    valid: check(stdnum.BR.cpf),
    free: true,
    separators: '.-',
    minDigits: 11,
    minRun: 3,
  },
  // Russia: SNILS as printed, `ddd-ddd-ddd dd`.
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{2}-\d{3}-\d{3}[ -]\d{2}(?![\p{L}\p{N}_]|[.,/-]\d)/gu,
    label: label(['снилс', 'snils']),
    valid: isValidSnils,
    free: true,
    separators: '-',
    minDigits: 11,
    minRun: 3,
  },
  // France: NIR, 13 digits (Corsica 2A/2B) and a mod-97 key, compact or spaced as on the carte Vitale. Without a label,
  // the birth month must be a month.
  {
    shape:
      /[12](?<![\p{L}\p{N}_/.-][12])( ?)\d{2}\1\d{2}\1(?:\d{2}|2[AB])\1\d{3}\1\d{3} ?\d{2}(?![\p{L}\p{N}_]|[.,/-]\d)/giu,
    label: NIR_LABEL,
    valid: check(stdnum.FR.nir),
    free: true,
    minDigits: 13,
    minRun: 3,
    unlabelled: (compact) => /^\d{3}(?:0[1-9]|1[0-2])/.test(compact),
  },
  // Spain: DNI, eight digits and the mod-23 letter.
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{7}[ -]?[A-Z](?![\p{L}\p{N}_])/giu,
    label: DNI_LABEL,
    valid: check(stdnum.ES.dni),
    free: true,
    minDigits: 8,
    minRun: 8,
  },
  // Spain: NIE, X/Y/Z, seven digits and the mod-23 letter.
  {
    shape: /[XYZ](?<![\p{L}\p{N}_/-][XYZ])-?\d{7}-?[A-Z](?![\p{L}\p{N}_])/giu,
    label: DNI_LABEL,
    valid: check(stdnum.ES.nie),
    free: true,
    minDigits: 7,
    minRun: 7,
  },
  // Finland: henkilötunnus, birth date, century sign, individual number and the mod-31 check character.
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{5}[-+A-FU-Y]\d{3}[\dA-Y](?![\p{L}\p{N}_])/giu,
    label: label(['henkil[öo]tunnus', 'hetu', 'sotu', 'personbeteckning']),
    valid: check(stdnum.FI.hetu),
    free: false,
    minDigits: 9,
    minRun: 6,
    raw: true,
  },
  // Portugal: Cartão de Cidadão, civil number, check digit, version letters and a second check digit.
  {
    shape: /\d(?<![\p{L}\p{N}_/.-]\d)\d{7} ?\d ?[A-Z]{2}\d(?![\p{L}\p{N}_])/giu,
    label: label(['cart[ãa]o[\\s_-]+de[\\s_-]+cidad[ãa]o', 'citizen[\\s_-]+card']),
    valid: check(stdnum.PT.cc),
    free: false,
    minDigits: 10,
    minRun: 8,
  },
];

// A run of digit groups (single space, dot or dash between), with a closing check letter K (Chile) or X (China).
const DIGIT_RUN = /\d(?<![\p{L}\p{N}_/.,-]\d)\d*(?:[ .-]\d+)*(?:-?[KX])?(?![\p{L}\p{N}_]|[.,/-]\d)/giu;
const GROUP = /\d+|[KX]$/giu;
const RUN_LENGTHS = new Set(DIGIT_RULES.flatMap((rule) => rule.lengths));
const MAX_RUN = Math.max(...RUN_LENGTHS);

const ALL_LABELS: readonly Label[] = [
  GENERIC,
  ...DIGIT_RULES.map((rule) => rule.label),
  ...SHAPE_RULES.map((rule) => rule.label),
];
const compactOf = (value: string): string => value.replace(/[\s.-]/g, '').toUpperCase();
const ruleValue = (rule: ShapeRule, value: string): string =>
  rule.raw === true ? value.toUpperCase() : compactOf(value);

/** A value named as a product, shipment or document identifier by its label or its table column. */
const identifier = (text: string, start: number, end: number): boolean =>
  idLabelBefore(text, start) || underIdColumn(text, start, end);

/** The longest stretch of groups from the run's start that a labelled rule reads as valid, or its end; -1 if none. */
function validRunEnd(run: string, rules: readonly DigitRule[]): number {
  const groups: Array<[number, number]> = [];
  GROUP.lastIndex = 0;
  for (let g = GROUP.exec(run); g !== null && groups.length < 8; g = GROUP.exec(run))
    groups.push([g.index, g.index + g[0].length]);
  let digits = 0;
  let best = -1;
  for (const [, end] of groups) {
    const compact = compactOf(run.slice(0, end));
    digits = compact.length;
    if (digits > MAX_RUN) break;
    if (RUN_LENGTHS.has(digits) && rules.some((rule) => rule.lengths.includes(digits) && rule.valid(compact)))
      best = end;
  }
  return best;
}

/** The digit rules a label before `index` names (all of them after a generic label). */
function rulesNamedBefore(text: string, index: number): readonly DigitRule[] {
  if (labelBefore(text, index, GENERIC)) return DIGIT_RULES;
  return DIGIT_RULES.filter((rule) => labelBefore(text, index, rule.label));
}

function labelledRuns(text: string, out: Detection[]): void {
  DIGIT_RUN.lastIndex = 0;
  for (let run = DIGIT_RUN.exec(text); run !== null; run = DIGIT_RUN.exec(text)) {
    if (run[0].length < 8) continue;
    const rules = rulesNamedBefore(text, run.index);
    if (rules.length === 0) continue;
    const end = validRunEnd(run[0], rules);
    if (end > 0 && !identifier(text, run.index, run.index + end))
      out.push({ start: run.index, end: run.index + end, type: 'NATIONAL_ID' });
  }
}

/** Whether `text` holds every character of `characters` (none asked: true). */
function holdsAll(text: string, characters = ''): boolean {
  for (const ch of characters) if (!text.includes(ch)) return false;
  return true;
}

/** Shapes of their own: with `named`, those a label names; without, the free ones written in capitals. */
function shapes(text: string, out: Detection[], named: boolean, rules: readonly ShapeRule[] = SHAPE_RULES): void {
  const { digits, maxRun } = textFacts(text);
  for (const rule of rules) {
    if ((!rule.free && !named) || digits < rule.minDigits || maxRun < rule.minRun || !holdsAll(text, rule.separators))
      continue;
    rule.shape.lastIndex = 0;
    for (let m = rule.shape.exec(text); m !== null; m = rule.shape.exec(text)) {
      const value = m[0];
      const compact = ruleValue(rule, value);
      if (!rule.valid(compact)) continue;
      const labelled = labelBefore(text, m.index, rule.label) || labelBefore(text, m.index, GENERIC);
      if (named !== labelled) continue;
      if (!named && (value !== value.toUpperCase() || (rule.unlabelled !== undefined && !rule.unlabelled(compact))))
        continue;
      if (!identifier(text, m.index, m.index + value.length))
        out.push({ start: m.index, end: m.index + value.length, type: 'NATIONAL_ID' });
    }
  }
}

/** Whether a whole table cell is a valid value of a rule its column header names. */
function cellValid(value: string, header: Label): boolean {
  for (const rule of SHAPE_RULES) {
    if (rule.label !== header && header !== GENERIC) continue;
    rule.shape.lastIndex = 0;
    const m = rule.shape.exec(value);
    if (m !== null && m.index === 0 && m[0].length === value.length && rule.valid(ruleValue(rule, value))) return true;
  }
  DIGIT_RUN.lastIndex = 0;
  const run = DIGIT_RUN.exec(value);
  if (run === null || run.index !== 0 || run[0].length !== value.length) return false;
  const rules = header === GENERIC ? DIGIT_RULES : DIGIT_RULES.filter((rule) => rule.label === header);
  return validRunEnd(value, rules) === value.length;
}

/** Cells under a column header naming an identifier (`pesel`, `BSN`, `codice fiscale`, `national_id`). */
function columns(text: string, out: Detection[]): void {
  for (const header of ALL_LABELS) {
    if (!labelAnywhere(text, header)) continue;
    for (const [start, end] of columnCells(text, { test: (name) => labelIn(name.replace(/_/g, ' '), header) }))
      if (end > start && cellValid(text.slice(start, end), header) && !underIdColumn(text, start, end))
        out.push({ start, end, type: 'NATIONAL_ID' });
  }
}

const joined = (part: 'words' | 'acronyms', flags: string): RegExp =>
  new RegExp(ALL_LABELS.flatMap((l) => (l[part] === undefined ? [] : [l[part].source])).join('|'), flags);
// A cheap superset of every label word: no boundaries and no lookbehinds, which the regex engine cannot skip ahead on
// (with them this one test cost more than any detector). A text it matches is read with the exact labels.
const ANY_WORD = new RegExp(ALL_LABELS.flatMap((l) => l.loose).join('|'), 'iu');
const ANY_ACRONYM = joined('acronyms', 'u');
/** Any label word in the text: labelled values are looked for only then. */
const anyLabel = (text: string): boolean =>
  hasKeyword(text, ANY_WORD) || (textFacts(text).capitals && hasKeyword(text, ANY_ACRONYM));

/** Whether `text` holds at least `enough` ASCII digits. */
const hasDigits = (text: string, enough: number): boolean => textFacts(text).digits >= enough;

const CODICE_FISCALE = SHAPE_RULES.slice(0, 1);

/**
 * National identifiers a label or column header names: digit runs and the shapes that need one (HETU, Cartão de
 * Cidadão), and free shapes written in lower case. Listed before the phone and card detectors, so a value a national-ID
 * label governs is typed NATIONAL_ID when a phone rule reads the same span.
 */
export const namedNationalId: Detector = {
  type: 'NATIONAL_ID',
  category: 'identity',
  // Every labelled candidate but a codice fiscale has six digits or more (a NINO six, a RUT seven); a codice fiscale
  // may have every digit replaced by an omocodia letter, so the detector runs on any text and checks for itself.
  minDigits: 0,
  detect(text, out) {
    if (!anyLabel(text)) return;
    if (!hasDigits(text, 6)) {
      shapes(text, out, true, CODICE_FISCALE);
      return;
    }
    shapes(text, out, true);
    labelledRuns(text, out);
    if (text.includes('\n')) columns(text, out);
  },
};

// Without a label only capitals count: the shapes that open with letters (codice fiscale, CURP, NINO) open with two
// capitals in a row, and every other shape holds a run of at least three digits. A text with neither is not read.
const LETTER_SHAPES = SHAPE_RULES.filter((rule) => rule.shape.source.startsWith('[A-Z]'));
const DIGIT_SHAPES = SHAPE_RULES.filter((rule) => !LETTER_SHAPES.includes(rule));

/** Distinctive shapes with a strong check, found without a label. Listed last: a span another type reads keeps it. */
export const nationalId: Detector = {
  type: 'NATIONAL_ID',
  category: 'identity',
  minDigits: 0,
  detect(text, out) {
    const facts = textFacts(text);
    const capitals = facts.capitalPair;
    if (facts.digits < 6) {
      if (capitals) shapes(text, out, false, CODICE_FISCALE);
      return;
    }
    if (capitals) shapes(text, out, false, LETTER_SHAPES);
    if (facts.maxRun >= 3) shapes(text, out, false, DIGIT_SHAPES);
  },
};
