import { idLabelBefore, telecomHeader, underIdColumn } from './identifiers.ts';
import {
  type Detection,
  type Detector,
  answersPrevious,
  digitsOf,
  hasKeyword,
  keywordBefore,
  scan,
  scanColumns,
  textBefore,
  textFacts,
} from './scan.ts';
import { isPlausiblePhone, isValidIpv4 } from './validators.ts';

/**
 * Phone numbers. Shapes that are phone numbers wherever they stand: NANP with separators, `+`/`00` international,
 * national numbers with a trunk `0` grouped the way the numbering plans print them (`07700 900123`, `020 7946 0958`,
 * `06 12 34 56 78`, `0151/23456789`, `(02) 9876 5432`, `0532 123 45 67`, `090-1234-5678`), 9-digit mobiles in three
 * groups of three (`612 345 678`), toll-free vanity numbers (`1-800-FLOWERS`), WhatsApp links, SMS short codes after
 * "Reply STOP to" and airline PNR contact elements (`SSR CTCM BA HK1/447700900321`). An area code may stand apart by a
 * separator of its own (`0711 124-3381`, `010-6552 9988`, `030 / 8847 1203`). Any other digit run counts only after
 * a phone word or under a phone key or column, in the languages the masker reads. A number right after an ID word
 * (`order`, `Bestellnummer`, `commande`) is a reference, whatever its shape.
 */

