import { BIRTH_RECORD_CUE, recordBirths } from './birth-records.ts';
import {
  type Detection,
  type Detector,
  answersPrevious,
  hasKeyword,
  lineStartWithin,
  scanColumns,
  textFacts,
} from './scan.ts';
import { alignedColumnCells, sqlValueCells } from './tables.ts';

/**
 * Dates of birth. A date is a DOB only by its context, never by its shape: a birth label before it (in prose, as a
 * JSON/XML/YAML/query key, or as the CSV column header), a birth word after it (`1985年3月14日生まれ`, `3 Ekim 1979
 * doğumlu`), or a DOB right before it that it corrects (`DOB 2/29/1988 but the system has 3/1/1988`). A date with
 * another label of its own between the birth label and it (`date of birth not given; admission date …`), or that
 * opens or closes a range, is left alone.
 */

// Letters of the languages read here (Latin-1, Latin Extended-A/B and Additional: ß, é, ł, ğ, ş, ı, ơ...; Greek and
// Cyrillic). Non-unicode regexes throughout: V8 runs them several times faster, and every letter here is in the BMP.
// Hebrew, Arabic, Devanagari and Thai letters as escapes, each range starting and ending on a letter (their vowel
// signs, inside the ranges, are combining marks). The Devanagari full stops (danda `।`, `॥`) are left out: a year
// may end a Hindi sentence (`12 जनवरी 1990।`).
const L =
  'A-Za-zÀ-ɏḀ-ỿͰ-Ͽἀ-῾Ѐ-ӿ\\u05D0-\\u05EA\\u0620-\\u064A\\u067E-\\u06D3\\u0904-\\u0963\\u0966-\\u097F\\u0E01-\\u0E5B';

/**
 * Month names and abbreviations in en, de, fr, es, it, pt, nl, pl, tr, and (issue 18, a second author's dev set) cs,
 * sk, hu, ro, sv, da/no, fi, id/ms, ru, uk and el, in the forms dates use (the genitive where the language inflects).
 */
