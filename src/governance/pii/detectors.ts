import { IBAN_LENGTHS, isValidCard, isValidIban, isValidIpv4, isValidIpv6, isValidSsn } from './validators.ts';
import { dob } from './dates.ts';
import { hanPhone, phone } from './phones.ts';
import { spokenCard, spokenPhone, spokenSsn } from './spoken.ts';
import { idLabelBefore, underIdColumn } from './identifiers.ts';
import { namedNationalId, nationalId } from './national-ids.ts';
import {
  type Detection,
  type Detector,
  digitsOf,
  hasKeyword,
  keywordBefore,
  scan,
  scanColumns,
  textBefore,
  textFacts,
} from './scan.ts';
import { decodedView } from './views.ts';

export type { Detection, Detector } from './scan.ts';

/** Pattern categories, as configured per agent (`PIIPatternCategories__c`). */
export const PATTERN_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  identity: ['SSN', 'DOB', 'NATIONAL_ID'],
  financial: ['CREDIT_CARD', 'IBAN'],
  contact: ['EMAIL', 'PHONE'],
  network: ['IP_ADDRESS'],
};

// Lookbehinds sit after the first consumed char, so most positions fail on one cheap char test.
// Any one separator of dash, space, dot or slash: `536-22-8761`, `536.22.8761`, `078/05/1120`.
const SSN_FORMATTED = /\d(?<![\d-]\d)\d{2}([- ./])\d{2}\1\d{4}(?!\d|-\d)/g;
// A dash and a capital run on (`536-22-8761-K`, `…-XL`, `…-PT`): a part number, unless an SSN word stands before.
const PART_SUFFIX = /^-[A-Z]/;
const SSN_BARE = /\d(?<![\w-]\d)\d{8}(?![\w-])/g;
// Keys in structured text too: `applicant_ssn`, `"SSN":`, `tax_id`.
const SSN_CONTEXT =
  /(?:(?<![a-z])ssn(?![a-z])|\bss#|social[\s_-]*security|\bsoc\.? ?sec|sozialversicherung|seguro[\s_-]*social|(?<![a-z])tax[\s_-]?id|(?<![a-z])tin(?![a-z])|taxpayer)/gi;
const SSN_KEY = new RegExp(SSN_CONTEXT.source, 'i');

const ssn: Detector = {
  type: 'SSN',
  category: 'identity',
  minDigits: 9,
  detect(text, out) {
    const { maxRun } = textFacts(text);
    // The formatted shape ends in four digits, the bare one is nine.
    if (maxRun >= 4)
      scan(
        text,
        SSN_FORMATTED,
        out,
        'SSN',
        (value, index) =>
          isValidSsn(digitsOf(value)) && !identifier(text, index, value) && !partNumber(text, index, value),
      );
    // Nine bare digits are rare, so candidates come first and the keyword is checked only around them.
    if (maxRun >= 9)
      scan(
        text,
        SSN_BARE,
        out,
        'SSN',
        (value, index) =>
          isValidSsn(value) && keywordBefore(text, index, SSN_CONTEXT) && !identifier(text, index, value),
      );
    if (text.includes('\n') && hasKeyword(text, SSN_CONTEXT))
      scanColumns(text, SSN_KEY, out, 'SSN', (value) => /^[\d -]{9,11}$/.test(value) && isValidSsn(digitsOf(value)));
  },
};

/** An SSN shape with a capital suffix glued on by a dash, with no SSN word before it. */
const partNumber = (text: string, index: number, value: string): boolean =>
  PART_SUFFIX.test(text.slice(index + value.length, index + value.length + 2)) &&
  !keywordBefore(text, index, SSN_CONTEXT);

/** A value named as a product, shipment or document identifier by its label or its table column. */
const identifier = (text: string, index: number, value: string): boolean =>
  idLabelBefore(text, index) || underIdColumn(text, index, index + value.length);

// Compact 13-19 digits, or the printed groupings (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4) with one consistent separator
// (space, dash, dot or slash), or an issuer group of four to eight digits then the rest in one or two runs
// (`4556 737586899855`).
// A comma or period before or after is a field delimiter (`17,4111111111111111,12/27`): Luhn, issuer prefix and brand
// length decide.
const CARD =
  /\d(?<!\d\d)(?:\d{12,18}|\d{3}([ ./-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{3}([ .-])\d{6}\2\d{4,5}|\d{3,7}([ -])\d{4,15}(?:\3\d{4,11})?)(?!\d)/g;
const PRINTED_CARD = /^(?:\d+|\d{4}([ ./-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ .-])\d{6}\2\d{4,5})$/;
// Card words (in the languages the masker reads), `PAN`, brands, expiry and security-code labels, an expiry `12/27`.
const CARD_CONTEXT =
  /(?<![a-zà-ÿ])(?:cards?|cc|ccn|pan|credit|debit|visa|master\s?card|amex|american\s+express|diners|jcb|unionpay|maestro|exp(?:iry|iration|ires|\.)?|valid\s+(?:thru|through|until)|cvv2?|cvc2?|cv2|csc|security\s+code|carte|karte|kreditkarte|(?:kredit)?karten(?:nummer|nr)?|tarjeta|carta|cart[ãa]o|kaart(?:nummer)?|karta|karty|kartnummer|kart[ıi]|kredi|ablaufdatum|g[üu]ltig\s+bis|vencimiento|scadenza|validade|vervaldatum)(?![a-zà-ÿ])|(?<!\d)(?:0[1-9]|1[0-2])\s?\/\s?(?:20)?\d{2}(?!\d)/i;
const cardContext = (text: string, start: number, end: number): boolean =>
  CARD_CONTEXT.test(textBefore(text, start, 48)) || CARD_CONTEXT.test(text.slice(end, end + 48));
// Card words outside the Latin script (Russian, Ukrainian, Greek, Chinese, Japanese, Korean), for any text.
const CARD_WORD_OTHER = /карт[аыуе]|картк|κάρτα|卡号|信用卡|银行卡|銀行卡|カード|카드/i;
// A payment payload names the card number with a bare key (`"number": "…"`, `pan=`, `card_no:`) beside payment words.
const CARD_KEY_BEFORE =
  /(?<![\w-])["']?(?:number|num|no|pan|card(?:[_-]?(?:number|num|no))?|cc(?:[_-]?(?:number|num|no))?|account[_-]?number)["']?\s*[:=]\s*["']?$/i;
const PAYMENT_WORD =
  /(?<![\p{L}])(?:holder|cardholder|charge[sd]?|payments?|pay|paid|checkout|billing|refund\w*|stripe|braintree|adyen|exp_?(?:month|year)|cvc|cvv)(?![\p{L}])/iu;
/** Card context for an unusually grouped number: card words (any script), expiry, CVV, brand or a payment key. */
function oddCardContext(text: string, start: number, end: number): boolean {
  if (cardContext(text, start, end)) return true;
  const around = `${textBefore(text, start, 48)} ${text.slice(end, end + 48)}`;
  if (CARD_WORD_OTHER.test(around)) return true;
  return (
    CARD_KEY_BEFORE.test(text.slice(Math.max(0, start - 24), start)) &&
    PAYMENT_WORD.test(text.slice(Math.max(0, start - 240), Math.min(text.length, end + 240)))
  );
}

// A run of digit groups of 2-7 digits with one separator (single space or dash) between each: `51 136689 211 67513`.
const GROUP_RUN = /(?<![\d.,/-])\d{2,7}(?:([ -])\d{2,7}(?![\d]))(?:\1\d{2,7}(?!\d))*(?![\d.,/]\d|-\d)/g;
const GROUP = /\d+/g;

/**
 * Cards written in any grouping: consecutive groups of a run adding up to 13-19 digits, Luhn-valid, taken only with card
 * context (the longest such stretch from each group on). Groups per stretch are at most nine, so the walk is linear.
 */
function oddlyGroupedCards(text: string, out: Detection[]): void {
  GROUP_RUN.lastIndex = 0;
  for (let run = GROUP_RUN.exec(text); run !== null; run = GROUP_RUN.exec(text)) {
    const groups: Array<[number, number]> = [];
    GROUP.lastIndex = 0;
    for (let g = GROUP.exec(run[0]); g !== null; g = GROUP.exec(run[0]))
      groups.push([run.index + g.index, run.index + g.index + g[0].length]);
    if (groups.length > 64) continue;
    for (let i = 0; i < groups.length;) {
      let taken = -1;
      let digits = 0;
      for (let j = i; j < groups.length && j < i + 10; j++) {
        const [a, b] = groups[j] as [number, number];
        digits += b - a;
        if (digits > 19) break;
        if (digits < 13 || j === i) continue;
        const start = (groups[i] as [number, number])[0];
        const value = text.slice(start, b);
        if (isValidCard(digitsOf(value)) && !identifier(text, start, value) && oddCardContext(text, start, b))
          taken = j;
      }
      if (taken < 0) {
        i++;
        continue;
      }
      out.push({
        start: (groups[i] as [number, number])[0],
        end: (groups[taken] as [number, number])[1],
        type: 'CREDIT_CARD',
      });
      i = taken + 1;
    }
  }
}

// Every digit spaced out, groups set apart by a wider gap, as embossed cards are retyped: `4 0 0 2  7 6 0 1  …`.
const SPACED_DIGITS = /(?<!\d {0,2}|\w)\d(?: {1,2}\d){12,18}(?! {0,2}\d|\w)/g;

/** A card number typed digit by digit (one or two spaces between digits), Luhn-valid, with card context. */
function spacedCards(text: string, out: Detection[]): void {
  scan(text, SPACED_DIGITS, out, 'CREDIT_CARD', (value, index) => {
    const end = index + value.length;
    return isValidCard(digitsOf(value)) && !identifier(text, index, value) && oddCardContext(text, index, end);
  });
}

// Payment providers' documentation lists test card numbers ("use the following test cards", "Testkarten",
// "tarjetas de prueba"): no one's card. A card called someone's own after that phrase ("my card for the sandbox") is.
const TEST_CARD_PHRASE =
  /(?<![\p{L}])(?:test[\s-]?(?:card|karte|kaart|kort)(?:s|n|en)?|tarjetas?\s+de\s+prueba|cartes?\s+de\s+test|cart(?:ão|ões)\s+de\s+teste|carte?\s+di\s+test)(?![\p{L}])|テストカード|测试卡|테스트\s?카드/giu;
const OWN_CARD = /(?<![\p{L}])(?:my|mine|our|personal|real|live|mi|mein\w*|ma|mon|mia)(?![\p{L}])/iu;

/** A card number listed after a test-card phrase within 240 characters, with no one's own card named between. */
function testCard(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 240), start);
  let last = -1;
  TEST_CARD_PHRASE.lastIndex = 0;
  for (let m = TEST_CARD_PHRASE.exec(before); m !== null; m = TEST_CARD_PHRASE.exec(before)) last = m.index;
  return last >= 0 && !/\n\s*\n/.test(before.slice(last)) && !OWN_CARD.test(before.slice(last));
}

/** Every card shape: printed groupings, odd groupings and digits typed one by one. */
function cards(text: string, out: Detection[]): void {
  scan(text, CARD, out, 'CREDIT_CARD', (value, index) => {
    const digits = digitsOf(value);
    if (!isValidCard(digits) || identifier(text, index, value)) return false;
    // Thirteen-digit cards are all but gone while EAN-13 barcodes are everywhere, and an unusual grouping is as
    // likely two numbers side by side: either is a card only with card context.
    if (digits.length === 13 || !PRINTED_CARD.test(value)) return cardContext(text, index, index + value.length);
    return true;
  });
  oddlyGroupedCards(text, out);
  spacedCards(text, out);
}

const card: Detector = {
  type: 'CREDIT_CARD',
  category: 'financial',
  minDigits: 13,
  detect(text, out) {
    const first = out.length;
    cards(text, out);
    for (let i = out.length - 1; i >= first; i--) if (testCard(text, (out[i] as Detection).start)) out.splice(i, 1);
  },
};

// Unicode letters in the local part and domain (`françois@exemple.fr`); apostrophes inside the local part
// (`patrick.o'reilly@…`), never first, so a quoted address does not take its quote.
const EMAIL =
  /(?<![\p{L}\p{N}_.%+@-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+'’-]*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?![\p{L}-]|\.[\p{L}\p{N}])/gu;
// Written-out forms: `maria [at] example [dot] com`, `maria(at)example.com`, `maria at example dot com`.
const EMAIL_SPELLED =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+-]*\s*(?:[[({]\s*at\s*[\])}]|\s(?:at|AT)\s)\s*[\p{L}\p{N}-]+(?:(?:\s*[[({]\s*dot\s*[\])}]\s*|\s(?:dot|DOT)\s|\.)[\p{L}\p{N}-]+)*(?:\s*[[({]\s*dot\s*[\])}]\s*|\s(?:dot|DOT)\s)(?:com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|ca|au|ie|ch|at|be|pt|info|biz)(?![\p{L}\p{N}])/gu;
// File names are not addresses: `logo@2x.png`, `icon@3x.webp`, `report@v2.pdf`.
const FILE_EXTENSION =
  /\.(?:png|jpe?g|gif|svg|webp|bmp|ico|tiff?|heic|avif|css|s[ac]ss|m?js|cjs|jsx|tsx?|json|ya?ml|txt|pdf|docx?|xlsx?|pptx?|csv|html?|xml|woff2?|ttf|otf|mp[34]|wav|webm|log|bak|tmp)$/i;

// A user@host followed by a remote path or a prompt is a login, not a mailbox: `www@static.example.org:/var/www/`,
// `git@github.com:org/repo.git`, a shell prompt `ci@build-01.example.com:~$` or `[root@db1.example.com ~]#`; so is
// one on an internal host with a port (`worker@mq-3.stage.internal:5672`).
const LOGIN_AFTER = /^(?::[~/][\w.~/-]*[$#](?:\s|$)|:\/[\w.-]+\/|:[\w.-]+\/[\w./-]*\.git(?![\w-])|\s+[\w~/.-]*\][$#])/;
// The git user's remote (`git@git.example.com:team/app`) is a repository address whatever its path.
const GIT_REMOTE = /^:[\w.-]+\/[\w.-]/;
const PORT_AFTER = /^:\d{2,5}(?!\d)/;
const INTERNAL_HOST = /\.(?:internal|local|localdomain|lan|corp|intranet|intra|home|svc|cluster|private)$/i;
// URL userinfo: the token before it is a scheme and `//` with no path yet (`postgres://app@db…`, `ftp://u:pw@…`).
const USERINFO_BEFORE = /[a-z][a-z0-9+.-]*:\/\/[^\s/@]*$/i;
// A remote login on a command line (ssh, scp, sftp, rsync, git clone) with only flags, their values and paths between.
const LOGIN_COMMAND =
  /(?:^|[\s;&|$#>`(])(?:sudo\s+)?(?:ssh|scp|sftp|rsync|ssh-copy-id|mosh|autossh|sshfs|git\s+clone)\s+(?:(?:-{1,2}[\w-]+(?:=\S*)?|[\w.~/:-]*[/.~][\w.~/:-]*|\d+)\s+)*$/i;

/** A user@host that names a login on a machine (URL userinfo, an ssh/scp target, a shell prompt), not a mailbox. */
function hostLogin(text: string, index: number, value: string): boolean {
  const end = index + value.length;
  const after = text.slice(end, end + 64);
  if (LOGIN_AFTER.test(after) || (PORT_AFTER.test(after) && INTERNAL_HOST.test(value))) return true;
  if (value.startsWith('git@') && GIT_REMOTE.test(after)) return true;
  let from = index;
  while (from > 0 && from > index - 120 && text.charCodeAt(from - 1) !== 10) from--;
  const before = text.slice(from, index);
  return USERINFO_BEFORE.test(before) || LOGIN_COMMAND.test(before);
}

// An airline PNR contact element writes an address in the reservation system's alphabet: `//` for `@`, `..` for `_`,
// `./` for `-` (`SSR CTCE BA HK1/JANE..DOE./SMITH//EXAMPLE.CO.UK`), with an optional language suffix (`/EN`).
const PNR_EMAIL =
  /(?<![A-Z0-9])(?:SSR\s*|SR|OSI\s+[A-Z0-9]{2}\s+)?CTCE(?:\s+(?:[A-Z][A-Z0-9]|\d[A-Z]))?(?:\s*-?\s*[A-Z]{2}\d{1,3})?\s*[/\s]\s*([A-Z0-9](?:[A-Z0-9+_-]|\.\/|\.(?!\/\/))*\/\/[A-Z0-9](?:[A-Z0-9-]*[A-Z0-9])?(?:\.[A-Z0-9](?:[A-Z0-9-]*[A-Z0-9])?)*\.[A-Z]{2,24})(?![A-Z0-9.-])/gi;

function pnrEmails(text: string, out: Detection[]): void {
  PNR_EMAIL.lastIndex = 0;
  for (let m = PNR_EMAIL.exec(text); m !== null; m = PNR_EMAIL.exec(text)) {
    const end = m.index + m[0].length;
    out.push({ start: end - (m[1] as string).length, end, type: 'EMAIL' });
  }
}

const email: Detector = {
  type: 'EMAIL',
  category: 'contact',
  detect(text, out) {
    if (text.includes('CTCE') || text.includes('ctce')) pnrEmails(text, out);
    if (text.includes('@'))
      scan(text, EMAIL, out, 'EMAIL', (value, index) => !FILE_EXTENSION.test(value) && !hostLogin(text, index, value));
    if (/\bdot\b/i.test(text)) scan(text, EMAIL_SPELLED, out, 'EMAIL', (value) => /\bat\b/i.test(value));
  },
};

// Not inside a longer dotted number, but an ellipsis may stand right before (`…between A...95.91.212.48`).
const IPV4 = /\d(?<!\w\d|(?<!\.\.)\.\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)/g;
// A dotted quad after "version", "release" or "build" is a version number, and after "clause", "section", "§" a
// document number, not an address ("API" is not on the list: "the API 10.20.30.40" is an address). The same words in
// the other languages the masker reads (es, fr, de, it, pt, nl, pl, tr), and their abbreviations (`cl.`, `v.`, `Nr.`).
const VERSION_CONTEXT =
  /(?:版本号?|バージョン|버전|верси[яиюей]|(?<![a-zà-ÿ])(?:ver(?:sion)?|v\.|versi[oóã]n|vers[ãa]o|versione|versie|wersja|s[üu]r[üu]m|versiyon|release|build|rev(?:ision)?|patch|firmware|sdk|upgrade(?:d)? to|clauses?|cl\.|cl[áa]usula|clausola|clausule|klausel|klauzula|sections?|sect?\.|secci[óo]n|sezione|se[çc][ãa]o|abschnitt|subsection|§§?|articles?|art\.|art[íi]culo|articolo|artigo|artikel|madde|chapters?|ch\.|chapitre|cap[íi]tulo|capitolo|kapitel|hoofdstuk|rozdzia[łl]|b[öo]l[üu]m|paragraphs?|para\.?|paragrafo|paragraaf|paragraf|absatz|al[ié]n[ée]a|apartado|ziffer|ust[ęe]p|f[ıi]kra|items?|no\.|nr\.|n[º°]\.?|points?|punto|punkt|punt|steps?|[ée]tape|paso|passo|schritt|stap|krok|ad[ıi]m|tasks?|wbs|rules?|fig(?:ure)?\.?|tables?|appendix|annex|annexe|anexo|allegato|anhang|bijlage|za[łl][ąa]cznik|schedule|requirements?|req\.?|controls?|oid))\s*[:#：]?\s*$/i;
// A range or list of document numbers keeps its later members: "sections 4.2.1.1-4.2.1.3", "clauses 2.1.1.1 and 2.1.1.4".
// An upgrade path joins its members with an arrow: "firmware 7.1.200.4 → 7.1.210.0".
const QUAD_JOINED = /(?:\d{1,3}\.){3}\d{1,3}\s*(?:->|=>|→|⇒|➔|⟶|-|–|—|to|and|or|,|&|bis|und|et|y|e|en|i|ve|a)\s*$/i;
/**
 * A version word as a label (`FW 9.12.160.4`, `bootloader`), a key in configuration, JSON or XML (`APP_VERSION=`,
 * `image.version="`, `"firmware":"`, `<version>`), a file-name stem (`firmware-`), or followed by a few linking words ("agent version is now", "firmware was
 * upgraded from"; never a bare "from": "a device from 10.1.2.3").
 */
const VERSION_WORD =
  /(?:(?<![a-zà-ÿ])(?:v|ver|vers|fw|f\/w|s\/w|bios|uefi|bootloader|bootrom|kernel|build|release|software|sdk)|version|firmware)(?:[\s_-]?(?:no|nr|number|string))?\.?["']?\s*(?:[:=#>_-]|:=|=>|:\s*(?:str|string|String)\s*=)?\s*["']?\s*(?:(?:is|was|are|were|now|currently|still|remains|set\s+to|must\s+be|should\s+be|will\s+be|at\s+least|required|(?:bumped|upgraded|updated|changed|raised|moved|pinned|rolled\s+back|downgraded)(?:\s+(?:to|from))?)\s+){0,3}$/i;
// A suffix glued on (`6.2.101.9-B2`, `1.2.3.4-rc1`, `1.2.3.4+build5`) makes a dotted quad a version.
const VERSION_SUFFIX = /^[-+~](?:[A-Za-z]|\d+[A-Za-z])/;
// One item of a list of component versions, seen from the quad after it: "kernel 6.1.0; baseband 21.40.130.7-X1;
// wifi " gives the previous number and this item's label (a word or two).
const LIST_ITEM =
  /(?<![\w.])\d+(?:\.\d+)+(?:[-+~]?[A-Za-z][\w.-]*)?\s*[;,|]\s*([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s*[:=]?\s*$/;
// An upgrade path without a version word: dotted numbers joined by arrows ("9.1.200.4 -> 9.2.33.1"). An upgrade keeps
// its major number; an address translation maps one network onto another, with networking words around it.
const ARROW_BEFORE = /(?<![\w.])(\d+)(?:\.\d+)+(?:[-+~]?[A-Za-z][\w.-]*)?\s*(?:->|=>|→|⇒|➔|⟶)\s*$/;
const ARROW_AFTER = /^\s*(?:->|=>|→|⇒|➔|⟶)\s*(\d+)(?:\.\d+)+/;
// "upgraded … from X to Y": the verb, the `from` before the first member, the `to` between them.
const UPGRADE_FROM = /(?:upgrad|updat|downgrad|bump|migrat|roll)\w*(?:\s+[\w-]+){0,3}?\s+from\s*$/i;
const UPGRADE_TO = /^\s+to\s+(\d+)\.\d/;
const UPGRADED_THING =
  /(?<![a-z])(?:firmware|software|fw|bios|uefi|bootloader|kernel|os|version|build|release|agent|client|app|package|driver|sdk|image)(?![a-z])/i;
const UPGRADED_FROM = /(?<![\w.])(\d+)(?:\.\d+){1,3}\s+to\s+$/;
// Labels that name a machine or an address, not a component: "firmware 2.1.0, host 10.0.0.5" lists an address.
const MACHINE_LABEL =
  /(?<![a-z])(?:device|node|machine|box|peer|remote|local|public|private|external|internal|mgmt|management|oob|ilo|idrac|bmc|ipmi|vip|loopback|wlan|inet|from|at|on|via|to)(?![a-z])/i;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}\.\d{1,3}\.\d{1,3})?(?![\w:])/g;

/** A dotted quad at `index` named as a version or document number, directly or as a later member of a range or list. */
function documentNumber(text: string, index: number): boolean {
  for (let at = index, hops = 0; hops < 8; hops++) {
    if (VERSION_CONTEXT.test(textBefore(text, at, 24)) || VERSION_WORD.test(textBefore(text, at, 48))) return true;
    const joined = QUAD_JOINED.exec(textBefore(text, at, 24));
    if (joined === null) return false;
    at = at - joined[0].length;
  }
  return false;
}

/**
 * A dotted quad in an upgrade path with the same major number on the other side and no networking word around:
 * `9.1.200.4 -> 9.2.33.1`, "upgraded the agent from 6.3.100.2 to 6.4.0.1".
 */
function upgradePath(text: string, index: number, value: string): boolean {
  const end = index + value.length;
  const major = value.slice(0, value.indexOf('.'));
  const window = Math.min(index, 40);
  const before = ARROW_BEFORE.exec(text.slice(index - window, index));
  const after = ARROW_AFTER.exec(text.slice(end, end + 40));
  let path = before?.[1] === major || after?.[1] === major;
  // "upgraded the firmware from X to Y" names what was upgraded: a version word before `from` settles it, whatever
  // networking words stand around ("hosts", "VPN" in the same ticket).
  let named = false;
  if (!path && UPGRADE_TO.exec(text.slice(end, end + 16))?.[1] === major) {
    const window = textBefore(text, index, 64);
    path = UPGRADE_FROM.test(window);
    named = path && UPGRADED_THING.test(window);
  }
  if (!path) {
    const from = UPGRADED_FROM.exec(text.slice(index - window, index));
    const verb = from?.[1] === major ? textBefore(text, index - window + from.index, 64) : '';
    path = UPGRADE_FROM.test(verb);
    named = path && UPGRADED_THING.test(verb);
  }
  return path && (named || !NETWORK_CONTEXT.test(`${textBefore(text, index, 80)} ${text.slice(end, end + 80)}`));
}

/**
 * A dotted quad in a list of component versions ("kernel 6.1.0; baseband 21.40.130.7-X1; wifi 14.2.201.3"): walking
 * back item by item, with no label naming a machine or an address, reaches an item labelled with a version word.
 */
function versionList(text: string, index: number): boolean {
  for (let at = index, hops = 0; hops < 6; hops++) {
    const before = text.slice(Math.max(0, at - 64), at);
    const item = LIST_ITEM.exec(before);
    if (item === null) return false;
    const label = item[1] ?? '';
    if (NETWORK_CONTEXT.test(label) || MACHINE_LABEL.test(label)) return false;
    at = at - before.length + item.index;
    if (VERSION_CONTEXT.test(textBefore(text, at, 24)) || VERSION_WORD.test(textBefore(text, at, 48))) return true;
  }
  return false;
}

/**
 * Words that make a dotted quad an address: networking nouns in the languages the masker reads, a port, a CIDR suffix,
 * a URL. Without one nearby, an outline-sized quad (every part at most 30: "see 4.2.1.3", "Siehe 3.2.1.4", "iOS
 * 17.4.1.2", "第3.2.1.1条") is a section, version or requirement number, not an address.
 */
const NETWORK_CONTEXT =
  /(?<![\p{L}])(?:ip|ipv4|ips|hosts?|hostname|servers?|address(?:es)?|addr|gateway|gw|dns|subnet|netmask|mask|ping|ssh|rdp|ports?|firewall|vpn|router|proxy|lan|wan|dhcp|nat|client|src|dst|source|destination|connect\w*|logged\s+in|login|api|endpoint|interface|eth\d|whitelist|allowlist|blocklist|block(?:ed)?|banned|adresse|direcci[oó]n|indirizzo|endere[çc]o|adres|адрес|サーバ|地址|tcp|udp|https?|url|network|netz\w*|r[ée]seau|red|rete|rede|sieć|ağ)(?![\p{L}])|\d:\d|\/\d{1,2}(?!\d)|:\d{2,5}(?!\d)/iu;
const outlineSized = (value: string): boolean => value.split('.').every((part) => Number(part) <= 30);
/** How documents point at a numbered part: "see", "siehe", "cf.", "gemäß", "as described in", "iOS", "pkg@", "第". */
const REFERENCE_BEFORE =
  /(?:(?<![\p{L}])(?:see|siehe|voir|v[ée]ase|vedi|veja|zie|patrz|bkz|cfr?|ref|refer\s+to|reference|per|under|gem[äa][ßs]|laut|conforme|selon|seg[úu]n|secondo|volgens|wed[łl]ug|according\s+to|in|of|to|and|or|pkt|pt|п|unterpunkt|node|ios|ipados|android|chrome|firefox|safari|edge|windows|macos|agent|app)\.?|[,@(]|第|参阅|參閱)\s*$/iu;
/** …or follow it with the document it belongs to: "3.2.1.4 der Betriebsanleitung", "2.4.1.1 du cahier", "3.2.1.1条". */
const REFERENCE_AFTER =
  /^(?:\s*(?:of|in|der|des|du|de|del|della|van|do|da|dell[ao]?|договора|specyfikacji|şartname\w*|and|or|to|bis|und|et|y|e|en|ve)(?![\p{L}])|\s*[,)]|条|節|节|項|章)/iu;
// Items of a questionnaire, exam, bill of quantities or tender, in en, de, es, it, pt, fr, nl, pl and tr ("Question
// 4.2.1.3", "voce 3.1.2.4", "Aufgabe 2.1.1.3"): a small quad right after one is an item number even with clock times
// or ports nearby, which read as networking.
const OUTLINE_LABEL =
  /(?<![\p{L}])(?:questions?|q\.|frage|pregunta|domanda|quest[ãa]o|vraag|pytanie|soru|voce|posizione|pos\.|rubrique|partida|aufgabe|exercises?|exercice|ejercicio|esercizio|oefening|zadanie)\s*[:#]?\s*$/iu;
/**
 * A small dotted quad pointed at as a part of a document, with no networking word within 80 characters either side,
 * is a section, version or requirement number ("see 4.2.1.3", "Siehe 3.2.1.4 der…", "iOS 17.4.1.2"), not an address.
 */
function outlineNumber(text: string, index: number, value: string): boolean {
  if (!outlineSized(value)) return false;
  const before = text.slice(Math.max(0, index - 80), index);
  if (OUTLINE_LABEL.test(before.slice(-24))) return true;
  const after = text.slice(index + value.length, index + value.length + 80);
  if (NETWORK_CONTEXT.test(`${before} ${after}`)) return false;
  return REFERENCE_BEFORE.test(before.slice(-24)) || REFERENCE_AFTER.test(after);
}

// A prefix length after the address (`10.20.0.0/16`, `2001:db8::/48`): shorter than a host route (IPv4 /31, IPv6
// /127) and with its host bits zero, it names a network, not a machine. A /32 (/128) is one host, and so is an address
// written with its interface's prefix (`192.168.1.50/24`, `2001:db8::7/64`): those stay masked.
// A full stop after the prefix length may end the sentence (`… range: 192.0.2.0/24.`).
const PREFIX_AFTER = /^\/(\d{1,3})(?!\d|\.\d)/;
const networkPrefix = (text: string, end: number, value: string, version: 4 | 6): boolean => {
  const prefix = PREFIX_AFTER.exec(text.slice(end, end + 5));
  if (prefix === null) return false;
  const length = Number(prefix[1]);
  if (version === 6) return length < 127 && /(?:::|:0{1,4})$/.test(value);
  if (length >= 31) return false;
  return (BigInt(quadBits(value)) & BigInt(2 ** (32 - length) - 1)) === 0n;
};

/** The 32 bits of a dotted quad. */
const quadBits = (value: string): number => value.split('.').reduce((bits, part) => bits * 256 + Number(part), 0);
/**
 * A netmask (contiguous ones then zeros: `255.255.255.0`, `255.255.240.0`) or an ACL wildcard mask (contiguous zeros
 * then ones: `0.0.0.255`, `0.0.15.255`): a shape of a network, no machine's address.
 */
function mask(value: string): boolean {
  const bits = quadBits(value);
  if (value.startsWith('0.')) {
    // A wildcard is 2^n - 1 (`0.0.0.0` is the all-zero wildcard or "any", no host either).
    return ((bits + 1) & bits) === 0 || bits + 1 === 2 ** 32;
  }
  if (bits < 2 ** 31) return false;
  const inverse = 2 ** 32 - 1 - bits;
  return ((inverse + 1) & inverse) === 0;
}

// A mask after a network address, alone, named or after a slash: `192.168.10.0 0.0.0.255`, `10.0.0.0 netmask 255.0.0.0`,
// `172.16.0.0/255.240.0.0`.
const MASK_AFTER = /^(?:\s+(?:(?:net)?mask\s+)?|\/)(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])/i;
/** An address with all its host bits zero under the mask that follows it names a network (`10.1.0.0 255.255.0.0`). */
function networkBeforeMask(text: string, end: number, value: string): boolean {
  const next = MASK_AFTER.exec(text.slice(end, end + 24))?.[1];
  if (next === undefined || !isValidIpv4(next) || !mask(next)) return false;
  const bits = quadBits(next);
  // A wildcard's ones are the host bits; a netmask's zeros are. A host mask (`0.0.0.0` wildcard, `/32`) names a host.
  const hostBits = next.startsWith('0.') ? bits : 2 ** 32 - 1 - bits;
  if (hostBits === 0) return false;
  return Number(BigInt(quadBits(value)) & BigInt(hostBits)) === 0;
}

// A pinned dependency: `pkg==1.2.3.4`, `pkg>=1.2.3.4`, `pkg~=…`, `pkg!=…`, `…,<1.3.0.0`, `"^1.2.3.4"`, `~1.2.3.4`.
const PIN_BEFORE =
  /(?:(?<![\w.[\]-])([A-Za-z][\w.-]*(?:\[[\w,.-]+\])?)\s*(?:===?|>=|<=|~=|!=)|\d[\w.*]*\s*,\s*(?:===?|>=|<=|~=|!=|<|>)|(?:^|[\s"'=:,(])[\^~])\s*$/;
// A filter field naming an address (`ip.dst==`, `client_ip>=`, `host!=`), told from a package (`http-client==`) by the
// last part of its name.
const NETWORK_FIELD =
  /(?:^|[._-])(?:ip|ipv[46]|addr|address|host|hostname|src|dst|saddr|daddr|peer|remote|gateway|gw|nexthop|server|net|subnet|client|peer|target|endpoint|node|device|machine|source|destination|upstream|backend|proxy|vip|router|dns|nameserver|resolver|origin|sender|ips)$/i;
// `pkg@1.2.3.4` for a scoped package (`@acme/sdk@…`) or on a package-manager line (`npm i`, `yarn add`, `pnpm`).
const AT_PIN_BEFORE = /(?:@[\w.-]+\/[\w.-]+|[A-Za-z][\w.-]*)@$/;
const PACKAGE_LINE =
  /(?<![\w-])(?:npm|npx|yarn|pnpm|bun|deno|pip3?|pipx|poetry|uv|gem|cargo|composer|go\s+get|install(?:ed|ing|s)?|add(?:ed)?|upgraded?|bump(?:ed)?|dependenc(?:y|ies)|devDependencies|deps|packages?|pkg|lockfile|plugins?|librar(?:y|ies)|modules?|package\.json)(?![\w-])/i;
// Names that log in to machines, not packages: `root@…`, `ec2-user@…`.
const LOGIN_NAME =
  /(?<![\w.-])(?:root|admin|administrator|ubuntu|ec2-user|centos|debian|fedora|pi|user|git|deploy|ansible|oracle|postgres|www-data|ops|sysadmin|support)@$/i;
// An image tag after a registry or repository path: `registry.example/team/api:1.4.22.7`, `ghcr.io/org/app:…`.
// The registry is a host name (`ghcr.io`, `localhost:5000`) or the line runs a container tool; a bare `FROM` or
// `image:` names the image itself.
const IMAGE_BEFORE =
  /(?<![\w.:/-])([\w-]+(?:\.[\w-]+)+(?::\d{1,5})?|localhost:\d{1,5}|[\w.-]+)(?:\/[\w.-]+)+:$|(?:(?<![\w-])FROM\s+|(?<![\w-])image:\s*["']?)([\w.-]+):$/;
const CONTAINER_LINE =
  /(?<![\w-])(?:[Dd]ocker|[Pp]odman|nerdctl|crictl|kubectl|helm|skopeo|buildah|[Ii]mages?|FROM)(?![\w-])/;
// A changelog heading: `## [5.10.0.8]`, `## 5.10.0.8 – hotfix`, `### v5.10.0.8`.
const HEADING_BEFORE = /(?:^|\n)[ \t]*#{1,6}[ \t]*(\[?)[vV]?$/;
// …told apart from a heading naming a host by its brackets, a changelog word in the text or a date on its line.
const CHANGELOG =
  /change\s?log|release\s+notes|unreleased|what['’]s\s+new|versionshinweise|notes\s+de\s+version|novedades|更新|変更履歴|변경|(?:^|\n)[ \t]*#{1,6}[ \t]*\[v?\d+(?:\.\d+)+\]/i;
const RELEASE_KIND =
  /^\s*[-–—:(]\s*(?:hot\s?fix|security|patch|bug\s?fix|maintenance|release|lts|beta|alpha|rc\d*|stable|minor|major|yanked)(?![\p{L}])/iu;
const DATE_ON_LINE = /^[^\n]*?(?<!\d)(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})(?!\d)/;
// A product token of a user agent (`MyApp/5.2.0.11`), with a user-agent marker or another product token on the line.
const PRODUCT_BEFORE = /(?<![\w./:-])[A-Za-z][\w.-]*\/$/;
const USER_AGENT =
  /user[\s_-]?agent|(?<![a-z])ua\s*[=:]|mozilla\/|applewebkit|khtml|gecko|cfnetwork|darwin\/|dalvik\/|okhttp|(?<![\w./:-])[A-Za-z][\w.-]*\/\d+(?:\.\d+)*\s+(?:\(|[A-Za-z][\w.-]*\/\d)/i;
// Object identifiers nearby: dotted numbers of five or more parts, an `OID` label, an `id-kp-…` name, the SNMP or
// X.500 arcs (`1.3.6.1`, `2.5.4.`, `2.5.29.`, `1.2.840.`).
const LONG_DOTTED = /(?<![\d.])\d+(?:\.\d+){4,}(?![\d.]*\d)/g;
const OID_WORD =
  /(?<![\p{L}])[oO][iI][dD]s?(?![\p{L}])|(?<![\w-])id-[a-z]{2,}(?:-|[A-Z])|(?<![\d.])(?:1\.3\.6\.1|2\.5\.(?:4|29)\.\d|1\.2\.840\.\d)/u;
/** A dotted quad among object identifiers: two dotted numbers of five or more parts nearby, or an OID word. */
function oidList(text: string, index: number, value: string): boolean {
  const end = index + value.length;
  const before = text.slice(Math.max(0, index - 200), index);
  const after = text.slice(end, end + 200);
  // An address named as one ("host 10.0.0.5") stays an address among OIDs.
  if (NETWORK_CONTEXT.test(textBefore(text, index, 24))) return false;
  // An OID's first arc is 0, 1 or 2 (and under 0 or 1 the second is below 40): `203.0.113.4` among OIDs is a host.
  const [first, second] = value.split('.').map(Number) as [number, number];
  if (first > 2 || (first < 2 && second >= 40)) return false;
  if (OID_WORD.test(before) || OID_WORD.test(after)) return true;
  return (before.match(LONG_DOTTED)?.length ?? 0) + (after.match(LONG_DOTTED)?.length ?? 0) >= 2;
}

/** Not a machine's address: a network, a mask, a pinned or tagged version, a changelog heading, a UA token, an OID. */
function notAnAddress(text: string, index: number, value: string): boolean {
  const end = index + value.length;
  if (networkPrefix(text, end, value, 4) || mask(value)) return true;
  // The line around the value, at most 240 characters either side (a bounded look keeps the scan linear).
  const head = text.slice(Math.max(0, index - 240), index);
  const lineBefore = head.slice(head.lastIndexOf('\n') + 1);
  const tail = text.slice(end, end + 240);
  const lineAfter = tail.slice(0, tail.indexOf('\n') < 0 ? undefined : tail.indexOf('\n'));
  const before = lineBefore.slice(-80);
  const heading = HEADING_BEFORE.exec(text.slice(Math.max(0, index - 12), index));
  if (
    heading !== null &&
    !NETWORK_CONTEXT.test(lineAfter) &&
    (heading[1] === '[' || DATE_ON_LINE.test(lineAfter) || RELEASE_KIND.test(lineAfter) || changelog(text))
  )
    return true;
  const pin = PIN_BEFORE.exec(before);
  if (pin !== null && !NETWORK_FIELD.test(pin[1] ?? '')) return true;
  if (networkBeforeMask(text, end, value)) return true;
  if (AT_PIN_BEFORE.test(before) && !NETWORK_CONTEXT.test(before.slice(-40))) {
    if (/@[\w.-]+\/[\w.-]+@$/.test(before) || (PACKAGE_LINE.test(lineBefore) && !LOGIN_NAME.test(before))) return true;
  }
  const image = IMAGE_BEFORE.exec(before);
  if (image !== null) {
    const registry = image[1];
    if (
      registry === undefined ? !NETWORK_CONTEXT.test(image[2] ?? '') : registry.includes('.') || registry.includes(':')
    )
      return true;
    if (CONTAINER_LINE.test(lineBefore)) return true;
  }
  if (PRODUCT_BEFORE.test(before) && !NETWORK_CONTEXT.test(before.slice(-24)))
    if (USER_AGENT.test(`${lineBefore}${value}${lineAfter}`)) return true;
  return oidList(text, index, value);
}

// A gateway, router or name server set in a configuration (`gateway = …`, `gateway4:`, `"dns": "…"`, `DNS1=` in an
// ifcfg file, `Default Gateway . . . : …` in ipconfig output, `nameserver …` in resolv.conf, `option routers …` in
// dhcpd.conf, `default via …` in a routing table) is the network's infrastructure, not a person's address. A list of
// them (`dns = 1.1.1.1, 8.8.8.8`, `"dns": ["…", "…"]`) is too.
const INFRA_KEY =
  /(?<![\w.-])(?:(?:default[\s_-]?)?gateway[46]?|gw|gateway[\s_-]?ip|dns\d?|dns[\s_-]?servers?|nameservers?|name[\s_-]?servers?|resolvers?|ntp(?:[\s_-]?servers?)?|routers?|upstream|backend|lb|node|cluster[_-]?ip|(?:db|database|replica|primary|standby|master|redis|cache|mq|broker|smtp|mail|ldap|mongo|postgres|pg|mysql|etcd|bastion)[_-]?(?:host|server|ip|addr(?:ess)?))["']?(?:\s*\.)*\s*[:=]\s*["']?\[?\s*(?:["']?\d{1,3}(?:\.\d{1,3}){3}["']?\s*,\s*)*["']?$/i;
// Router configuration names servers the same way: `ip helper-address …`, `ip name-server … …`, `ntp server …`, and
// the next hop of a static route (`ip route 0.0.0.0 0.0.0.0 …`).
const INFRA_LINE =
  /^\s*(?:nameserver|gateway|gw|router|(?:option\s+)?(?:routers|domain-name-servers)|default\s+(?:via|gw)|route\s+add\s+default\s+gw|ip\s+(?:helper-address|name-server|default-gateway)|ntp\s+server|ip\s+route\s+\d{1,3}(?:\.\d{1,3}){3}\s+\d{1,3}(?:\.\d{1,3}){3})\s+(?:\d{1,3}(?:\.\d{1,3}){3}(?:\s*,\s*|\s+))*$/i;
/**
 * An address configured as a gateway, router or name server in a key = value line. In prose ("API gateway 10.8.0.3 is
 * healthy", "gateway 10.0.0.1" in a ticket) it stays masked: there it is as likely the customer's own network.
 */
function infrastructure(text: string, index: number, value: string): boolean {
  const before = text.slice(Math.max(0, index - 80), index);
  const line = before.slice(before.lastIndexOf('\n') + 1);
  if (INFRA_KEY.test(line) || INFRA_LINE.test(line) || publicService(text, index)) return true;
  return (
    WELL_KNOWN_SERVICE.has(value) ||
    serverRole(text, index, value) ||
    cloudInstance(text, line) ||
    podTable(text, index)
  );
}

// Addresses that are a public service wherever they appear: the big public resolvers and the cloud metadata service.
const WELL_KNOWN_SERVICE = new Set([
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  '169.254.169.254',
  '2001:4860:4860::8888',
  '2001:4860:4860::8844',
  '2606:4700:4700::1111',
  '2606:4700:4700::1001',
  '2620:fe::fe',
  '2620:fe::9',
]);

// A server named by its role right before (`bastion 10…`, `the WAF at …`, `db-primary (…)`, `VIP …`) or right after
// (`… = bastion-01`), or one a name resolves to ("the sandbox URL resolves to …").
const SERVER_ROLE =
  '(?:bastion|jump[\\s-]?(?:host|box|server)|waf|load[\\s-]?balancer|vip|db|database|replica|sql|pg|mysql|redis|mongo|etcd|ldap|smtp)';
const ROLE_BEFORE = new RegExp(
  `(?<![\\p{L}\\d_-])${SERVER_ROLE}(?:[_-][\\w-]{1,24})?\\s*(?:\\(|at|is|on|[:=])?\\s*$|(?<![\\p{L}])resolve[sd]?\\s+to\\s*$`,
  'iu',
);
const ROLE_AFTER = new RegExp(`^\\s*(?:=|->|is|\\()\\s*(?:the\\s+)?${SERVER_ROLE}(?![\\p{L}])`, 'iu');
// A public time or name server named after the address: `… (time-a.nist.gov)`, `… (Cloudflare)`, `… (OpenDNS)`.
const SERVICE_AFTER =
  /^\s*\(\s*(?:(?:time|ntp|dns|ns|resolver)[\w-]*\.[\w.-]+|cloudflare|google(?:\s+dns)?|quad9|opendns)\s*\)/i;
/** A server named by its role or as a public service next to the address. */
function serverRole(text: string, index: number, value: string): boolean {
  const end = index + value.length;
  const after = text.slice(end, end + 40);
  return ROLE_BEFORE.test(textBefore(text, index, 40)) || ROLE_AFTER.test(after) || SERVICE_AFTER.test(after);
}

// A cloud instance record (`arn:aws:…`, `ami-…`, `i-0abc…`, `vpc-…`) lists the machine's own addresses under keys.
const CLOUD_RESOURCE = /arn:aws[\w-]*:|(?<![\w-])(?:ami|i|vpc|subnet|eni)-[0-9a-f]{8,17}(?![\w-])/;
const INSTANCE_IP_KEY = /(?:private|public)[_-]?ip(?:[_-]?address)?["']?\s*[:=]\s*["']?$/i;
const cloudInstance = (text: string, line: string): boolean => INSTANCE_IP_KEY.test(line) && CLOUD_RESOURCE.test(text);

// `kubectl get pods -o wide`: the IP column holds pod addresses.
const POD_TABLE_HEADER = /(?:^|\n)NAME[ \t]+READY[ \t]+STATUS[ \t]+RESTARTS[ \t]+AGE[ \t]+IP(?![\w])/;
/** An address below a `kubectl get pods -o wide` header. */
function podTable(text: string, index: number): boolean {
  const header = POD_TABLE_HEADER.exec(text);
  return header !== null && header.index < index;
}

// Public services documentation names by role: the DNS root servers (`a.root-servers.net`, `a-root`), NTP pools and
// time servers, public and named resolvers (`Google DNS`, `Quad9`), a `nameserver` or resolver label, including in a
// table row (`| resolver | …`) or inline code. Only a short, digit-free label may stand between the name and the
// address, and no word that hands it to a user ("DNS lookups from …").
const PUBLIC_SERVICE =
  /(?<![\p{L}])(?:root[\s-]?servers?(?:\.net)?|[a-m]-root|ntp|time[\s-]?servers?|(?:public|google|cloudflare|quad9|open)\s?dns|quad9|nameservers?|resolvers?\d?|anycast)(?![\p{L}])(?:[^\d\n]|ipv[46]){0,14}$/iu;
const HANDED_TO_USER = /(?<![\p{L}])(?:from|by|for|of|user|client|customer|src|source|visitor|caller)(?![\p{L}])/iu;

/** An address named as a public service by the label right before it on its line. */
function publicService(text: string, index: number): boolean {
  const before = textBefore(text, index, 40);
  const service = PUBLIC_SERVICE.exec(before.slice(before.lastIndexOf('\n') + 1));
  return service !== null && !HANDED_TO_USER.test(service[0]);
}

let changelogCache: { text: string; found: boolean } | undefined;
/** Whether the text reads as a changelog, tested once per text. */
function changelog(text: string): boolean {
  if (changelogCache?.text !== text) changelogCache = { text, found: CHANGELOG.test(text) };
  return changelogCache.found;
}

/** The IPv6 loopback and unspecified addresses written out (`0:0:0:0:0:0:0:1`, `0:0:0:0:0:0:0:0`): this machine. */
function loopbackV6(value: string): boolean {
  const parts = value.split(':');
  return (
    parts.slice(0, -1).every((part) => /^0{0,4}$/.test(part)) && /^0{0,3}[01]$/.test(parts[parts.length - 1] ?? '')
  );
}

// Every IPv6 match holds two colons with at most four hex digits between them: texts without that skip the scan.
const IPV6_HINT = /:[0-9A-Fa-f]{0,4}:/;

const ip: Detector = {
  type: 'IP_ADDRESS',
  category: 'network',
  minDigits: 1,
  detect(text, out) {
    if (text.includes('.')) {
      scan(text, IPV4, out, 'IP_ADDRESS', (value, index) => {
        // Loopback (`127.0.0.1`) names this machine, whoever runs it: no person's address.
        if (!isValidIpv4(value) || value.startsWith('127.')) return false;
        if (infrastructure(text, index, value)) return false;
        if (VERSION_SUFFIX.test(text.slice(index + value.length, index + value.length + 3))) return false;
        if (documentNumber(text, index) || outlineNumber(text, index, value)) return false;
        if (notAnAddress(text, index, value)) return false;
        return !versionList(text, index) && !upgradePath(text, index, value);
      });
    }
    if (text.includes(':') && IPV6_HINT.test(text))
      scan(
        text,
        IPV6,
        out,
        'IP_ADDRESS',
        (value, index) =>
          isValidIpv6(value) &&
          !loopbackV6(value) &&
          !networkPrefix(text, index + value.length, value, 6) &&
          !publicService(text, index) &&
          !WELL_KNOWN_SERVICE.has(value.toLowerCase()) &&
          !serverRole(text, index, value),
      );
  },
};

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?=[ .-]?[A-Za-z0-9])/g;
// Character tests on codes, not one-character regexes: the IBAN reader calls them once per character it reads.
/** `[A-Za-z0-9]` (false past the end). */
const isAlnum = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
/** `[ .-]`, a separator between IBAN groups. */
const isIbanSeparator = (code: number): boolean => code === 32 || code === 46 || code === 45;
/** `[ \t\r\n]`. */
const isLineBreakChar = (code: number): boolean => code === 32 || code === 9 || code === 13 || code === 10;
const WRAP = /[ \t]*\r?\n[ \t]*/y;
/** The length of a line break (with the spaces around it) at `i` that an alphanumeric follows, or 0. */
function wrapAt(text: string, i: number): number {
  WRAP.lastIndex = i;
  const wrap = WRAP.exec(text);
  return wrap !== null && isAlnum(text.charCodeAt(i + wrap[0].length)) ? wrap[0].length : 0;
}

/**
 * Reads the country's IBAN length of alphanumerics (single spaces, dashes or dots between groups allowed, and for a
 * registered country one line break where a printed value wraps) and checks mod-97. A country missing from the
 * registry table is read to the end of its run (at most 34) and decided by the checksum alone.
 */
const iban: Detector = {
  type: 'IBAN',
  category: 'financial',
  minDigits: 4,
  detect(text, out) {
    // Every IBAN opens with its country's letters right before its check digits.
    if (!textFacts(text).letterDigit) return;
    IBAN_START.lastIndex = 0;
    for (let match = IBAN_START.exec(text); match !== null; match = IBAN_START.exec(text)) {
      const country = (match[1] ?? '').toUpperCase();
      // `RF` opens an ISO 11649 creditor reference (`RF18 5390 0754 7034`): mod-97 like an IBAN, but no account.
      if (country === 'RF') continue;
      const known = IBAN_LENGTHS[country];
      const length = known ?? 34;
      let compact = match[0];
      let i = match.index + match[0].length;
      let separator: string | undefined;
      let wrapped = false;
      while (compact.length < length && i < text.length) {
        const ch = text[i] ?? '';
        const code = text.charCodeAt(i);
        if (isAlnum(code)) compact += ch;
        else if (known !== undefined && !wrapped && isLineBreakChar(code) && wrapAt(text, i) > 0) {
          // A printed IBAN wrapped onto the next line, once: `DE89 3704 0044\n0532 0130 00` (spaces around the break).
          wrapped = true;
          i += wrapAt(text, i) - 1;
        } else if (
          isIbanSeparator(code) &&
          (separator === undefined || separator === ch) &&
          isAlnum(text.charCodeAt(i + 1))
        )
          separator = ch;
        else break;
        i++;
      }
      if (known !== undefined ? compact.length !== known : compact.length < 15) continue;
      if (isAlnum(text.charCodeAt(i))) continue;
      if (isValidIban(compact)) {
        out.push({ start: match.index, end: i, type: 'IBAN' });
        IBAN_START.lastIndex = i;
      }
    }
  },
};

// Order settles a span two detectors read alike (the first keeps its type): a US SSN stays SSN; a value a national-ID
// label governs is NATIONAL_ID before a card or phone rule; a distinctive national-ID shape without a label comes last.
export const BUILTIN_DETECTORS: readonly Detector[] = [
  ssn,
  namedNationalId,
  card,
  iban,
  email,
  phone,
  ip,
  dob,
  spokenCard,
  spokenSsn,
  spokenPhone,
  hanPhone,
  nationalId,
];

/** A detector from configuration: `{ type, regex }`; zero-length matches are ignored. */
export function customDetector(type: string, source: string): Detector {
  const regex = new RegExp(source, 'g');
  return {
    type,
    category: 'custom',
    detect(text, out) {
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        if (match[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        out.push({ start: match.index, end: match.index + match[0].length, type });
      }
    },
  };
}

/**
 * Runs the detectors; overlapping findings merge into one span (typed after its longest member), so a value glued
 * to another ("4111 1111 1111 1111ada@example.com") is never half-masked.
 */
export function detectAll(text: string, detectors: readonly Detector[]): Detection[] {
  const merged = detectOnce(text, detectors);
  if (merged.length === 0) return merged;
  // Once a value becomes a token, its neighbours stand alone in the masked text: "ada@example.com078-05-1120" masks the
  // email, and the SSN glued to it must not come out in clear. So a gap is scanned again as a text of its own when an
  // edge it shares with a finding could have hidden something (see `cleanAfter`/`cleanBefore`); custom patterns are
  // arbitrary regexes, so with them every gap is.
  const custom = hasCustom(detectors);
  const all: Detection[] = [];
  let cursor = 0;
  let rescanned = false;
  for (let i = 0; i <= merged.length; i++) {
    // Past the last finding, the gap up to the end of the text.
    const detection = merged[i] ?? { start: text.length, end: text.length, type: '' };
    const start = detection.start;
    if (
      start > cursor &&
      (custom ||
        (((cursor > 0 && !cleanAfter(text, cursor)) || (start < text.length && !cleanBefore(text, start))) &&
          mayHoldValue(text, cursor, start)))
    ) {
      for (const inner of detectAll(text.slice(cursor, start), detectors)) {
        const at = inner.start + cursor;
        const end = inner.end + cursor;
        // A gap cut out of a table loses its header: a value under an identifier column of the whole text stays one.
        if (ID_VETOED.has(inner.type) && underIdColumn(text, at, end)) continue;
        all.push({ start: at, end, type: inner.type });
        rescanned = true;
      }
    }
    if (detection.type !== '') all.push(detection);
    cursor = detection.end;
  }
  // Without findings from a gap, `all` is `merged`, already in order.
  return rescanned ? stableSort(all, byStart) : all;
}

const byStart = (a: Detection, b: Detection): number => a.start - b.start;
const byStartThenLongest = (a: Detection, b: Detection): number => a.start - b.start || b.end - a.end;

/**
 * `list.sort(compare)`: the same stable order, by insertion for the few findings of a text (a call to the built-in
 * sort costs more than sorting them).
 */
function stableSort(list: Detection[], compare: (a: Detection, b: Detection) => number): Detection[] {
  if (list.length > 16) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const item = list[i] as Detection;
    let j = i - 1;
    for (; j >= 0 && compare(list[j] as Detection, item) > 0; j--) list[j + 1] = list[j] as Detection;
    list[j + 1] = item;
  }
  return list;
}

const CUSTOM = new WeakMap<readonly Detector[], boolean>();
/** Whether a custom pattern is among the detectors, looked up once per detector list. */
function hasCustom(detectors: readonly Detector[]): boolean {
  let custom = CUSTOM.get(detectors);
  if (custom === undefined) {
    custom = detectors.some((detector) => detector.category === 'custom');
    CUSTOM.set(detectors, custom);
  }
  return custom;
}

const ID_VETOED = new Set(['CREDIT_CARD', 'PHONE', 'SSN', 'NATIONAL_ID']);
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;
// Delimiters no detector reads through or looks across: a value after one of them is judged the same with or without
// the finding before it.
const CLOSED_AFTER = new Set(',;!?)]}>"|'.split('').map((ch) => ch.charCodeAt(0)));
const CLOSED_BEFORE = new Set(',;:!?([{<"=|'.split('').map((ch) => ch.charCodeAt(0)));

/**
 * Whether `text[from, to)` holds a letter, a digit or any non-ASCII character. A gap of ASCII punctuation and spaces
 * alone (the full stop after a number at the end of a text) holds nothing a built-in detector reads: every one needs
 * digits, letters or CJK characters, so it is not scanned again.
 */
function mayHoldValue(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122))
      return true;
  }
  return false;
}

/**
 * A finding ends at `at`; scanning the rest again could only find something the whole-text scan missed if a value
 * starts right there (glued to it), or one character on after a separator a lookbehind reads through (`1111 +44…`:
 * "a number right after another digit group"), or a digit run could have run on from the finding.
 */
function cleanAfter(text: string, at: number): boolean {
  let code = text.charCodeAt(at);
  if (CLOSED_AFTER.has(code)) return true;
  // A full stop then a space reads like a space (`…1120. Next`): no detector reads a value through both.
  if (code === 46 /* . */ && isSpace(text.charCodeAt(at + 1))) code = text.charCodeAt(++at);
  if (!isSpace(code)) return false;
  const next = text.charCodeAt(at + 1);
  return !isDigit(next) && next !== 43 /* + */ && next !== 40; /* ( */
}

/** The mirror image before a finding that starts at `at`: lookaheads read at most two characters on. */
function cleanBefore(text: string, at: number): boolean {
  const code = text.charCodeAt(at - 1);
  if (!isSpace(code) && !CLOSED_BEFORE.has(code)) return false;
  return !isDigit(text.charCodeAt(at - 2));
}

function detectOnce(text: string, detectors: readonly Detector[]): Detection[] {
  const found: Detection[] = [];
  const { digits, encoded } = textFacts(text);
  for (const detector of detectors) if ((detector.minDigits ?? 0) <= digits) detector.detect(text, found);
  // URL-encoded, JSON-escaped and HTML-entity text is also read decoded; findings map back onto the encoded span, so
  // the token replaces exactly the encoded text and restore returns it byte for byte.
  const view = encoded ? decodedView(text) : null;
  if (view !== null) {
    const inView: Detection[] = [];
    const viewDigits = textFacts(view.text).digits;
    for (const detector of detectors) if ((detector.minDigits ?? 0) <= viewDigits) detector.detect(view.text, inView);
    for (const d of inView)
      found.push({ start: view.starts[d.start] as number, end: view.ends[d.end - 1] as number, type: d.type });
  }
  if (found.length < 2) return found;
  stableSort(found, byStartThenLongest);
  const merged: Detection[] = [];
  let longest = 0;
  for (const detection of found) {
    const last = merged[merged.length - 1];
    if (last && detection.start < last.end) {
      if (detection.end - detection.start > longest) {
        longest = detection.end - detection.start;
        last.type = detection.type;
      }
      last.end = Math.max(last.end, detection.end);
    } else {
      merged.push({ ...detection });
      longest = detection.end - detection.start;
    }
  }
  return merged;
}