// NANP shapes need separators (a bare 10-digit run is more often an order number); international needs + or 00.
const PHONE_US = /(?<![\w+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d|[.-]\d)/g;
// Not right after another digit group: "3704 0044 0532" is one number, not a call to +44. Not glued to letters either:
// "001000000000001AAA" is a Salesforce Account ID, not a call to +1.
// Nor glued to a code's letters by a dash: `LAP-0034-612-345-678` is an asset tag.
const PHONE_INTL = /(?<![\w+]|\d[ .-]|[A-Za-z]-)(?:\+|00)[1-9][\d ().-]{5,22}\d(?!\w)/g;
// One digit run (digits, spaces, dots, dashes, slashes, parentheses), judged whole: a trunk-prefixed national number
// (`07700 900123`, `0151/23456789`, `(02) 9876 5432`), a 9-digit mobile in three groups of three (`612 345 678`), or,
// after a phone word, any plausible number. Never part of a longer run: "3704 0044 0532" is one number.
const DIGIT_RUN = /(?<![\w+./-])\(?\d[\d ()./-]{5,18}\d(?![\w]|[.,/-]\d)/g;
const TRIPLE = /^[5-9]\d{2} \d{3} \d{3}$/;
// Indian mobiles as printed there, two groups of five (`98765 43210`, first digit 6-9): a value of its own, like TRIPLE.
const FIVE_FIVE = /^[6-9]\d{4} \d{5}$/;
// National formats without a trunk 0 that are phone numbers by their grouping alone: Russian `8 (495) 123-45-67`,
// `8 (383) 212 45 67` and `8-800-200-31-31` (trunk 8, area code, then 3-2-2), Brazilian `(21) 99876-5432`,
// `(21) 9 8765-4321`, `21 99876-5432` and `(31) 3456-7890` (two-digit DDD, a dash before the last four), Chinese
// mobiles `139 1234 5678` (1[3-9]x, then 4-4), Australian 1300 and 1800 numbers `1300 651 233` (4-3-3).
const NATIONAL =
  /^(?:8 ?\([3489]\d{2}\) ?\d{3}([ -])\d{2}\1\d{2}|8([ -])[3489]\d{2}\2\d{3}\2\d{2}\2\d{2}|\([1-9]{2}\) ?(?:9 ?\d{4}|[2-5]\d{3})-\d{4}|[1-9]{2} 9\d{4}-\d{4}|1[3-9]\d([ -])\d{4}\3\d{4}|1[38]00([ -])\d{3}\4\d{3})$/;
// Toll-free vanity numbers: `1-800-FLOWERS`, `1-888-GO-LOOMS` (seven letters and digits after the area code).
const PHONE_VANITY = /\+?1[ .-]\(?8(?:00|33|44|55|66|77|88)\)?[ .-][A-Z0-9]{2,7}(?:[ .-][A-Z0-9]{1,6}){0,2}(?![\w])/g;
const VANITY_HINT = /1[ .-]\(?8(?:00|33|44|55|66|77|88)\)?[ .-][A-Z]/;
const WHATSAPP_LINK = /(?<=wa\.me\/|whatsapp\.com\/send\?phone=)\+?\d{7,15}(?!\d)/g;
// An extension belongs to the number: `+1 415 555 0132 ext. 204`, `415-555-0177 x12`, `… poste 12`.
const EXTENSION =
  /^(?:\s*,?\s*(?:ext|extn|extension|poste|durchwahl|interno|ramal|wew)\.?\s*:?\s*|\s?x\s?|\s?#\s?)\d{1,6}(?!\d)/i;

// Phone words in en, es, fr, de, it, pt, nl, pl, tr and ja, including verbs of calling ("call me on", "llámame al",
// "appelez-moi au", "rufen Sie … an", "chiamami al", "liga-me", "bel me op", "zadzwoń pod"). Keys in structured text
// count too: `homePhone`, `mobile_number`, `"tel":`; and signature labels (`M: `, `T. `). Chinese: 电话, 手机, 微信,
// 座机. Landline words (`Festnetz`, `fijo`), chat apps as people name them (`wasap`, `zap`, `HP:`), and phone words
// and calling verbs in the Nordic and Baltic languages (`Sími`, `tālr.`, `puh.`, `ring mig`, `helista`), Russian,
// Greek, Hindi, Persian, Arabic, Hebrew, Thai, Malay and Indonesian (`Тел.`, `моб.`, `मोबाइल`, `تلفن`, `هاتف`,
// `جوال`, `נייד`, `โทร`, `handphone`, `ponsel`). The Polish "pod numer(em)" (at the number) and an X12 PER segment's
// telephone and cell qualifiers (`*TE*`, `*CP*`) name a phone too.
const PHONE_WORDS =
  /(?:phone|\bph\b|(?<![a-z])tel(?![a-z])|\bt[ée]l[ée]?\b|mobile?|\bmob\b|\bcell|\bcel\b|\bcelular|\bfax|\b(?<!on-)call(?:ed|ing|s|[\s_-]?back)?\b|r[üu]ckruf|\btext(?:ed)?\b|\bsms|whats ?app|\bcontact(?:[\s_-]*(?:number|no|num|tel|phone)|\s+[a-z]+\s+(?:on|at|via)\b)|\bkontakt(?:nummer|telefon)|\breach(?:able)?\b|\bring (?:me|him|her|us|them)\b|\bdial|voicemail|hotline|helpline|switchboard|\bdesk\b|\breception\b|\bdirect (?:line|dial)|\b(?:my|his|her|your|their|our) (?:[a-z]+ )?number|\btelefo|t[ée]l[ée]phone|t[ée]l[ée]fono|telem[óo]vel|m[óo]vil|\bhandy|\bportable|\bcellulare|\btlf|\btfno|\bgsm\b|kom[óo]rk|\bll[áa]m|\bappel|joignable|\bruf|\banruf|erreichbar|\bchiam|\blig(?:a|ue)\b|\bbel (?:me|ons|mij)\b|zadzwo|\bdzwo|aray[ıi]n|電話|携帯|連絡先|电话|手机|手機|微信|联系|联络|聯絡|號碼|号码|座机|座機|固话|\bfestnetz|\bfijo\b|\bs[íi]mi\b|\bt[āa]lr\b|\bt[āa]lrun|\bpuh(?:elin)?\b|\bwa(?:sap|ssap|tsap|tsapp)\b|\bzap(?:zap)?\b|\bhp\s*[:.]|\bnås\b|\berreichen\b|\b(?:my|his|her|your|their|our) (?:[a-z]+ )?no\.|मोबाइल|फ़ोन|फोन|تلفن|همراه|موبایل|هاتف|جوال|جوّال|موبايل|טלפון|נייד|โทร|มือถือ|(?<![а-яё])(?:тел(?:\.|ефон)|моб(?:\.|ильн))|handphone|\b(?:contact|contacto|contato|kontakt|contatto)\s*:|\bring (?:mig|oss|os|meg)\b|\bhring|\bzvan|\bskambin|\bhelista|\bsoit(?:a|ta|tele)|\btelefonuj|\bvolej|звон|τηλ|καλέστε|\bponsel|\bdi [đd][ộo]ng|\bmobil(?:nummer|nr|telefon)?\b|\bkännykkä|\bmobiil|\bmobitel|\bmobilní|\bmobilny|\btelf\b|\bpod\s+numer(?:em)?\b|\*(?:TE|CP)\*|\bvanity\s+(?:line|number|no)\b|\bnew\s+number\b|\bneue[ns]?\s+nummer|\bnuevo\s+n[úu]mero|\bnouveau\s+num[ée]ro|\bnuovo\s+numero|(?<![\u0621-\u064A])الخط(?![\u0621-\u064A]))/i;
// A signature label (`T: `, `M. `) but not an initial before a name (`T. Ng`, `M. Okafor`).
const PHONE_CONTEXT = new RegExp(`${PHONE_WORDS.source}|(?<![A-Za-z0-9À-ÿ])[tmfp]\\s?[:.]\\s(?![A-Z][a-z])`, 'gi');
// A phone column, unless its header names a network element (`cell_id` holds a radio cell, not a mobile).
const PHONE_KEY = { test: (name: string): boolean => PHONE_WORDS.test(name) && !telecomHeader(name) };
// A number right after an ID word is a reference, not a phone: `order 555-201-3344`, `ticket no. 0151 2345 6789`,
// `Bestellnummer 0151 2345 6789`, `numéro de commande …`.
const REFERENCE_BEFORE =
  /(?:(?<![a-zà-ÿ])(?:order|invoice|ticket|case|version|build|release|firmware|ref(?:erence)?|tracking|account|acct|policy|claim|member|po|sku|serial|part|confirmation|booking|reservation|transaction|routing|npi|mrn|isbn|batch|lot|model|licen[cs]e|id|commande|facture|dossier|pedido|factura|expediente|ordine|fattura|pratica|encomenda|fatura|bestelling|factuur|zam[óo]wienie|faktura|sipari[şs]|r[ée]f[ée]rence|r[ée]f|rif(?:erimento)?|referencia|refer[êe]ncia|referentie|prot(?:ocollo)?|billet|biglietto|bilhete|boleto|bilet|vorgang|aktenzeichen|az)s?|(?<![a-zäöüß])(?:bestell|auftrags?|rechnungs?|kunden|vertrags?|sendungs?)[a-zäöüß]*)\.?\s*(?:no\.?|nr\.?|number|num|nummer|numéro|número|numero|numer|numaras[ıi]|#|id)?\s*[:#]?\s*$/i;
// A number sign right before the value (`Contratto n. …`, `ENTRADA Nº …`, `Gara nr. …`) numbers a document, unless a
// phone word stands before it (`Tel. n. …`, `chiamare il n. …`). The English `No.` is left out: "Home No.", "Emergency
// No." name phone numbers as often.
const NUMBER_SIGN_BEFORE = /(?<![\p{L}\p{N}])(?:n\.?\s?[º°]|n\.|nr\.?|n[úu]m\.)\s*:?\s*$/iu;
// The opening of an IBAN (country, check digits, bank code) right before: the digits are the rest of an account number
// (`NL91 ABNA 0417 1643 01`, one the checksum rejects).
const IBAN_HEAD_BEFORE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}[ -]?[A-Z]{4}[ -]?$/;
const referenceBefore = (text: string, index: number): boolean =>
  REFERENCE_BEFORE.test(textBefore(text, index, 32)) ||
  idLabelBefore(text, index) ||
  (NUMBER_SIGN_BEFORE.test(text.slice(Math.max(0, index - 8), index)) && !keywordBefore(text, index, PHONE_CONTEXT)) ||
  (textFacts(text).letterDigit && IBAN_HEAD_BEFORE.test(text.slice(Math.max(0, index - 12), index)));
/** A reference by its label, or a cell under an identifier column (`SKU`, `NDC`, `Part no.`) of a table. */
const reference = (text: string, index: number, value: string): boolean =>
  referenceBefore(text, index) || underIdColumn(text, index, index + value.length);

// What follows a measurement, not a phone number: a unit (`120-240-3600 rpm`, `0151 2345 678 mm`) or a part-number
// suffix glued on (`415-555-0123-B`). Units of one letter (`V`, `W`, `A`) are also labels ("555-0100 W" for work), so
// they count only without a phone word before.
const UNIT_AFTER =
  /^(?:[ \t\u00a0]?(?:[kMGT]?Hz|[mcdkµμ]m|mm[²³]?|cm[²³]|m[²³]|kg|mg|µg|lbs?|oz|[mkM]V|[mkMG]W|[kMG]?Wh|mAh|[mkµμ]A|Ω|[kM]Ω|ohms?|rpm|dB[AmV]?|Nm|psi|[khM]Pa|m[lL]|cl|px|dpi|ppi|fps|[kMG]bps|[kMGT]i?B|°[CF]?|%|‰|pcs|Stk|Stück)(?![\p{L}\p{N}])|-\p{L})/u;
// An amount: a currency code or sign next to the number (`1300 651 233 EUR`, `€ 0711 124`).
const CURRENCY_AFTER =
  /^[ \t\u00a0]?(?:EUR|USD|GBP|CHF|AUD|NZD|CAD|SEK|NOK|DKK|ISK|PLN|CZK|HUF|RON|BGN|UAH|TRY|ILS|NIS|AED|SAR|EGP|ZAR|NGN|KES|JPY|CNY|RMB|KRW|INR|IDR|MYR|THB|PHP|VND|RUB|BRL|ARS|MXN|CLP|COP|PEN|HKD|SGD|TWD|[€$£¥₹₽]|kr|zł|Kč|Ft|руб)(?![\p{L}])/u;
const CURRENCY_BEFORE =
  /(?:[€$£¥₹₽]|(?<![A-Za-z])(?:EUR|USD|GBP|CHF|AUD|SEK|NOK|DKK|PLN|INR|HKD|SGD|Rs\.?))[ \t\u00a0]?$/;
/** A currency sign or code can stand in the text: `$`, a non-ASCII sign, or capitals (`EUR`, `Rs`). */
const mayNameCurrency = (text: string): boolean => {
  const facts = textFacts(text);
  return facts.capitals || facts.nonAscii || text.includes('$');
};
const ONE_LETTER_UNIT = /^[ \t\u00a0]?[VWAJNgml](?![\p{L}\p{N}])/u;
// Four-digit times joined as a range (`0800-1800`) next to opening-hours words are hours, not a phone number.
const TIME_RANGE = /^(?:[01]\d|2[0-3])[0-5]\d\s?[-–]\s?(?:[01]\d|2[0-4])[0-5]\d$/;
const TIME_WORDS =
  /(?<![a-zà-ÿ])(?:hours?|hrs?|uhr|zeiten|(?:öffnungs|sprech|geschäfts|service|hotline)zeit\w*|mez|mesz|cet|cest|gmt|utc|bst|est|edt|pst|pdt|cst|cdt|ist|aest|open(?:ing)?|closed|daily|weekdays?|mon(?:day)?|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|horaires?|heures|horario|hor[áa]rio|orario|ore|godz\w*|saat|営業|時間|受付)(?![a-zà-ÿ])/i;

/** A phone-shaped number that is a measurement, a part number with a suffix, or a range of opening hours. */
function notAPhone(text: string, value: string, index: number): boolean {
  const end = index + value.length;
  const after = text.slice(end, end + 8);
  if (
    UNIT_AFTER.test(after) ||
    CURRENCY_AFTER.test(after) ||
    (mayNameCurrency(text) && CURRENCY_BEFORE.test(text.slice(Math.max(0, index - 5), index)))
  )
    return true;
  if (!value.startsWith('+') && ONE_LETTER_UNIT.test(after) && !keywordBefore(text, index, PHONE_CONTEXT)) return true;
  if (TIME_RANGE.test(value))
    return TIME_WORDS.test(textBefore(text, index, 40)) || TIME_WORDS.test(text.slice(end, end + 40));
  return false;
}
// Belgian landlines and mobiles as printed there: the zone, a slash, then dotted pairs (`02/123.45.67`, `0475/12.34.56`).
const BELGIAN = /^0\d{1,3}\/\d{2,3}\.\d{2}\.\d{2}$/;
const DATE_SHAPE = /^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$/;
// A run that ends in a full date is a number and a date (`52 (17.08.1972`: an age, then a birth date), not a phone.
const ENDS_WITH_DATE = /(?:^|[\s(])\d{1,2}[.-]\d{1,2}[.-](?:1[89]|20)\d{2}$/;

function plausibleGroups(value: string): boolean {
  return !/[ ().-]{2,}/.test(value.replace(/\) /g, ')').replace(/ \(/g, '('));
}

/** A trunk-prefixed national number: 9-12 digits, one kind of separator, groups a numbering plan would print. */
function plausibleTrunk(written: string): boolean {
  // The area code may stand apart by a spaced slash (`030 / 8847 1203`) or by a separator of its own (`0711 124-3381`,
  // `010-6552 9988`, `070-123 45 67`): only the subscriber's groups must share one separator.
  const value = written.replace(/ \/ /, '/');
  if (BELGIAN.test(value)) return isPlausiblePhone(digitsOf(value));
  let area = '';
  // One pass: digit count, group lengths, separators (an area code in parentheses counts as a group).
  const groups: number[] = [];
  let digits = 0;
  let run = 0;
  let separator = '';
  let slash = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch >= '0' && ch <= '9') {
      digits++;
      run++;
      continue;
    }
    if (run > 0) groups.push(run);
    run = 0;
    if (ch === '(' || ch === ')' || (ch === ' ' && value[i - 1] === ')')) continue;
    if (ch === '/' && !slash && groups.length === 1 && separator === '') slash = true;
    else if (groups.length === 1 && !slash && area === '' && separator === '' && (ch === ' ' || ch === '-')) area = ch;
    else if (separator === '' || separator === ch) separator = ch;
    else return false;
  }
  if (run > 0) groups.push(run);
  if (digits < 9 || digits > 12 || groups.length < 2 || (groups[0] as number) < 2) return false;
  if (slash && separator !== '' && separator !== ' ') return false;
  // An area code set apart by a separator of its own: the subscriber number is two or three groups after it.
  if (area !== '' && separator !== '' && separator !== area && (separator === '.' || groups.length > 4)) return false;
  if (separator === '' && area !== '') separator = area;
  // Pairs only as the French print them (`06 12 34 56 78`, `06.12.34.56.78`); dots only there.
  const french = digits === 10 && groups.length === 5 && groups.every((group) => group === 2);
  if (!french && (separator === '.' || groups.every((group) => group <= 2))) return false;
  // Not an SSN (`078 05 1120`, whatever the separator) nor a ZIP+4 (`02134-1234`).
  if (groups.length === 3 && groups[0] === 3 && groups[1] === 2 && groups[2] === 4) return false;
  if (separator === '-' && groups.length === 2 && groups[0] === 5 && groups[1] === 4) return false;
  return isPlausiblePhone(digitsOf(value)) && !DATE_SHAPE.test(value);
}

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** A digit run found by `DIGIT_RUN`: cheap character tests first, the phone-word window last. */
function judgeRun(text: string, value: string, index: number): boolean {
  // A dotted quad with no leading zeros is an IPv4 address (`192.168.1.1` after "mobile"), which the IP rules judge.
  if (value.includes('.') && DOTTED_QUAD.test(value) && isValidIpv4(value)) return false;
  const before = text.charCodeAt(index - 1);
  // A trunk number or a triple stands alone: not right after another digit group (`1Z 999 AA1 01 2345 6784`).
  const glued = (before === 32 || before === 46 || before === 45) && isDigitCode(text.charCodeAt(index - 2));
  if (!glued) {
    const first = value.charCodeAt(0) === 40 ? 1 : 0;
    const trunk =
      value.charCodeAt(first) === 48 && value.charCodeAt(first + 1) > 48 && isDigitCode(value.charCodeAt(first + 1));
    if (trunk) {
      if (plausibleTrunk(value)) return !reference(text, index, value);
    } else if (
      value.length === 11 &&
      (TRIPLE.test(value) || FIVE_FIVE.test(value)) &&
      standsAlone(text, index, index + value.length)
    ) {
      return !reference(text, index, value);
    } else if (NATIONAL.test(value)) {
      return !reference(text, index, value);
    }
  }
  // Any other run is a phone number only right after a phone word (and never after a comma or across a slash, where it
  // is a list item or a date).
  if (before === 44 || value.includes('/')) return false;
  // The value's own shape first: most runs fail it, and then the phone-word search around them is not needed.
  if (!phoneShaped(value)) return false;
  if (
    !keywordBefore(text, index, PHONE_CONTEXT) &&
    !answersPrevious(text, index, PHONE_CONTEXT) &&
    !hl7Telecom(text, index + value.length)
  )
    return false;
  return !reference(text, index, value);
}

// HL7 v2's telecom field names the number by its use and equipment codes right after it: `5551234567^PRN^PH` (home
// phone), `^WPN^CP` (work, mobile), `^ORN^FX`.
const HL7_TELECOM_AFTER = /^\^(?:PRN|ORN|WPN|VHN|ASN|EMR|BPN)\^(?:PH|CP|FX|BP|MD)(?![A-Z])/;
const hl7Telecom = (text: string, end: number): boolean =>
  text.charCodeAt(end) === 94 /* ^ */ && HL7_TELECOM_AFTER.test(text.slice(end, end + 12));

/** A run that could be a phone number after a phone word: not a short bare run, a date, years, hours or odd groups. */
function phoneShaped(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length < 10 && !/[ ().-]/.test(value)) return false;
  return !(
    DATE_SHAPE.test(value) ||
    ENDS_WITH_DATE.test(value) ||
    YEARS.test(value) ||
    CLOCK_RANGE.test(value) ||
    !plausibleGroups(value) ||
    !isPlausiblePhone(digits)
  );
}

// Airline PNR contact elements: `SSR CTCM BA HK1/447700900321` (mobile), `CTCH`/`CTCB`/`CTCP` (home, business,
// phone), also as cryptic entries (`SRCTCM-HK1/…`) and OSI lines (`OSI BA CTCM 447700900321`), with an optional
// language suffix (`/EN`). The digits after the status code are the passenger's number, without `+`.
const PNR_PHONE =
  /(?<![A-Z0-9])(?:SSR\s*|SR|OSI\s+[A-Z0-9]{2}\s+)?CTC[MHBP](?:\s+(?:[A-Z][A-Z0-9]|\d[A-Z]))?(?:\s*-?\s*[A-Z]{2}\d{1,3})?\s*[/\s]\s*(\+?\d[\d -]{5,18}\d)(?![\dA-Z])/gi;

function pnrPhones(text: string, out: Detection[]): void {
  PNR_PHONE.lastIndex = 0;
  for (let m = PNR_PHONE.exec(text); m !== null; m = PNR_PHONE.exec(text)) {
    const value = m[1] as string;
    if (!isPlausiblePhone(digitsOf(value))) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - value.length, end, type: 'PHONE' });
  }
}