const MONTH_NAMES = [
  // en
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  // de
  'januar',
  'jänner',
  'februar',
  'märz',
  'maerz',
  'mai',
  'juni',
  'juli',
  'oktober',
  'dezember',
  'mär',
  'jän',
  'mrz',
  'okt',
  'dez',
  // fr
  'janvier',
  'février',
  'fevrier',
  'mars',
  'avril',
  'juin',
  'juillet',
  'août',
  'aout',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
  'decembre',
  'janv',
  'févr',
  'fevr',
  'avr',
  'juil',
  'déc',
  // es
  'enero',
  'febrero',
  'marzo',
  'abril',
  'mayo',
  'junio',
  'julio',
  'agosto',
  'septiembre',
  'setiembre',
  'octubre',
  'noviembre',
  'diciembre',
  'ene',
  'abr',
  'ago',
  'dic',
  // it
  'gennaio',
  'febbraio',
  'aprile',
  'maggio',
  'giugno',
  'luglio',
  'settembre',
  'ottobre',
  'dicembre',
  'gen',
  'mag',
  'giu',
  'lug',
  'set',
  'ott',
  // pt
  'janeiro',
  'fevereiro',
  'março',
  'marco',
  'maio',
  'junho',
  'julho',
  'setembro',
  'outubro',
  'novembro',
  'dezembro',
  'fev',
  'out',
  // nl
  'januari',
  'februari',
  'maart',
  'mei',
  'augustus',
  'mrt',
  // pl
  'stycznia',
  'lutego',
  'marca',
  'kwietnia',
  'maja',
  'czerwca',
  'lipca',
  'sierpnia',
  'września',
  'wrzesnia',
  'października',
  'pazdziernika',
  'listopada',
  'grudnia',
  'styczeń',
  'luty',
  'marzec',
  'kwiecień',
  'maj',
  'czerwiec',
  'lipiec',
  'sierpień',
  'wrzesień',
  'październik',
  'listopad',
  'grudzień',
  'sty',
  'lut',
  'kwi',
  'cze',
  'lip',
  'sie',
  'wrz',
  'paź',
  'lis',
  'gru',
  // tr
  'ocak',
  'şubat',
  'subat',
  'mart',
  'nisan',
  'mayıs',
  'mayis',
  'haziran',
  'temmuz',
  'ağustos',
  'agustos',
  'eylül',
  'eylul',
  'ekim',
  'kasım',
  'kasim',
  'aralık',
  'aralik',
  // cs (genitive, as dates write them) and sk
  'ledna',
  'února',
  'unora',
  'března',
  'brezna',
  'dubna',
  'května',
  'kvetna',
  'června',
  'cervna',
  'července',
  'cervence',
  'srpna',
  'září',
  'zari',
  'října',
  'rijna',
  'listopadu',
  'prosince',
  'januára',
  'februára',
  'apríla',
  'mája',
  'júna',
  'júla',
  'augusta',
  'septembra',
  'októbra',
  'novembra',
  'decembra',
  // hu
  'január',
  'február',
  'március',
  'április',
  'május',
  'június',
  'július',
  'augusztus',
  'szeptember',
  'október',
  'márc',
  'ápr',
  'máj',
  'jún',
  'júl',
  'szept',
  // ro
  'ianuarie',
  'februarie',
  'martie',
  'aprilie',
  'iunie',
  'iulie',
  'septembrie',
  'octombrie',
  'noiembrie',
  'decembrie',
  // sv, da, no
  'augusti',
  'marts',
  // fi (partitive, as dates write them)
  'tammikuuta',
  'helmikuuta',
  'maaliskuuta',
  'huhtikuuta',
  'toukokuuta',
  'kesäkuuta',
  'heinäkuuta',
  'elokuuta',
  'syyskuuta',
  'lokakuuta',
  'marraskuuta',
  'joulukuuta',
  // id, ms
  'maret',
  'agustus',
  'desember',
  'mac',
  'ogos',
  'disember',
  // ru (genitive) and abbreviations
  'января',
  'февраля',
  'марта',
  'апреля',
  'мая',
  'июня',
  'июля',
  'августа',
  'сентября',
  'октября',
  'ноября',
  'декабря',
  'янв',
  'фев',
  'мар',
  'апр',
  'июн',
  'июл',
  'авг',
  'сен',
  'сент',
  'окт',
  'ноя',
  'дек',
  // uk (genitive)
  'січня',
  'лютого',
  'березня',
  'квітня',
  'травня',
  'червня',
  'липня',
  'серпня',
  'вересня',
  'жовтня',
  'листопада',
  'грудня',
  // el (genitive, with and without accents)
  'ιανουαρίου',
  'φεβρουαρίου',
  'μαρτίου',
  'απριλίου',
  'μαΐου',
  'μαίου',
  'ιουνίου',
  'ιουλίου',
  'αυγούστου',
  'σεπτεμβρίου',
  'οκτωβρίου',
  'νοεμβρίου',
  'δεκεμβρίου',
  'ιανουαριου',
  'φεβρουαριου',
  'μαρτιου',
  'απριλιου',
  'μαιου',
  'ιουνιου',
  'ιουλιου',
  'αυγουστου',
  'σεπτεμβριου',
  'οκτωβριου',
  'νοεμβριου',
  'δεκεμβριου',
  // ca, hr (genitive), sw, tl, is, et, lv, lt (genitive), ga
  'gener',
  'febrer',
  'març',
  'maig',
  'juny',
  'juliol',
  'agost',
  'setembre',
  'desembre',
  'siječnja',
  'veljače',
  'ožujka',
  'travnja',
  'svibnja',
  'lipnja',
  'srpnja',
  'kolovoza',
  'rujna',
  'studenoga',
  'prosinca',
  'machi',
  'aprili',
  'julai',
  'agosti',
  'septemba',
  'oktoba',
  'novemba',
  'desemba',
  'pebrero',
  'marso',
  'hunyo',
  'hulyo',
  'setyembre',
  'oktubre',
  'nobyembre',
  'disyembre',
  'janúar',
  'febrúar',
  'apríl',
  'maí',
  'júní',
  'júlí',
  'ágúst',
  'nóvember',
  'desember',
  'jaanuar',
  'veebruar',
  'märts',
  'aprill',
  'juuni',
  'juuli',
  'oktoober',
  'detsember',
  'janvāris',
  'februāris',
  'aprīlis',
  'maijs',
  'jūnijs',
  'jūlijs',
  'augusts',
  'septembris',
  'oktobris',
  'novembris',
  'decembris',
  'sausio',
  'vasario',
  'kovo',
  'balandžio',
  'gegužės',
  'birželio',
  'liepos',
  'rugpjūčio',
  'rugsėjo',
  'spalio',
  'lapkričio',
  'gruodžio',
  'eanáir',
  'feabhra',
  'márta',
  'aibreán',
  'bealtaine',
  'meitheamh',
  'iúil',
  'lúnasa',
  'samhain',
  'nollaig',
  // he (also with the prefix ב, "in"), ar, hi, th
  'ינואר',
  'פברואר',
  'מרץ',
  'אפריל',
  'מאי',
  'יוני',
  'יולי',
  'אוגוסט',
  'ספטמבר',
  'אוקטובר',
  'נובמבר',
  'דצמבר',
  'בינואר',
  'בפברואר',
  'במרץ',
  'באפריל',
  'במאי',
  'ביוני',
  'ביולי',
  'באוגוסט',
  'בספטמבר',
  'באוקטובר',
  'בנובמבר',
  'בדצמבר',
  'يناير',
  'فبراير',
  'مارس',
  'أبريل',
  'ابريل',
  'مايو',
  'يونيو',
  'يوليو',
  'أغسطس',
  'اغسطس',
  'سبتمبر',
  'أكتوبر',
  'اكتوبر',
  'نوفمبر',
  'ديسمبر',
  'जनवरी',
  'फ़रवरी',
  'फरवरी',
  'मार्च',
  'अप्रैल',
  'मई',
  'जून',
  'जुलाई',
  'अगस्त',
  'सितंबर',
  'सितम्बर',
  'अक्टूबर',
  'नवंबर',
  'नवम्बर',
  'दिसंबर',
  'दिसम्बर',
  'มกราคม',
  'กุมภาพันธ์',
  'มีนาคม',
  'เมษายน',
  'พฤษภาคม',
  'มิถุนายน',
  'กรกฎาคม',
  'สิงหาคม',
  'กันยายน',
  'ตุลาคม',
  'พฤศจิกายน',
  'ธันวาคม',
  // Roman numerals, as Polish, Czech and Hungarian dates write months (`14.III.1985`, `5 XI 2008`)
  'i',
  'ii',
  'iii',
  'iv',
  'v',
  'vi',
  'vii',
  'viii',
  'ix',
  'x',
  'xi',
  'xii',
];
const MONTHS = new Set(MONTH_NAMES);
// Any word where a month name can stand; `isDate` then checks it is one (a set lookup is much cheaper than a regex
// alternation of every month name in nine languages).
const MONTH = `[${L}]{3,12}\\.?(?![${L}])`;
const ROMAN_MONTH = '(?:i{1,3}|iv|vi{0,3}|ix|xi{0,2})';
// Chinese numerals as dates write them: 一九五二年十月一日.
const HAN_DIGIT = '[〇零一二三四五六七八九]';
const HAN_SMALL = '[一二三四五六七八九十]{1,3}';
const DAY = '\\d{1,2}(?:st|nd|rd|th|er|º|°)?\\.?';
// The Thai abbreviated months, each two consonants (and a vowel) with a full stop after each: ม.ค., มิ.ย., ธ.ค.
const THAI_MONTH = '(?:ม\\.ค|ก\\.พ|มี\\.ค|เม\\.ย|พ\\.ค|มิ\\.ย|ก\\.ค|ส\\.ค|ก\\.ย|ต\\.ค|พ\\.ย|ธ\\.ค)\\.';
const YEAR = "(?:\\d{4}|'?\\d{2}(?!\\d))";
const DATE_BODY =
  '(?:' +
  // 1985-03-14 (with a time: 1985-03-14T00:00:00Z), 1985/3/4, 1977_06_05
  '\\d{4}[-/._]\\d{1,2}[-/._]\\d{1,2}(?:T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?' +
  // 14 tháng 3 năm 1985 (Vietnamese, before the spelled months that would stop at `7 tháng 11`: day, "month" 3, "year" 1985)
  '|\\d{1,2}\\s+th[áa]ng\\s+\\d{1,2},?\\s+n[ăa]m\\s+\\d{4}' +
  // 3 ก.ค. 2546 (Thai abbreviated months, with a Buddhist-era or Gregorian year)
  `|\\d{1,2}\\s?${THAI_MONTH}\\s?\\d{4}` +
  // 03/14/1985, 14.03.85, 14 03 1985, 14 / 03 / 1985
  `|\\d{1,2}(?:\\s?[-/.]\\s?|[ _])\\d{1,2}(?:\\s?[-/.]\\s?|[ _])${YEAR}` +
  // 14 March 1985, 14-Mar-1985, 14. März 1985, 14th of March, 1985, 14 de marzo de 1985, 15/ago/1992, 05APR1986,
  // the 14th day of March, 1985
  // «3» июня 1991 (a Russian form's day in quotes)
  `|«?${DAY}»?[\\s/.-]{0,3}(?:day\\s+of\\s+|of\\s+|de\\s+)?${MONTH},?[\\s/.-]{0,3}(?:del?\\s+)?${YEAR}` +
  // March 14, 1985; March 14th 1985; Sept. 9, 1990; March 1985; June 21st, '85
  `|${MONTH}\\s*(?:${DAY},?\\s+)?(?:\\d{4}|'\\d{2}(?!\\d))` +
  // 1985. március 14., 1985 March 14 (year first, as Hungarian writes dates); 1951-Sep-05 (year first, month
  // abbreviated); 1986 m. birželio 3 d. (Lithuanian: metai "year", diena "day"); 1985. gada 18. novembris (Latvian)
  `|\\d{4}\\.\\s?gada\\s\\d{1,2}\\.\\s?${MONTH}` +
  `|\\d{4}\\.?\\s${MONTH}\\s?\\d{1,2}(?!\\d)\\.?` +
  `|\\d{4}[-/]${MONTH}[-/]\\d{1,2}(?!\\d)` +
  `|\\d{4}\\s?m\\.\\s${MONTH}\\s\\d{1,2}\\s?d\\.` +
  // 1958. 08. 14 (Hungarian and Korean numeric dates, a space after each dot)
  '|\\d{4}\\.\\s\\d{1,2}\\.\\s\\d{1,2}(?!\\d)' +
  // 14.III.1985, 5 XI 2008 (Roman-numeral months)
  `|\\d{1,2}(?:\\.\\s?|\\s)${ROMAN_MONTH}(?:\\.\\s?|\\s)${YEAR}` +
  // 1985年3月14日, 昭和60年3月14日, 民國79年6月15日 (Taiwan's Minguo era), 1995년 8월 21일, 一九五二年十月一日
  '|(?:\\d{4}|(?:昭和|平成|令和|大正)\\s?(?:\\d{1,2}|元)|(?:民國|民国)\\s?\\d{1,3})\\s?年\\s?\\d{1,2}\\s?月\\s?\\d{1,2}\\s?日' +
  // 1952年（昭和27年）8月15日: the Gregorian year, then the era's year in brackets
  '|\\d{4}\\s?年\\s?[(（]\\s?(?:昭和|平成|令和|大正)\\s?(?:\\d{1,2}|元)\\s?年\\s?[)）]\\s?\\d{1,2}\\s?月\\s?\\d{1,2}\\s?日' +
  '|\\d{4}\\s?년\\s?\\d{1,2}\\s?월\\s?\\d{1,2}\\s?일' +
  `|${HAN_DIGIT}{4}年${HAN_SMALL}月${HAN_SMALL}日` +
  // H3.6.3, S60/3/14: Japanese era initials (Heisei, Showa, Reiwa, Taisho) with the year of the era
  '|[HSRT]\\d{1,2}[./]\\d{1,2}[./]\\d{1,2}' +
  // 19810716000000Z (LDAP's GeneralizedTime), then 19850314 (both checked as dates below)
  '|\\d{14}(?:\\.\\d+)?Z' +
  '|\\d{8})';
const DATE = new RegExp(`(?<![${L}0-9/-]|\\d[.\\s])${DATE_BODY}(?![${L}0-9/]|[-.]\\d)`, 'gi');
const WHOLE_DATE = new RegExp(`^${DATE_BODY}$`, 'i');

// Gregorian years, the Thai Buddhist era (543 years ahead: 2522 is 1979), and the Islamic and Persian (Solar Hijri)
// calendars (1399 AH is 1979; 1370 SH is 1991), which forms in Arabic and Persian print as `1370/05/12`.
const plausibleYear = (year: number): boolean =>
  (year >= 1880 && year <= 2099) || (year >= 2423 && year <= 2642) || (year >= 1300 && year <= 1450);
const dayMonth = (a: number, b: number): boolean =>
  (a >= 1 && a <= 31 && b >= 1 && b <= 12) || (b >= 1 && b <= 31 && a >= 1 && a <= 12);

/** An 8-digit run is a date when it reads as YYYYMMDD, DDMMYYYY or MMDDYYYY with a plausible year. */
function compactDate(value: string): boolean {
  const part = (from: number, to: number): number => Number(value.slice(from, to));
  return (
    compactParts(part(0, 4), part(4, 6), part(6, 8)) ||
    compactParts(part(4, 8), part(2, 4), part(0, 2)) ||
    compactParts(part(4, 8), part(0, 2), part(2, 4))
  );
}
// Module level, not a closure: the date checks run once per candidate.
const compactParts = (year: number, month: number, day: number): boolean =>
  year >= 1900 && year <= 2030 && month >= 1 && month <= 12 && day >= 1 && day <= 31;

const LETTERS = new RegExp(`[${L}]+`, 'g');
// `the 9th day of January, 1964`, as affidavits write dates.
const ORDINAL_OR_ARTICLE = new Set(['st', 'nd', 'rd', 'th', 'er', 'of', 'de', 'del', 'day']);

/**
 * The shape matched; the numbers must also be a calendar date (day 1-31, month 1-12 in either order, a plausible
 * four-digit year), spaces must separate a numeric date throughout or not at all, and a spelled month must be one.
 */
export function isDate(value: string): boolean {
  if (value.length === 8 && isAllDigits(value)) return compactDate(value);
  if (GENERALIZED_TIME.test(value)) return compactDate(value.slice(0, 8));
  if (THAI_ABBREVIATED.test(value)) {
    const [day, year] = (value.match(/\d+/g) ?? []).map(Number) as [number, number];
    return day >= 1 && day <= 31 && plausibleYear(year);
  }
  if (VIETNAMESE.test(value)) {
    const [day, month, year] = (value.match(/\d+/g) ?? []).map(Number) as [number, number, number];
    return day >= 1 && day <= 31 && month >= 1 && month <= 12 && plausibleYear(year);
  }
  if (HAN_DATE.test(value)) return true; // the shape already holds a month of 1–12 numerals and a day of 1–3
  const era = ERA_INITIAL.exec(value);
  if (era) {
    const [month, day] = [Number(era[3]), Number(era[4])];
    return Number(era[2]) >= 1 && Number(era[2]) <= 64 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
  // Digit runs: up to three numbers with their lengths, in one pass.
  const numbers: number[] = [];
  const lengths: number[] = [];
  let spaces = 0;
  let letters = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (i === 0 || !isDigitCode(value.charCodeAt(i - 1))) {
        numbers.push(0);
        lengths.push(0);
      }
      numbers[numbers.length - 1] = (numbers[numbers.length - 1] as number) * 10 + (code - 48);
      lengths[lengths.length - 1] = (lengths[lengths.length - 1] as number) + 1;
    } else if (code === 32) spaces++;
    else if (code > 64) letters = true;
  }
  if (value.includes('月') || value.includes('월')) {
    const month = numbers[numbers.length - 2] ?? 0;
    const day = numbers[numbers.length - 1] ?? 0;
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
  const iso = lengths[0] === 4;
  if (letters && iso && numbers.length === 2) {
    // 1985. március 14: the year first, then a month name, then the day.
    const name = (value.match(LETTERS) ?? []).every(
      (word) => MONTHS.has(word.toLowerCase()) || YEAR_FIRST_WORDS.has(word.toLowerCase()),
    );
    return name && plausibleYear(numbers[0] as number) && (numbers[1] as number) >= 1 && (numbers[1] as number) <= 31;
  }
  if (letters && !iso) {
    // Spelled month: every word but ordinals and articles must be a month name; then the day and the year.
    let month = false;
    for (const word of value.match(LETTERS) ?? []) {
      const name = word.toLowerCase();
      if (MONTHS.has(name)) month = true;
      else if (!ORDINAL_OR_ARTICLE.has(name)) return false;
    }
    const year = numbers[numbers.length - 1] ?? 0;
    const day = numbers.length > 1 ? (numbers[0] ?? 0) : 1;
    return month && (lengths[lengths.length - 1] !== 4 || plausibleYear(year)) && day >= 1 && day <= 31;
  }
  // Numeric: `14 03 1985` (spaces throughout) or `14/03/1985`, `14 / 03 / 1985`, never `14 03-1985`.
  if (spaces > 0) {
    const parts = NUMERIC_PARTS.exec(value);
    if (parts === null || ((parts[1] as string).trim() === '') !== ((parts[2] as string).trim() === '')) return false;
  }
  const [a, b, c] = numbers as [number, number, number];
  if (iso) return plausibleYear(a) && b >= 1 && b <= 12 && c >= 1 && c <= 31;
  return dayMonth(a, b) && (lengths[2] === 2 || plausibleYear(c));
}

const NUMERIC_PARTS = /^\d+(\D+)\d+(\D+)\d+/;
// The words year-first dates put beside their numbers: Lithuanian `m.` (metai) and `d.` (diena), Latvian `gada`.
const YEAR_FIRST_WORDS = new Set(['m', 'd', 'gada']);
const GENERALIZED_TIME = /^\d{14}/;
const VIETNAMESE = /th[áa]ng/i;
const THAI_ABBREVIATED = new RegExp(`^\\d{1,2}\\s?${THAI_MONTH}`);
const HAN_DATE = new RegExp(`^${HAN_DIGIT}{4}年`);
const ERA_INITIAL = /^([HSRT])(\d{1,2})[./](\d{1,2})[./](\d{1,2})$/i;
const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;
/** The index of the first digit in `value` (its length when there is none). */
function firstDigit(value: string): number {
  let i = 0;
  while (i < value.length && !isDigitCode(value.charCodeAt(i))) i++;
  return i;
}
function isAllDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (!isDigitCode(value.charCodeAt(i))) return false;
  return true;
}