// Opening hours written with dots (`08.00-17.00`, `9.30 - 18.00`): times, not a phone number.
const CLOCK_RANGE = /^(?:[01]?\d|2[0-4])[.:][0-5]\d ?[-–] ?(?:[01]?\d|2[0-4])[.:][0-5]\d$/;
// A list of years (`1998 2004 2011`, `2019-2024`) is no phone number, whatever word stands before it.
const YEARS = /^(?:(?:19|20)\d{2}[ ,/-]{1,2}){1,5}(?:19|20)\d{2}$/;
// Australian six-digit numbers (`13 22 21`): the one national number shorter than seven digits, only after a phone word.
const AU_SHORT = /(?<![\w+./-])13 \d{2} \d{2}(?![\w]|[.,/-]\d| \d)/g;
// SMS short codes named by the message that tells you to text them: "Reply STOP to 72345", "text JOIN to 88022",
// "envía BAJA al 22777", "sende STOP an 44844", "répondez STOP au 36180".
const SHORT_CODE =
  /(?<![\p{L}])(?:reply|text|send|sms|txt|responde|env[íi]a|manda|sende|antworte|r[ée]pondez|envoyez)\s+([A-Z]{1,10}|"[^"\n]{1,20}"|'[^'\n]{1,20}')\s+(?:to|al|a|an|au)\s+(\d{4,6})(?![\p{L}\p{N}]|[.,]\d)/giu;