// Birth labels before the date, as prose or keys: "date of birth", `dateOfBirth`, `birth_date`, `patient_dob`,
// `dobFull`, "born in Cork on", `Geburtsdatum`, "geb. am", "né le", "née à Lille le", `date_naissance`, "DDN",
// `fecha_nacimiento`, "F. Nac.", "nacida el", "nació el", "data di nascita", "nato a Napoli il", "Data de Nasc.",
// "nasceu em", `geboortedatum`, "geboren op", "data urodzenia", "urodzony", "urodził się", 生年月日, 誕生日,
// "doğum tarihi". A place may sit between the verb and its article (`nato a Napoli il`), never a digit.
const PLACE = `(?:\\s+(?:à|a|en|em|in|te|w)\\s+[^\\d\\n,;:.]{1,40}?)?`;
const BIRTH_WORDS = [
  '(?<![a-z])d[./]?o[./]?b\\.?(?:full|date|iso|value|text|str)?(?![a-z])',
  'date[\\s_-]*of[\\s_-]*birth',
  'birth[\\s_-]*(?:date|day|dt)s?',
  '(?<![a-z])birth(?=["\'\\s]*[:=>])',
  '(?<![a-z])b-?day(?![a-z])',
  '(?<![a-z])born(?![a-z])(?:\\s+(?:on|in))?',
  'geburts(?:datum|dat\\.?|tag(?![a-zäöüß]))',
  '(?<![a-z])geb(?:\\.|oren)?[\\s.-]*(?:datum|dat\\.)',
  '(?<![a-z])geb\\.(?:\\s*am)?',
  '(?<![a-z])geboren(?:\\s+(?:am|op))?',
  'geboortedatum',
  'date[\\s_-]*(?:de[\\s_-]*)?naiss(?:ance|\\.)?',
  '(?<![a-z])naissance(?![a-z])',
  `(?<![a-zà-ÿ])né(?:e|\\(e\\))?${PLACE}\\s+le(?![a-z])`,
  '(?<![a-z])ddn(?![a-z])',
  'fecha[\\s_-]*(?:de[\\s_-]*)?nac(?:imiento|\\.)?',
  '(?<![a-z])f\\.\\s?nac\\.?',
  `(?<![a-z])nac(?:id[oa]|i[óo])${PLACE}(?:\\s+el)?(?![a-z])`,
  '(?<![a-z])nacimiento(?![a-z])',
  'data[\\s_-]*(?:di[\\s_-]*)?nascita',
  `(?<![a-z])nat[oa]${PLACE}\\s+il(?![a-z])`,
  '(?<![a-z])nascita(?![a-z])',
  'data[\\s_-]*(?:de[\\s_-]*)?nasc(?:imento|\\.)?',
  '(?<![a-z])dt\\.?\\s*(?:de\\s*)?nasc(?:imento|\\.)?',
  '(?<![a-z])nascimento(?![a-z])',
  `(?<![a-z])(?:nascid[oa]|nasceu)${PLACE}\\s+(?:em|a|no)(?![a-z])`,
  'data[\\s_-]*ur(?:odzenia|\\.)',
  '(?<![a-z])urodzon[ya](?![a-z])',
  '(?<![a-z])urodzi[łl]a?\\s+si[ęe]',
  '(?<![a-z])urodzenia(?![a-z])',
  '生年月日|誕生日|出生日|生誕',
  'do[ğg]um(?:[\\s_-]*tarihi?)?',
  // Danish, Norwegian, Swedish, Finnish: fødselsdato, født, födelsedatum, född, syntymäaika, syntynyt.
  'f[øö]dsels?(?:dato|datum|dag)|f[öø]delse(?:datum|dag)|(?<![a-z])f[øö]dd?t?(?![a-zà-ÿ])|syntymä(?:aika|päivä)|(?<![a-z])syntynyt',
  // A second author's dev set (issue 18): `BDATE` and CDA's `birthTime`; Czech, Slovak, Hungarian, Romanian.
  '(?<![a-z])b[_-]?date(?![a-z])',
  'birth[\\s_-]*time',
  'datum[\\s_-]*narozen[íi]|(?<![a-z])narozen[aáý]?(?![a-z])|(?<![a-z])dat\\.\\s*nar\\.?|(?<![a-z])nar\\.(?=\\s*\\d)',
  'd[áa]tum[\\s_-]*narodenia|(?<![a-z])naroden[ýáa](?![a-z])',
  'sz[üu]let[ée]si[\\s_-]*(?:d[áa]tum|id[őo])|(?<![a-z])sz[üu]let(?:ett|tem|tél)|(?<![a-z])sz[üu]l\\.',
  'data[\\s_-]*na[șşs]terii|(?<![a-z])n[ăa]scut[ăa]?(?:\\s+(?:la|[îi]n))?(?![a-z])',
  // Russian, Ukrainian, Greek, Arabic, Hebrew, Hindi, Thai
  'дат[аыу]\\s*рождения|(?<![а-я])д\\.\\s?р\\.|родил(?:ся|ась)|(?<![а-я])рожд\\.',
  'дат[аиу]\\s*народження|народил?(?:ся|ася|ась)',
  'ημερομηνία\\s*γέννησης|ημερομηνια\\s*γεννησης|γεννήθηκε|γεννηθηκε',
  'تاريخ\\s*(?:ال)?(?:ميلاد|ولادة)|مواليد',
  'תאריך\\s*לידה|נולד(?:ה)?',
  'जन्म\\s*(?:तिथि|तारीख|दिनांक)|जन्मतिथि',
  'วันเกิด',
  // Korean, Chinese, Indonesian/Malay, Vietnamese
  '생년월일|생일|출생(?:일)?',
  '生日|出生',
  '(?:tanggal|tgl\\.?|tarikh)\\s*lahir|(?<![a-z])lahir(?![a-z])',
  'ng[àa]y\\s*sinh|(?<![a-z])sinh\\s*ng[àa]y',
  // A third author's dev set: birthdays (a day and month alone count after these), abbreviations and key names, and
  // labels in ca, hr, sw, ga, is, et, lv, lt, fa and tl.
  "(?<![a-z])b(?:irth)?[-']?day|cumplea[ñn]os|(?<![a-z])cumple(?![a-z])|compleanno|anivers[áa]rio|anniversaire|verjaardag|urodziny|syntymäpäivä|doğum\\s*günü|день\\s*рождения|kaarawan",
  '(?<![a-z])dn(?=\\s*[:=])|(?<![a-z])fdn(?![a-z])|gebdat|(?<![a-z])f\\.?\\s?nac(?![a-z])',
  '(?<![a-z])nac[íi](?![a-z])|n[ée]ixer|народи(?:вся|лася|лась)|ro[đd]en[ao]?(?![a-z])|alizaliwa|rugadh|f[æa]dd(?:ur|ist)?(?![a-z])',
  'sünniaeg|s[üu]nnikuup[äa]ev|dzim[šs]anas\\s*datums|gimimo\\s*data|تاریخ\\s*تولد|ipinanganak',
  // A fourth author's dev set: abbreviated labels (Greek `ημ. γέννησης`, `γενν.`; Hebrew `ת. לידה`), Scandinavian
  // keys typed without ø/ö (`fodselsdato`, `fodelsedatum`), Hindi in Latin letters (`janam tithi`), Moroccan Arabic
  // `الازدياد`, Thai `วันเดือนปีเกิด` and `เกิดวันที่`, the French `anniv`.
  "ημ(?:ερ)?\\.?\\s*γ[έε]ννησης|(?<![α-ω])γενν\\.|ת(?:\\.|׳|'|אריך)\\s*לידה",
  'fods(?:els)?(?:dato|datum|dag)|fodelse(?:datum|dag)|(?<![a-z])janam\\s*(?:tithi|tarikh|din)',
  '(?:تاريخ\\s*)?الازدياد|วัน(?:เดือนปี)?เกิด|เกิดวันที่|(?<![a-z])anniv(?![a-z])',
  // Swahili `tarehe ya kuzaliwa`, Tagalog `petsa ng kapanganakan`, Spanish "cumplo años el" (my birthday is).
  '(?:tarehe\\s+ya\\s+)?kuzaliwa|(?:petsa\\s+ng\\s+)?kapanganakan|(?<![a-z])cumpl[eo]\\s+a[ñn]os(?:\\s+el)?',
  // A sixth author's dev set: Catalan `data de naixement`; the Thai `เกิด` (born) right before its date (it also means
  // "occur" before other words); the Arabic "birthday of" (`عيد ميلادي`, my birthday), not the Nativity (`عيد الميلاد`,
  // `عيد ميلاد المسيح`); the Swiss German `Geburi` (birthday).
  '(?:data[\\s_-]*(?:de[\\s_-]*)?)?naixement|เกิด(?=\\s*(?:[:：]\\s*)?$)|عيد\\s*ميلاد(?:ي|ه|ها|ك|كم|نا)?(?![\\u0621-\\u064A])(?!\\s*(?:المسيح|المجيد))|(?<![a-z])geburi(?![a-z])',
];
const BIRTH_BEFORE = new RegExp(BIRTH_WORDS.join('|'), 'gi');
/** Column headers and record keys: the same labels. */
export const BIRTH_KEY = new RegExp(BIRTH_WORDS.join('|'), 'i');
/** A column header may also be the bare word (`BIRTH` in a fixed-width export, `BD` in a roster). */
const BIRTH_COLUMN = new RegExp(`${BIRTH_WORDS.join('|')}|^birth$|^bd$|^born$`, 'i');
/** Under a birth column, a two-digit year may also come first (`63-07-19`), as fixed-width exports write it. */
const YY_MM_DD = /^(\d{2})[-/.](\d{2})[-/.](\d{2})$/;
// Abbreviations that count only right before the date: "b. 1990-07-12", "ur. 12.10.1980", "(geb. 21.01.1990)", "nac.
// 14/03/1970"; and the genealogical star of a CV, "* 07.05.1956 in Köln", only with its place (a bullet may open any
// dated line).
const BIRTH_TIGHT = /(?<![a-z])(?:b|ur|geb|nac)\.\s?$/i;
const STAR_BEFORE = /(?:^|[\s(])\*\s?$/;
const STAR_AFTER = /^,?\s+in\s+[A-ZÀ-Þ]/;
// Birth words after the date: 1985年3月14日生まれ, "3 Ekim 1979 doğumlu", "22 Ağustos 1960 tarihinde doğdu", "(DOB)",
// Korean `1983.07.21생`, Russian `03.02.1986 г.р.` (года рождения).
const BIRTH_AFTER =
  /^(?:[\s,]{0,3}(?:生まれ|生(?!年)|생(?![가-힣])|г\.\s?р\.|do[ğg]umlu|tarihinde\s+do[ğg]|\(\s*(?:dob|d\.o\.b\.?|date of birth|birth ?date|born)\s*\))|\s{1,3}(?:geboren|born|nacid[oa]|née?|nat[oa]|urodzi[łl]a?)(?![a-zà-ÿ]))/i;
// An age with the date in brackets or after a comma: "age 45 (04.03.1979)", "Alter 45, 04.03.1979".
const AGE_BEFORE =
  /(?<![a-z])(?:age[d]?|âge|edad|età|idade|alter|leeftijd|wiek)\s*:?\s*\d{1,3}\s*(?:y(?:ears?|rs?|o)?\.?|ans|años|anni|anos|jahre|jaar|lat)?\s*[(,;–-]\s*$/i;
// Someone turning an age, then the date they were born: "she turns 40 on Friday — 3 May 1984", "compi 30 anni: 14 marzo
// 1994", "cumple 50 años, nació el…", "wird 60 – geboren…".
const AGE_TURN_BEFORE =
  /(?<![a-zà-ÿ])(?:turns?|turning|turned|compi|compie|compio|cumple|cumplo|cumpliu|completa|wird|werde|f[êe]te\s+ses|fête\s+mes)\s+\d{1,3}(?!\d)[^\d\n]{0,40}$/i;
// A person turning an age, said by or of them ("cumplo 30 el 14 de febrero", "she turns 40 on 3 May", "werde 50 am
// 2. Juni"): the day and month that follow, without a year, are a birthday. A shop or a club that turns ten is not.
const PERSON_TURNS =
  /(?<![a-zà-ÿ'’])(?:(?:i|i'm|i\s+am|you|you're|he|he's|she|she's)\s+turn(?:s|ing)?|cumplo|compio|werde|fête\s+mes)\s+\d{1,3}(?!\d)[^\d\n]{0,40}$/i;
// A cheap superset of every birth word above (before, tight or after) and of HL7's PID segment: texts without one
// are not read further. The genealogical star is looked for apart (`anyBirthWord`).
const ANY_BIRTH_WORD =
  /b(?:irth|-?day|orn|\.|[_-]?date)|d(?:[./]?o[./]?b|dn|o[ğg])|geb|naiss|né|na(?:c|sc|t[oa]|roz|rod|[șşs]t|scut)|născut|urod|\bur\.|\bnar\.|f[øö]d|synty|sz[üu]l|生|誕|出生|PID\||рожд|родил|д\.\s?р\.|народ|γέννη|γεννη|ميلاد|ولادة|مواليد|לידה|נולד|जन्म|วันเกิด|생년|생일|출생|lahir|sinh|cumple|complean|anivers|verjaard|urodzin|syntymä|günü|рождения|kaarawan|\bdn\b|fdn|gebdat|\bnac|néixer|neixer|народи|rođen|roden|alizaliwa|kuzaliwa|kapanganakan|cumplo|rugadh|fædd|fadd|sünni|dzim|gimimo|تولد|ipinanganak|γενν|janam|fod(?:s|else)|ازدياد|เกิด|anniv|\d생|d0b|naix|geburi|jahrgang|year|yob|turn|compi|wird|nac[íi]|nasci|ילי|年|년생|г\.\s?р\.|\bage|\bbd\b|\balter\b|edad|idade/i;

/** `ANY_BIRTH_WORD` or the CV's star (`* 07.05.1956`), tested apart: a `\*` alternative in the regex halves its speed. */
const anyBirthWord = (text: string): boolean => text.includes('*') || hasKeyword(text, ANY_BIRTH_WORD);

// Between a birth label and its date: another date's own label (`admission date`, `next appointment`, `<AdmitDate>`,
// `Lieferdatum`, `fecha de la cita`) or an event done to the record (`birthdate verification completed …`), after the
// last comma; a new key, or the end of the clause anywhere: then the date is not the one labelled.
const OTHER_LABEL =
  /(?<![a-z])(?:dates?(?![a-z])|datum|fecha|data(?![a-z])|appoint|appt|visit|admi(?:t|ssion)|discharg|invoice|factur|rechnung|fattura|due(?![a-z])|ship|deliver|liefer|livr|consegn|entreg|order|creat|updat|modif|expir|valid|renew|effective|start|end(?:s|ed)?(?![a-z])|issue|signed|schedul|seen(?![a-z])|next(?![a-z])|last(?![a-z])|since(?![a-z])|until(?![a-z])|termin|cita(?![a-z])|rendez|consult|afspraak|wizyt|randevu|spotkani|toplant|promo|sale(?![a-z])|party|feier|meeting|reuni|(?:complet|process|submitt|upload|receiv|review|approv|request|record|logg|captur|scann|print|releas|launch|found|incorporat|establish|open|publish|vaccinat)ed(?![a-z])|sent(?![a-z])|geimpft)/i;
const NEW_KEY = /[,;&]\s*["']?[A-Za-z_À-ɏ][\wÀ-ɏ-]*["']?\s*[:=]/;
// Case-sensitive on purpose: a sentence ends where a lower-case word of three letters or more takes a full stop.
const CLAUSE_END = /[;!?。]|[a-zà-ÿ]{3}\.\s+[A-ZÀ-Þ]|\n\s*[A-Za-zÀ-ɏ]/;
// A second date that corrects or doubles the first: "… but the system has …", "old value …, new value …".
const CORRECTION =
  /(?<![a-z])(?:but|or|vs|versus|instead|not|rather|new|correct(?:ed|ion)?|should be|actually|pero|mais|ou|aber|oder|ma|mas|maar|ale|lub|ama|veya)(?![a-z])|→|->|=>/i;
// Two dates joined as a range are a period, not a birth: "01/03/2025 - 31/03/2025", "from 1 June to 3 June".
const RANGE_JOIN = /^\s*(?:-|–|—|~|〜|to|until|till|through|thru|bis|au|al|a|tot|do|ile|から)\s*$/i;

const MAX_GAP = 64;
const SENTENCE_AFTER_LABEL = /^[.!?]\s+[A-ZÀ-Þ]/;
// A date compared with the birth field is a bound of a query or a constraint, not anyone's birth:
// `CHECK (dob > '1900-01-01')`, `WHERE birth_date >= '2000-01-01'`, `dob BETWEEN '1950-01-01' AND …`. Spaces before
// the operator, on the label's line, tell it from an XML tag's `>` and a quoted reply (`\n> 30/06/1972`).
const BOUND_BEFORE = /^[\w"'`\])]*[ \t]+(?:[<>]=?|between)[ \t]*['"]?$/i;

/**
 * Encyclopedic prose about a public figure: a name, a third-person birth verb, then the date ("Ada Lovelace was born
 * on 10 December 1815", "Юрий Гагарин родился", "Soekarno lahir pada"). A year before `HISTORICAL_BEFORE` puts the
 * person past ninety, where such a sentence is biography, not a customer's record. A possessive or pronoun
 * ("My grandma was born on …") makes it personal again.
 */
const HISTORICAL_BEFORE = 1935;
const NARRATIVE_BIRTH = new RegExp(
  `(?:^|[.!?;:\\n(]\\s*|,\\s+)((?:[A-ZÀ-ÞΑ-ΩΆ-ΏА-ЯЁ][${L}'’.-]*\\s+){1,4})` +
    '(?:was\\s+born(?:\\s+on)?|est\\s+n[ée]e?\\s+le|wurde\\s+am|nació\\s+el|nacque\\s+il|nasceu\\s+em|' +
    'urodził[a]?\\s+się|родил(?:ся|ась)|народи(?:вся|лася)|γεννήθηκε(?:\\s+στις)?|lahir\\s+pada|s[üu]letett|' +
    'föddes(?:\\s+den)?|blev\\s+født|werd\\s+geboren\\s+op)\\s*$',
);
const PERSONAL_SUBJECT =
  /^(?:i|my|our|your|his|her|their|he|she|we|they|mein\w*|unser\w*|ich|er|sie|mon|ma|mes|notre|je|il|elle|mi|mis|su|yo|él|ella|nuestr\w*|mio|mia|mój|moja|nasz\w*|я|мой|моя|наш\w*|он|она|saya|aku|dia)$/i;

// Animals whose birth dates records keep (a vet's chart, a pet insurance form, a breeder's list, a herd register's
// calves and dams): not personal data.
// German nouns are matched with their capital, so the English `tier` ("customer tier") is not a German `Tier`.
const ANIMAL =
  /(?<![a-zà-ÿ])(?:dogs?|pupp(?:y|ies)|pups?|cats?|kittens?|kitty|pets?|horses?|foals?|rabbits?|hamsters?|parrots?|breed|species|canine|feline|labrador|retriever|(?:short|long|wire)hair(?:ed)?|terrier|poodle|spaniel|beagle|bulldog|dachshund|husky|chihuahua|collie|tabby|chienne?|chiot|chatte|chaton|animal(?:e|es)?|cheval|poulain|perr[oa]s?|cachorr[oa]s?|gat[oa]s?|gatit[oa]|mascotas?|caballo|potro|cagnolin[oa]|cucciol[oa]|gatt[oa]|gattin[oa]|cavallo|puledro|cão|gatinh[oa]|hond|huisdier|paard|kalf|kalveren|koe|koeien|vaars|stier|veulen|merrie|ooi|geit|varken|zeug|moederdier|calf|calves|cows?|heifers?|bulls?|cattle|livestock|herd|sheep|lambs?|ewes?|goats?|piglets?|sows?|mares?|stallions?|veau|vache|g[ée]nisse|taureau|brebis|agneau|ch[èe]vre|porcelet|truie|jument|terner[oa]|vaca|novilla|toro|oveja|cordero|cabra|lech[óo]n|yegua|vitell[oa]|vacca|mucca|manza|pecora|agnello|scrofa|bezerr[oa]|novilha|touro|ovelha|cordeiro|leit[ãa]o|[ée]gua|piesek|szczeni[ae]k|kot(?:ek)?|собак[аи]|щен(?:ок|ка)|кошк[аи]|кот(?:ёнок|а)?|питом(?:ец|ца))(?![a-zà-ÿ])|\uD83D[\uDC15\uDC36\uDC08\uDC31\uDC34\uDC0E]/gi;
const ANIMAL_DE =
  /(?<![A-Za-zÄÖÜäöüß])(?:Hund|Hündin|Welpe|Katze|Kater|Kätzchen|Tier(?:es)?|Haustier|Pferd|Fohlen|Rasse|Kalb|Kälber|Kuh|Kühe|Rind(?:er)?|Färse|Bulle|Stier|Schaf|Lamm|Ziege|Schwein|Ferkel|Sau|Stute|Hengst|Muttertier)(?![a-zäöüß])/g;
// The person a record is about besides the animal: a word after the animal that hands the record back to a person.
const PERSON =
  /(?<![a-zà-ÿ])(?:owner|policy\s?holder|holder|keeper|guardian|employee|customer|client[e]?|halter(?:in)?|besitzer(?:in)?|inhaber(?:in)?|propriétaire|maître|dueñ[oa]|propietari[oa]|titular|proprietari[oa]|padron[ea]|tutor[a]?|eigenaar|baasje|właściciel(?:ka)?|владел(?:ец|ица)|хозя(?:ин|йка)|ich|i|me|my|mine)(?![a-zà-ÿ])/gi;
// A sentence ends at `!`/`?`, or at a full stop after a word of three letters and before a capital (not `geb. 4`).
const SENTENCE_END = /[!?](?:\s|$)|[a-zà-ÿ]{3}\.\s+[A-ZÀ-Þ]/g;
// A form's field line (`Date of birth: …`), which reads on from the field line above it (`Patient: Bella (dog)`).
const FIELD_LINE = /^\s*[^\s:：][^:：\n]{0,40}[:：]/;

/** The last match's end of a global regex in `text`, or -1. */
function lastEnd(regex: RegExp, text: string): number {
  let end = -1;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) end = m.index + m[0].length;
  return end;
}

/**
 * A date of birth whose subject is an animal: the sentence (or, in a form, the field line and the one above it) before
 * the date names an animal after the last person it names.
 */
const PET_REACH = 160;
/** How far back a date's own line is read for another date's label. */
const LINE_REACH = 240;

function petBirth(text: string, start: number): boolean {
  // Only the 160 characters before the date are read, so line starts are looked for no further back.
  const lineStart = lineStartWithin(text, start, PET_REACH);
  let from = Math.max(0, lineStart);
  if (lineStart > 0 && FIELD_LINE.test(text.slice(lineStart, start))) {
    const above = lineStartWithin(text, lineStart - 1, PET_REACH);
    if (above >= 0 && FIELD_LINE.test(text.slice(above, lineStart))) from = above;
  }
  let window = text.slice(Math.max(from, start - PET_REACH), start);
  const sentence = lastEnd(SENTENCE_END, window);
  if (sentence > 0) window = window.slice(sentence - 1);
  // The German nouns are capitalised: a text without capitals holds none.
  const animal = Math.max(lastEnd(ANIMAL, window), textFacts(text).capitals ? lastEnd(ANIMAL_DE, window) : -1);
  return animal >= 0 && animal > lastEnd(PERSON, window);
}

/** A birth told of a public figure long dead or past ninety (see `NARRATIVE_BIRTH`): not personal data to mask. */
function historicalBirth(text: string, start: number, end: number): boolean {
  const year = Number(/(\d{4})(?!.*\d{4})/.exec(text.slice(start, end))?.[1] ?? NaN);
  if (!(year < HISTORICAL_BEFORE)) return false;
  const subject = NARRATIVE_BIRTH.exec(text.slice(Math.max(0, start - 80), start));
  if (subject === null) return false;
  return !(subject[1] as string).split(/\s+/).some((word) => PERSONAL_SUBJECT.test(word));
}

const HYPHEN_BREAK = /(?<=[A-Za-zÀ-ÿ])-[ \t]*\r?\n[ \t]*(?=[a-zà-ÿ])/g;
/** The text with words a line break hyphenated joined again (`naci-\nmiento` → `nacimiento`). */
const unhyphenate = (text: string): string =>
  text.includes('-') && text.includes('\n') ? text.replace(HYPHEN_BREAK, '') : text;

/** The last birth label that ends in the `MAX_GAP` characters before `index`, with only label-ish text after it. */
function labelledBefore(text: string, index: number): boolean {
  if (BIRTH_TIGHT.test(text.slice(Math.max(0, index - 8), index))) return true;
  // Labels hold no digits and the text between a label and its date holds none either: read only what follows the
  // last digit before the date.
  let from = Math.max(0, index - MAX_GAP - 40);
  for (let i = index - 1; i >= from; i--) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      from = i + 1;
      break;
    }
  }
  // A label a line break hyphenated (`Date of Bi-\nrth:`, `nato a Na-\npoli il`) reads as one word.
  const before = unhyphenate(text.slice(from, index));
  let end = -1;
  BIRTH_BEFORE.lastIndex = 0;
  for (let match = BIRTH_BEFORE.exec(before); match !== null; match = BIRTH_BEFORE.exec(before)) {
    // A closing tag names the element that just ended (`</BirthDate><AdmitDate>`), not the next value.
    if (before.charCodeAt(match.index - 1) === 47 && before.charCodeAt(match.index - 2) === 60) continue;
    end = match.index + match[0].length;
  }
  if (end < 0 || before.length - end > MAX_GAP) return false;
  const gap = before.slice(end);
  // A full stop right after the label ends its sentence: "… its anniversary. Score 3-2".
  return plainGap(gap) && !BOUND_BEFORE.test(gap) && !SENTENCE_AFTER_LABEL.test(gap);
}

/** The date's own line names another kind of date before it (`Effective date: …`, `Date d'embauche : …`). */
function otherLabelOnLine(text: string, start: number): boolean {
  return OTHER_LABEL.test(text.slice(Math.max(lineStartWithin(text, start, LINE_REACH), start - LINE_REACH), start));
}

/** An age someone turns right before the date, with no other date's label between (`turns 10: opened …`). */
function ageTurning(text: string, start: number, before = AGE_TURN_BEFORE): boolean {
  const turn = before.exec(text.slice(Math.max(0, start - 64), start));
  // When the birthday falls ("next week", "this Sunday") is not another date's label.
  const gap = turn?.[0].replace(/^\S+\s+\d+/, '').replace(/(?<![a-z])(?:next|this)\s+\w+/gi, '');
  return gap !== undefined && !OTHER_LABEL.test(gap);
}

function plainGap(gap: string): boolean {
  if (/\d/.test(gap) || NEW_KEY.test(gap) || CLAUSE_END.test(gap)) return false;
  // "Her birthdate, as stated on the form we received in March, is …": a comma closes the aside.
  return !OTHER_LABEL.test(gap.slice(gap.lastIndexOf(',') + 1));
}

// A birthday without its year, or a date whose two-digit year comes first, only right after a birth label: "mein
// Geburtstag ist am 3. Oktober", "bday is 11/2", "Cumpleaños: 28 de julio", "born 4 March", "생년월일: 95.03.15",
// "誕生日は5月3日".
const PARTIAL = new RegExp(
  `(?<![${L}0-9/.-])(?:${DAY}\\s?(?:de\\s+|of\\s+)?${MONTH}|${MONTH}\\s${DAY}|\\d{1,2}\\s?月\\s?\\d{1,2}\\s?日|\\d{1,2}[./-]\\d{1,2}\\.?|\\d{2}([./-])\\d{2}\\1\\d{2})(?![${L}0-9]|[./-]\\d|,?\\s+'?\\d{2,4}(?!\\d))`,
  'gi',
);

// A birth told with its year first, then the day and month: "nata nell'estate del '91, il 3 luglio", "born in 1990,
// on 3 May", "geboren 1987 — am 3. Mai". The birth verb, at most 40 characters without a digit, the year (four digits,
// or two after an apostrophe), then a short plain gap before the day.
const YEAR_THEN_DAY =
  /(?<![a-zà-ÿ])(?:born|nat[oa]|nacid[oa]|nac[íi]|n[ée]e|geboren|nascid[oa]|urodzi[łl]a?|urodzon[ya])(?![a-zà-ÿ])[^\d\n]{0,40}(?:(?:19|20)\d{2}|['’]\d{2})(?!\d)([^\d\n]{0,16})$/i;
// A death or another event told between them names the date that follows.
const OTHER_EVENT =
  /(?<![a-zà-ÿ])(?:died|death|gestorben|verstorben|mort[oa]?|morreu|muri[óo]|fallecid[oa]|décédée?|zmar[łl]a?|married|verheiratet|spos\w*|cas[óo]|mari[ée]e?)(?![a-zà-ÿ])|†/i;

/** A day and month right after a birth verb and the birth year (`YEAR_THEN_DAY`), read in the 90 characters before. */
function yearThenDay(text: string, start: number): boolean {
  const match = YEAR_THEN_DAY.exec(text.slice(Math.max(0, start - 90), start));
  if (match === null) return false;
  const gap = (match[1] as string).replace(/^\s*[—–-]\s*/, ' ');
  return !OTHER_EVENT.test(match[0]) && !NEW_KEY.test(gap) && !CLAUSE_END.test(gap) && !OTHER_LABEL.test(gap);
}

function partialDate(value: string): boolean {
  const numbers = (value.match(/\d+/g) ?? []).map(Number);
  const words = (value.match(LETTERS) ?? []).map((word) => word.toLowerCase());
  if (words.length > 0)
    return (
      words.some((word) => MONTHS.has(word)) &&
      words.every((w) => MONTHS.has(w) || ORDINAL_OR_ARTICLE.has(w)) &&
      (numbers[0] ?? 0) >= 1 &&
      (numbers[0] ?? 0) <= 31
    );
  if (numbers.length === 3) {
    const [, month, day] = numbers as [number, number, number];
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
  const [a, b] = numbers as [number, number];
  return dayMonth(a, b);
}

function labelledPartials(text: string, dates: ReadonlyArray<{ start: number; end: number }>, out: Detection[]): void {
  PARTIAL.lastIndex = 0;
  for (let match = PARTIAL.exec(text); match !== null; match = PARTIAL.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (dates.some((date) => date.start < end && start < date.end)) continue;
    if (
      partialDate(match[0]) &&
      (labelledBefore(text, start) || ageTurning(text, start, PERSON_TURNS) || yearThenDay(text, start))
    ) {
      // A full stop after a whole month name ends the sentence; after an abbreviation (`Okt.`) it belongs to it.
      const trim = /[^\d\s.]{5,}\.$/.test(match[0]) ? 1 : 0;
      out.push({ start, end: end - trim, type: 'DOB' });
    }
    // A word that is no month ("born 12") may hide the day that starts the real one ("12 May"): try the next start.
    else PARTIAL.lastIndex = start + 1;
  }
}

/** Six digits as DDMMYY, YYMMDD or MMDDYY (`120385`, `920402`): a date only right after a birth label. */
function sixDigitDate(value: string): boolean {
  const [a, b, c] = [value.slice(0, 2), value.slice(2, 4), value.slice(4, 6)].map(Number) as [number, number, number];
  return (isDay(a) && isMonth(b)) || (isMonth(b) && isDay(c)) || (isMonth(a) && isDay(b));
}
const isMonth = (m: number): boolean => m >= 1 && m <= 12;
const isDay = (d: number): boolean => d >= 1 && d <= 31;

// Dates written so the date regex cannot read them, each taken only right after a birth label: six digits
// (`data di nascita: 120385`), every digit set apart as forms and keypads print them (`2 5 / 1 2 / 1 9 8 0`,
// `|0|8|/|1|1|/|1|9|9|5|`, `0-7-1-9-1-9-8-2`), and OCR that read 0 as O and 1 as l or I (`O3/14/l948`).
const SIX_DIGITS = /(?<![\w./-])\d{6}(?![\w]|[./-]\d)/g;
const SPACED_DIGITS = /(?<![\w|])\|?\d(?:(?:[ |-]{1,2}|[ |]{0,2}[/.][ |]{0,2})\d){5,9}\|?(?![\w|])/g;
const OCR_DATE = /(?<![\w/.-])[\dOlI]{1,2}[/.-][\dOlI]{1,2}[/.-][\dOlI]{2,4}(?![\w/]|[.-]\d)/g;

/** The date a spaced-out run spells (`2 5 / 1 2 / 1 9 8 0` → `25/12/1980`), if it is one. */
function spacedDate(value: string): boolean {
  const joined = value.replace(/[ |]/g, '');
  if (/[/.]/.test(joined)) return WHOLE_DATE.test(joined) && isDate(joined);
  const digits = joined.replace(/-/g, '');
  return digits.length === 8 ? compactDate(digits) : digits.length === 6 && sixDigitDate(digits);
}

/** An OCR-garbled date (`O3/14/l948`): letters for digits, read back, must make a date. */
function ocrDate(value: string): boolean {
  if (!/[OlI]/.test(value) || !/\d/.test(value)) return false;
  const read = value.replace(/O/g, '0').replace(/[lI]/g, '1');
  return isDate(read);
}

const SQL_INSERT = /\(([^()\n]{1,300})\)\s*VALUES\s*\(/gi;

/** The column of an `INSERT (…) VALUES (…)` tuple that the value at `start` stands in, if it stands in one. */
function sqlColumn(text: string, start: number): string | undefined {
  const before = text.slice(Math.max(0, start - 400), start);
  let last: RegExpExecArray | undefined;
  SQL_INSERT.lastIndex = 0;
  for (let m = SQL_INSERT.exec(before); m !== null; m = SQL_INSERT.exec(before)) last = m;
  if (last === undefined) return undefined;
  const tuple = before.slice(last.index + last[0].length);
  if (tuple.includes(')')) return undefined;
  // Commas outside quoted strings count the position.
  const position = tuple.replace(/'[^']*'|"[^"]*"/g, '').split(',').length - 1;
  return (last[1] as string).split(',')[position] ?? '';
}

/** A birth label before `start`, also when OCR garbled it as it garbled the date (`D0B:`). */
function labelledOrGarbled(text: string, start: number, garbled: boolean): boolean {
  // In `INSERT … (id, name, dob) VALUES (230517, …`, the birth word names a column, not the digits after it: a value
  // of a SQL tuple is judged by its column's position, not by a label nearby.
  const column = sqlColumn(text, start);
  if (column !== undefined) return BIRTH_KEY.test(column);
  if (labelledBefore(text, start)) return true;
  if (!garbled) return false;
  const window = text
    .slice(Math.max(0, start - 80), start)
    .replace(/0/g, 'O')
    .replace(/1/g, 'l');
  return labelledBefore(window, window.length);
}

function obscuredDates(text: string, dates: ReadonlyArray<{ start: number; end: number }>, out: Detection[]): void {
  const readers: Array<[RegExp, (value: string) => boolean, boolean]> = [
    [SIX_DIGITS, sixDigitDate, false],
    [SPACED_DIGITS, spacedDate, false],
    [OCR_DATE, ocrDate, true],
  ];
  const found = [...dates].sort((a, b) => a.start - b.start);
  for (const [regex, read, garbled] of readers) {
    regex.lastIndex = 0;
    // Matches come in order, so one cursor walks the dates found already: no date is compared twice.
    let next = 0;
    let reach = -1;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      while (next < found.length && (found[next] as { start: number }).start < end)
        reach = Math.max(reach, (found[next++] as { end: number }).end);
      if (reach > start || !read(match[0])) continue;
      if (labelledOrGarbled(text, start, garbled)) out.push({ start, end, type: 'DOB' });
    }
  }
}

// A birth year alone, where a birth word governs it: a year-of-birth label or key (`birth_year: 1990`,
// `Geburtsjahr`, `année de naissance`, `rok urodzenia`, `год рождения`, `出生年份`), "Jahrgang" said of someone (`ich bin
// Jahrgang 1987`, `ist Jahrgang '41`), a first-person birth in a year (`I was born in 1979`, `je suis née en 2002`,
// `nací en 1985`, `sono nato nel 1964`, `ich bin 1987 geboren`), the Hebrew `יליד 1985`, and the East Asian year with
// a birth suffix (`1990年生`, `95年生まれ`, `95년생`). A third-person "born in 1879" is biography and stays.
const BIRTH_YEAR_BEFORE =
  /(?:(?<![a-z])(?:birth[\s_-]?year|year[\s_-]?of[\s_-]?birth|yob|geburtsjahr|ann[ée]e\s+de\s+naissance|a[ñn]o\s+de\s+nacimiento|anno\s+di\s+nascita|ano\s+de\s+nascimento|rok\s+urodzenia|geboortejaar|f[öø]delse[åa]r|f[øö]dsels[åa]r|syntymävuosi)["']?\s*[:=]?\s*["']?|год\s+рождения\s*[:=]?\s*|έτος\s+γέννησης\s*[:=]?\s*|出生年份?\s*[:：]?\s*|(?<![a-zäöü])(?:bin|bist|ist|sind|war|waren)\s+jahrgang\s+|(?<![a-z])(?:i\s+was\s+born|i'm\s+born|suis\s+n[ée]e?|nac[íi]|sono\s+nat[oa]|nasci|urodzi[łl](?:em|am)\s+si[ęe]|saya\s+lahir)\s+(?:in|en|el\s+a[ñn]o|nel|em|w|pada\s+tahun|tahun)\s+|ילי(?:ד|דת)\s+)$/i;
const YEAR_TOKEN = /(?<![\w'’.-])(?:(?:19|20)\d{2}|['’]\d{2})(?![\w]|[.,/-]\d)/g;
const BIRTH_YEAR_AFTER = /^(?:\s+geboren|\s?年\s?生(?!日)|\s?年\s?生まれ|년생)/;
// Two-digit years need the East Asian suffix: `95年生まれ`, `95년생` (not `3年生`, a school grade).
const SHORT_YEAR_SUFFIX = /(?<![\d.])\d{2}(?=\s?年\s?生まれ|년생)/g;

function birthYears(text: string, out: Detection[]): void {
  YEAR_TOKEN.lastIndex = 0;
  for (let match = YEAR_TOKEN.exec(text); match !== null; match = YEAR_TOKEN.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = text.slice(Math.max(0, start - 40), start);
    const after = text.slice(end, end + 12);
    const fourDigits = match[0].length === 4;
    const personal = /(?<![a-zäöü])(?:ich|wir)\s+(?:bin|sind|wurde|wurden)\s+$/i.test(before);
    if (
      BIRTH_YEAR_BEFORE.test(before) ||
      (fourDigits && /^\s?年\s?生/.test(after) && !/^\s?年\s?生日/.test(after)) ||
      (fourDigits && personal && BIRTH_YEAR_AFTER.test(after))
    )
      out.push({ start, end, type: 'DOB' });
  }
  SHORT_YEAR_SUFFIX.lastIndex = 0;
  for (let match = SHORT_YEAR_SUFFIX.exec(text); match !== null; match = SHORT_YEAR_SUFFIX.exec(text))
    out.push({ start: match.index, end: match.index + 2, type: 'DOB' });
}

// English dates said in words, as call transcripts and letters write them: "the third of May two thousand sixteen",
// "November ninth, nineteen seventy-two", "Twelfth of December, 1940", "the twenty-first day of October in the year
// two thousand and three". Taken only after a birth label or as the answer to a birth question.
const ORDINAL_WORD =
  '(?:(?:twenty|thirty)[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)';
const NUMBER_WORD =
  '(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|one|two|three|four|five|six|seven|eight|nine|oh[- ](?:one|two|three|four|five|six|seven|eight|nine))';
const YEAR_WORDS = `(?:(?:nineteen|eighteen)\\s+(?:hundred(?:\\s+and)?\\s+)?${NUMBER_WORD}|two\\s+thousand(?:\\s+(?:and\\s+)?${NUMBER_WORD})?|\\d{4})`;
const EN_MONTH = '(?:january|february|march|april|may|june|july|august|september|october|november|december)';
const SPOKEN_DATE = new RegExp(
  `(?<![a-z])(?:(?:the\\s+)?${ORDINAL_WORD}\\s+(?:day\\s+)?of\\s+${EN_MONTH}|${EN_MONTH}\\s+(?:the\\s+)?${ORDINAL_WORD}),?\\s+(?:in\\s+the\\s+year\\s+(?:of\\s+)?)?${YEAR_WORDS}(?![a-z\\d])`,
  'gi',
);

// Every spoken date holds an ordinal: texts without one are not read for them.
const SPOKEN_HINT = /(?:first|second|third|th)\b/i;

// French, Spanish and German dates said in words, as transcripts and dictation write them: "le premier avril
// quatre-vingt-dix", "trois mars mil neuf cent quatre-vingt-deux", "veintiuno de marzo del ochenta y cuatro", "dritten
// März neunzehnhundertneunundsiebzig". Taken, like the English ones, only after a birth label or as the answer to a
// birth question, so the number words are matched, not parsed.
const FR_ES_NUMBER =
  '(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille|mil|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieci[a-zé]{3,6}|veinti[a-zéú]{2,6}|veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|[a-z]{3,6}cientos)';
const FR_ES_NUMBERS = `${FR_ES_NUMBER}(?:(?:[\\s-]+(?:et|y)[\\s-]+|[\\s-]+)${FR_ES_NUMBER}){0,5}`;
const OTHER_MONTH =
  '(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|januar|februar|m[äa]rz|april|juni|juli|august|oktober|dezember)';
const SPOKEN_DATE_OTHER = new RegExp(
  `(?<![a-zà-ÿ])(?:premier|1er|primero|${FR_ES_NUMBERS}|[a-zäöüß]{4,24}ten)\\s+(?:de\\s+)?${OTHER_MONTH}(?:\\s+(?:de|del)\\s+|\\s+)(?:${FR_ES_NUMBERS}|(?:neunzehn|achtzehn)hundert[a-zäöüß]*|zweitausend[a-zäöüß]*)(?![a-zà-ÿ])`,
  'gi',
);
// Every such date holds a tens or hundreds word of its year.
const SPOKEN_OTHER_HINT = /vingt|trente|quarante|cinquante|soixante|cent|mil|enta|veint|hundert|tausend|dix|diez/i;

function spokenDates(text: string, out: Detection[], regex = SPOKEN_DATE): void {
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const start = match.index;
    if (labelledBefore(text, start) || answersPrevious(text, start, BIRTH_KEY))
      out.push({ start, end: start + match[0].length, type: 'DOB' });
  }
}

export const dob: Detector = {
  type: 'DOB',
  category: 'identity',
  // Japanese era dates can carry two digits (平成元年5月1日), a birthday one ("Cumpleaños: 2 de abril"), a date said in
  // words none ("the third of May two thousand sixteen"): the birth-word pre-filter decides instead.
  minDigits: 0,
  detect(text, out) {
    const facts = textFacts(text);
    // Every record cue but an MRZ's `<<` is written in capitals.
    if ((facts.capitals || text.includes('<<')) && BIRTH_RECORD_CUE.test(text)) recordBirths(text, out);
    if (!anyBirthWord(unhyphenate(text))) return;
    // Without a digit, only a date said in words can be one: every other form holds a digit, or a CJK numeral.
    if (facts.digits === 0 && !facts.nonAscii) {
      if (SPOKEN_HINT.test(text)) spokenDates(text, out);
      if (SPOKEN_OTHER_HINT.test(text)) spokenDates(text, out, SPOKEN_DATE_OTHER);
      return;
    }
    const dates: Array<{ start: number; end: number }> = [];
    DATE.lastIndex = 0;
    for (let match = DATE.exec(text); match !== null; match = DATE.exec(text)) {
      if (isDate(match[0])) dates.push({ start: match.index, end: match.index + match[0].length });
      // A word read as a month that is none (`DOB 1958`, `születtem 1958`) must not swallow the date that starts at
      // its number (`1958. 08. 14`): read on from the first digit.
      else DATE.lastIndex = Math.max(DATE.lastIndex - match[0].length + firstDigit(match[0]), match.index + 1);
    }
    let previous: { end: number } | undefined;
    for (let i = 0; i < dates.length; i++) {
      const date = dates[i] as { start: number; end: number };
      const before = dates[i - 1];
      const after = dates[i + 1];
      const inRange =
        (before !== undefined && RANGE_JOIN.test(text.slice(before.end, date.start))) ||
        (after !== undefined && RANGE_JOIN.test(text.slice(date.end, after.start)));
      let birth = false;
      if (!inRange) {
        const after24 = text.slice(date.end, date.end + 24);
        if (labelledBefore(text, date.start) || BIRTH_AFTER.test(after24))
          birth = !historicalBirth(text, date.start, date.end) && !petBirth(text, date.start);
        else if (AGE_BEFORE.test(text.slice(Math.max(0, date.start - 40), date.start))) birth = true;
        else if (ageTurning(text, date.start)) {
          // The date that follows is the day of the birthday (`14 marzo 1994 → 14 marzo 2024`), no correction of it.
          out.push({ start: date.start, end: date.end, type: 'DOB' });
          previous = undefined;
          continue;
        } else if (answersPrevious(text, date.start, BIRTH_KEY) && !otherLabelOnLine(text, date.start))
          birth = !petBirth(text, date.start);
        else if (STAR_BEFORE.test(text.slice(Math.max(0, date.start - 3), date.start)) && STAR_AFTER.test(after24))
          birth = true;
        else if (previous !== undefined) {
          const gap = text.slice(previous.end, date.start);
          birth = gap.length <= 48 && CORRECTION.test(gap) && plainGap(gap.replace(/^[\s,]+/, ''));
        }
      }
      if (birth) {
        out.push({ start: date.start, end: date.end, type: 'DOB' });
        previous = date;
      } else previous = undefined;
    }
    if (text.includes('\n')) {
      // A row that names an animal before its birth date is a pet's (`Rex,dog,2018-06-02`).
      const cells: Detection[] = [];
      scanColumns(text, BIRTH_COLUMN, cells, 'DOB', columnDate);
      for (const [start, end] of alignedColumnCells(text, BIRTH_COLUMN, columnDate))
        cells.push({ start, end, type: 'DOB' });
      for (const cell of cells) if (!petBirth(text, cell.start)) out.push(cell);
    }
    labelledPartials(text, dates, out);
    obscuredDates(text, dates, out);
    birthYears(text, out);
    if (SPOKEN_HINT.test(text)) spokenDates(text, out);
    if (SPOKEN_OTHER_HINT.test(text)) spokenDates(text, out, SPOKEN_DATE_OTHER);
    if (/values/i.test(text))
      for (const [start, end] of sqlValueCells(text, BIRTH_KEY))
        if (wholeDate(text.slice(start, end))) out.push({ start, end, type: 'DOB' });
  },
};

const wholeDate = (value: string): boolean => WHOLE_DATE.test(value) && isDate(value);
/** A cell under a birth column: a whole date, six digits as a date, or a two-digit year first (`63-07-19`). */
function columnDate(value: string): boolean {
  const yy = YY_MM_DD.exec(value);
  return (
    wholeDate(value) ||
    (value.length === 6 && isAllDigits(value) && sixDigitDate(value)) ||
    (yy !== null && Number(yy[2]) >= 1 && Number(yy[2]) <= 12 && Number(yy[3]) >= 1 && Number(yy[3]) <= 31)
  );
}

/** A whole value that is a date (a record field's value, a CSV cell). */
export const isWholeDate = (value: string): boolean => WHOLE_DATE.test(value.trim()) && isDate(value.trim());