// The keywords short-code services answer to, as they are also written in lower case ("reply stop to 72345").
const SMS_KEYWORD =
  /^(?:stop|help|join|start|unstop|info|end|quit|cancel|unsubscribe|optout|yes|no|y|n|baja|alta|ayuda|arret|stopp)$/i;

function shortCodes(text: string, out: Detection[]): void {
  SHORT_CODE.lastIndex = 0;
  for (let m = SHORT_CODE.exec(text); m !== null; m = SHORT_CODE.exec(text)) {
    // The keyword is written in capitals or quoted ("Reply STOP", "text 'JOIN'"): "reply back to 2024" is no code.
    const keyword = m[1] as string;
    if (!/^["']/.test(keyword) && keyword !== keyword.toUpperCase() && !SMS_KEYWORD.test(keyword)) continue;
    const end = m.index + m[0].length;
    out.push({ start: end - (m[2] as string).length, end, type: 'PHONE' });
  }
}

const acceptRun = (text: string, value: string, index: number): boolean =>
  judgeRun(text, value, index) && !notAPhone(text, value, index);

/**
 * Each digit run judged whole; a run that runs on into a parenthesis after the number (`0800 123 4567 (24/7)`,
 * `13 22 21 (Mo-Fr)`) is judged again without it.
 */
function digitRuns(text: string, out: Detection[]): void {
  if (text.includes('\n') && text.includes(',')) csvCells(text, out);
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m !== null; m = DIGIT_RUN.exec(text)) {
    let value = m[0];
    const paren = value.indexOf(' (', 1);
    if (!acceptRun(text, value, m.index)) {
      if (paren < 0) continue;
      value = value.slice(0, paren);
      if (!/\d$/.test(value) || !acceptRun(text, value, m.index)) continue;
    }
    out.push({ start: m.index, end: m.index + value.length, type: 'PHONE' });
  }
}

const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;

// A CSV cell followed by a numeric cell (`…,0412 345 678,3.20`): `DIGIT_RUN` stops before `,3` as it would inside a
// decimal amount, so the cells between commas are read again, judged as a run (trunk, triple or national shapes only,
// since no phone word counts after a comma).
const CSV_CELL = /(?<=,)\(?\d[\d ()./-]{5,18}\d(?=,\d)/g;

// A freephone or shared-cost service number in a record (`0800 800 150` in a call log) is a business's line.
const SERVICE_NUMBER = /^0(?:800|808|801|500)[ -]/;

function csvCells(text: string, out: Detection[]): void {
  scan(text, CSV_CELL, out, 'PHONE', (value, index) => !SERVICE_NUMBER.test(value) && acceptRun(text, value, index));
}

// Where a field value starts and ends: a line, a CSV/TSV cell, a label's colon, a tag, quotes, parentheses.
const FIELD_START = new Set([10, 13, 9, 44, 59, 124, 58, 40, 34, 39, 62, 61]); // \n \r \t , ; | : ( " ' > =
const FIELD_END = new Set([10, 13, 9, 44, 59, 124, 41, 34, 39, 60]); // \n \r \t , ; | ) " ' <

/**
 * Three groups of three digits are a mobile number when they stand as a value of their own (`Joana: 913 456 789`, a
 * CSV cell, a signature line), not inside a sentence where they are as likely a count (`population 612 345 678`).
 */
function standsAlone(text: string, start: number, end: number): boolean {
  let i = start - 1;
  while (i >= 0 && text.charCodeAt(i) === 32) i--;
  if (i >= 0 && !FIELD_START.has(text.charCodeAt(i))) return false;
  let j = end;
  while (j < text.length && text.charCodeAt(j) === 32) j++;
  if (j < text.length && text.charCodeAt(j) === 46 /* . */) j++; // the end of a sentence
  return (
    j >= text.length ||
    FIELD_END.has(text.charCodeAt(j)) ||
    (text.charCodeAt(j - 1) === 46 && text.charCodeAt(j) === 32)
  );
}

function extendOverExtensions(text: string, out: Detection[], from: number): void {
  for (let i = from; i < out.length; i++) {
    const detection = out[i] as Detection;
    const extension = EXTENSION.exec(text.slice(detection.end, detection.end + 24));
    if (extension) detection.end += extension[0].length;
  }
}

// After a phone word only: a number with letters where digits belong. Vanity letters in a local number
// (`(617) 555-KEVN`, `503-555-TOYS`) or OCR that read 0 as O and 1 as l/I (`(919) 555-O162`).
const LETTERED_NANP = /(?<![\w+-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])[\dA-Z]{3}[ .-][\dA-Za-z]{4}(?![\w])/g;

const LETTERED_HINT = /\d{3}[ .-][\dA-Z]{0,2}[A-Z]/;

function letteredNumbers(text: string, out: Detection[]): void {
  scan(text, LETTERED_NANP, out, 'PHONE', (value, index) => {
    const letters = value.replace(/[^A-Za-z]/g, '');
    if (letters === '' || !keywordBefore(text, index, PHONE_CONTEXT) || reference(text, index, value)) return false;
    const ocr = /^[OIl]+$/.test(letters);
    // Vanity words are capitals, at least three of them; OCR confusions are few (one or two characters).
    if (!ocr && (letters.length < 3 || letters !== letters.toUpperCase())) return false;
    if (ocr && letters.length > 2) return false;
    const digits = ocr ? digitsOf(value.replace(/O/g, '0').replace(/[Il]/g, '1')) : digitsOf(value);
    // A vanity local number may spell all seven digits after the area code when the country code opens it
    // (`1-646-CAT-NAPS`).
    return ocr
      ? isPlausiblePhone(digits)
      : digits.length >= 6 || (/^\+?1[ .-]/.test(value) && alnumCount(value) === 11);
  });
}

// After a phone word only: a number a line break cut in two, as printed documents and scanned forms wrap it
// (`Tel. 081 55\n12 345`, `(213) 555-\n0164`). Read with the break taken out, it must be a plausible number.
const WRAPPED_RUN = /(?<![\w+./-])\+?\(?\d[\d ()./-]{1,16}[ \t]*\r?\n[ \t]*[\d ()./-]{0,16}\d(?![\w]|[.,/-]\d)/g;

function wrappedNumbers(text: string, out: Detection[]): void {
  scan(text, WRAPPED_RUN, out, 'PHONE', (value, index) => {
    const joined = value.replace(/-?[ \t]*\r?\n[ \t]*/, (wrap) => (wrap.startsWith('-') ? '-' : ''));
    const digits = digitsOf(joined);
    return (
      digits.length >= 9 &&
      digits.length <= 13 &&
      keywordBefore(text, index, PHONE_CONTEXT) &&
      plausibleGroups(joined) &&
      isPlausiblePhone(digits.replace(/^00/, '')) &&
      !DATE_SHAPE.test(joined) &&
      !reference(text, index, value)
    );
  });
}

// An organisation's switchboard, general line or poison-control centre, named right before the number (`Zentrale`,
// `växeln`, `sentralbord`, `代表電話`, `总机`, `algemeen nummer`, `línea general`, `centralino`, `Giftnotruf`, `poison
// control`, a public office such as `Bürgeramt`) or right after it (`(Zentrale)`, `(TTY 711)`): no person's line.
// Hotlines, customer service and toll-free numbers are not on the list: authors label those secrets as often.
const ORG_LINE_BEFORE =
  /(?:(?<![\p{L}])(?:(?:telefon)?zentrale|vermittlung|v[äa]xel(?:n|nummer)?|sentralbord(?:et)?|omstilling(?:en)?|switchboard|algeme(?:en|ne)\s+(?:telefoon)?nummer|l[íi]nea\s+general|n[úu]mero\s+general|num[ée]ro\s+g[ée]n[ée]ral|centralino|centralita|giftnotruf|giftinformations\w*|poison\s+(?:control|help|info)\w*|centre\s+antipoison|centro\s+antiveleni|(?:b[üu]rger|finanz|landrats|standes|ordnungs|gesundheits|einwohnermelde)amt(?:e?s)?)|代表電話|代表番号|總機|总机)(?:\s+(?:des|der|del|de|van|från|til|för)\s+\p{L}+(?:\s+\p{L}+)?)?[)）]?\s*[:：]?\s*(?:(?:via|über|unter|op|al|på)\s+)?$/iu;
const ORG_LINE_AFTER =
  /^\s*[(（]\s*(?:zentrale|vermittlung|v[äa]xel|switchboard|centralino|centralita|tty|tdd)(?![\p{L}])/iu;
// A German number ending in extension 0 (`0228 99 610-0`, `+49 30 1234-0`) is the organisation's switchboard.
const SWITCHBOARD_EXTENSION = /^(?:\+49|0)[\d ()/]+-0$/;

/** A number named as an organisation's switchboard, general line or poison-control centre. */
function organisationLine(text: string, start: number, end: number): boolean {
  if (SWITCHBOARD_EXTENSION.test(text.slice(start, end)) && !/\d/.test(text[end] ?? '')) return true;
  return ORG_LINE_BEFORE.test(textBefore(text, start, 48)) || ORG_LINE_AFTER.test(text.slice(end, end + 16));
}

/** Drops the numbers found from `first` on that are an organisation's line. */
function dropOrganisationLines(text: string, out: Detection[], first: number): void {
  for (let i = out.length - 1; i >= first; i--) {
    const detection = out[i] as Detection;
    if (organisationLine(text, detection.start, detection.end)) out.splice(i, 1);
  }
}

export const phone: Detector = {
  type: 'PHONE',
  category: 'contact',
  minDigits: 4,
  detect(text, out) {
    const first = out.length;
    const facts = textFacts(text);
    // The vanity and lettered shapes hold capitals and a run of three digits (`800`, `555`).
    const lettered = facts.capitals && facts.maxRun >= 3;
    if (lettered && VANITY_HINT.test(text))
      scan(
        text,
        PHONE_VANITY,
        out,
        'PHONE',
        (value, index) =>
          !/[\w+-]/.test(text[index - 1] ?? ' ') && /[A-Z].*[A-Z]/.test(value) && alnumCount(value) === 11,
      );
    if (facts.digits >= 4) shortCodes(text, out);
    if (text.includes('13 '))
      scan(
        text,
        AU_SHORT,
        out,
        'PHONE',
        (value, index) => keywordBefore(text, index, PHONE_CONTEXT) && !reference(text, index, value),
      );
    if (text.includes('CTC') || text.includes('ctc')) pnrPhones(text, out);
    // Before the seven-digit cut: a vanity number may hold only six digits.
    if (lettered && LETTERED_HINT.test(text)) letteredNumbers(text, out);
    if (facts.digits < 7) {
      extendOverExtensions(text, out, first);
      dropOrganisationLines(text, out, first);
      return;
    }
    // The US shape ends in `ddd-dddd`, the international one starts with `+` or `00` and a digit 1-9.
    if (facts.groups34)
      scan(
        text,
        PHONE_US,
        out,
        'PHONE',
        (value, index) =>
          isPlausiblePhone(digitsOf(value)) && !reference(text, index, value) && !notAPhone(text, value, index),
      );
    if (facts.dialPrefix)
      scan(text, PHONE_INTL, out, 'PHONE', (value, index) => {
        const digits = digitsOf(value).replace(/^00/, '');
        if (digits.length < 8 || !isPlausiblePhone(digits) || !plausibleGroups(value)) return false;
        if (parenthesisedCode(text, value, index)) return false;
        // An unbroken 00-run is as likely a 15-character record ID (key prefixes 001, 003, 005...) as a dialled
        // number: it counts as a phone only after a phone keyword. "+" and separated 00-numbers need none.
        if (value.startsWith('+')) return !notAPhone(text, value, index);
        // A 00-number under an identifier label is a code that happens to start with zeros (`NDC 0069-3150-83`).
        if (reference(text, index, value) || notAPhone(text, value, index)) return false;
        return /[ ().-]/.test(value) || keywordBefore(text, index, PHONE_CONTEXT);
      });
    if (text.includes('wa.me/') || text.includes('whatsapp.com/'))
      scan(text, WHATSAPP_LINK, out, 'PHONE', (value) => isPlausiblePhone(digitsOf(value)));
    digitRuns(text, out);
    if (text.includes('\n')) wrappedNumbers(text, out);
    if (text.includes('\n') && hasKeyword(text, PHONE_CONTEXT))
      scanColumns(
        text,
        PHONE_KEY,
        out,
        'PHONE',
        (value) => /^\+?[\d ().-]{7,22}$/.test(value) && isPlausiblePhone(digitsOf(value)) && !DATE_SHAPE.test(value),
      );
    extendOverExtensions(text, out, first);
    dropOrganisationLines(text, out, first);
  },
};

/**
 * A 00-run in parentheses longer than a dial prefix (`00` and a country code of one to three digits) is a code of its
 * own that the number after the bracket only seems to continue: `삼성전자(005930) 2024년`, a stock code then a year.
 */
function parenthesisedCode(text: string, value: string, index: number): boolean {
  const close = value.indexOf(')');
  return close > 5 && text.charCodeAt(index - 1) === 40 && !value.slice(0, close).includes('(');
}

// A number written in Chinese numerals after a Chinese phone word: `手机号是一五九，二六七八，三四一零` (`幺` is the one
// said on the phone, `两` a two). The groups may be set apart by a comma, an enumeration comma or a space.
const HAN_PHONE_WORD = /手机|手機|电话|電話|号码|號碼|联系|聯繫|聯絡|联络/;
const HAN_NUMERAL: Readonly<Record<string, string>> = {
  〇: '0',
  零: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};
const HAN_RUN =
  /(?<![〇零一二三四五六七八九幺两十百千万])[〇零一二三四五六七八九幺两]{2,}(?:[，,、 -][〇零一二三四五六七八九幺两]{2,}){0,4}(?![〇零一二三四五六七八九幺两十百千万年月日号號])/g;
const HAN_PHONE_BEFORE = /(?:手机|手機|电话|電話|号码|號碼|联系|聯繫|聯絡|联络)[^〇零一二三四五六七八九幺两\n\d]{0,8}$/;

/** Numbers in Chinese numerals hold no ASCII digit: a detector of their own, without the digit pre-filter. */
export const hanPhone: Detector = {
  type: 'PHONE',
  category: 'contact',
  minDigits: 0,
  detect(text, out) {
    if (textFacts(text).nonAscii && HAN_PHONE_WORD.test(text)) hanNumerals(text, out);
  },
};

function hanNumerals(text: string, out: Detection[]): void {
  scan(text, HAN_RUN, out, 'PHONE', (value, index) => {
    let digits = '';
    for (const ch of value) digits += HAN_NUMERAL[ch] ?? '';
    return (
      digits.length >= 7 &&
      isPlausiblePhone(digits) &&
      HAN_PHONE_BEFORE.test(text.slice(Math.max(0, index - 16), index))
    );
  });
}

/** Letters and digits of a vanity number, the leading 1 included: `1-800-FLOWERS` has 11. */
function alnumCount(value: string): number {
  return value.replace(/^\+?1/, '1').replace(/[^A-Za-z0-9]/g, '').length;
}
