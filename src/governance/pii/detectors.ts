import { IBAN_LENGTHS, isValidCard, isValidIban, isValidIpv4, isValidIpv6, isValidSsn } from './validators.ts';
import { dob } from './dates.ts';
import { phone } from './phones.ts';
import { idLabelBefore, underIdColumn } from './identifiers.ts';
import {
  type Detection,
  type Detector,
  digitsOf,
  hasKeyword,
  keywordBefore,
  scan,
  scanColumns,
  textBefore,
} from './scan.ts';
import { decodedView } from './views.ts';

export type { Detection, Detector } from './scan.ts';

/** Pattern categories, as configured per agent (`PIIPatternCategories__c`). */
export const PATTERN_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  identity: ['SSN', 'DOB'],
  financial: ['CREDIT_CARD', 'IBAN'],
  contact: ['EMAIL', 'PHONE'],
  network: ['IP_ADDRESS'],
};

// Lookbehinds sit after the first consumed char, so most positions fail on one cheap char test.
// Any one separator of dash, space, dot or slash: `536-22-8761`, `536.22.8761`, `078/05/1120`.
const SSN_FORMATTED = /\d(?<![\d-]\d)\d{2}([- ./])\d{2}\1\d{4}(?!\d|-\d)/g;
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
    scan(
      text,
      SSN_FORMATTED,
      out,
      'SSN',
      (value, index) => isValidSsn(digitsOf(value)) && !identifier(text, index, value),
    );
    // Nine bare digits are rare, so candidates come first and the keyword is checked only around them.
    scan(
      text,
      SSN_BARE,
      out,
      'SSN',
      (value, index) => isValidSsn(value) && keywordBefore(text, index, SSN_CONTEXT) && !identifier(text, index, value),
    );
    if (text.includes('\n') && hasKeyword(text, SSN_CONTEXT))
      scanColumns(text, SSN_KEY, out, 'SSN', (value) => /^[\d -]{9,11}$/.test(value) && isValidSsn(digitsOf(value)));
  },
};

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
  /(?<![a-zà-ÿ])(?:cards?|cc|ccn|pan|credit|debit|visa|master\s?card|amex|american\s+express|diners|jcb|unionpay|maestro|exp(?:iry|iration|ires|\.)?|valid\s+(?:thru|through|until)|cvv2?|cvc2?|cv2|csc|security\s+code|carte|karte|kreditkarte|tarjeta|carta|cart[ãa]o|kaart|karta|kart[ıi]|kredi)(?![a-zà-ÿ])|(?<!\d)(?:0[1-9]|1[0-2])\s?\/\s?(?:20)?\d{2}(?!\d)/i;
const cardContext = (text: string, start: number, end: number): boolean =>
  CARD_CONTEXT.test(textBefore(text, start, 48)) || CARD_CONTEXT.test(text.slice(end, end + 48));

const card: Detector = {
  type: 'CREDIT_CARD',
  category: 'financial',
  minDigits: 13,
  detect(text, out) {
    scan(text, CARD, out, 'CREDIT_CARD', (value, index) => {
      const digits = digitsOf(value);
      if (!isValidCard(digits) || identifier(text, index, value)) return false;
      // Thirteen-digit cards are all but gone while EAN-13 barcodes are everywhere, and an unusual grouping is as
      // likely two numbers side by side: either is a card only with card context.
      if (digits.length === 13 || !PRINTED_CARD.test(value)) return cardContext(text, index, index + value.length);
      return true;
    });
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

const email: Detector = {
  type: 'EMAIL',
  category: 'contact',
  detect(text, out) {
    if (text.includes('@'))
      scan(text, EMAIL, out, 'EMAIL', (value, index) => !FILE_EXTENSION.test(value) && !hostLogin(text, index, value));
    if (/\bdot\b/i.test(text)) scan(text, EMAIL_SPELLED, out, 'EMAIL', (value) => /\bat\b/i.test(value));
  },
};

const IPV4 = /\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)/g;
// A dotted quad after "version", "release" or "build" is a version number, and after "clause", "section", "§" a
// document number, not an address ("API" is not on the list: "the API 10.20.30.40" is an address). The same words in
// the other languages the masker reads (es, fr, de, it, pt, nl, pl, tr), and their abbreviations (`cl.`, `v.`, `Nr.`).
const VERSION_CONTEXT =
  /(?<![a-zà-ÿ])(?:ver(?:sion)?|v\.|versi[oóã]n|versione|versie|wersja|s[üu]r[üu]m|versiyon|release|build|rev(?:ision)?|patch|firmware|sdk|upgrade(?:d)? to|clauses?|cl\.|cl[áa]usula|clausola|clausule|klausel|klauzula|sections?|sect?\.|secci[óo]n|sezione|se[çc][ãa]o|abschnitt|subsection|§§?|articles?|art\.|art[íi]culo|articolo|artigo|artikel|madde|chapters?|ch\.|chapitre|cap[íi]tulo|capitolo|kapitel|hoofdstuk|rozdzia[łl]|b[öo]l[üu]m|paragraphs?|para\.?|paragrafo|paragraaf|paragraf|absatz|al[ié]n[ée]a|apartado|ziffer|ust[ęe]p|f[ıi]kra|items?|no\.|nr\.|n[º°]\.?|points?|punto|punkt|punt|steps?|[ée]tape|paso|passo|schritt|stap|krok|ad[ıi]m|tasks?|wbs|rules?|fig(?:ure)?\.?|tables?|appendix|annex|annexe|anexo|allegato|anhang|bijlage|za[łl][ąa]cznik|schedule|requirements?|req\.?|controls?|oid)\s*[:#]?\s*$/i;
// A range or list of document numbers keeps its later members: "sections 4.2.1.1-4.2.1.3", "clauses 2.1.1.1 and 2.1.1.4".
// An upgrade path joins its members with an arrow: "firmware 7.1.200.4 → 7.1.210.0".
const QUAD_JOINED = /(?:\d{1,3}\.){3}\d{1,3}\s*(?:->|=>|→|⇒|➔|⟶|-|–|—|to|and|or|,|&|bis|und|et|y|e|en|i|ve|a)\s*$/i;
/**
 * A version word as a label (`FW 9.12.160.4`, `bootloader`), a key in configuration, JSON or XML (`APP_VERSION=`,
 * `image.version="`, `"firmware":"`, `<version>`), a file-name stem (`firmware-`), or followed by a few linking words ("agent version is now", "firmware was
 * upgraded from"; never a bare "from": "a device from 10.1.2.3").
 */
const VERSION_WORD =
  /(?:(?<![a-zà-ÿ])(?:v|ver|vers|fw|f\/w|s\/w|bios|uefi|bootloader|bootrom|kernel|build|release|software)|version|firmware)(?:[\s_-]?(?:no|nr|number|string))?\.?["']?\s*(?:[:=#>_-]|:=|=>)?\s*["']?\s*(?:(?:is|was|are|were|now|currently|still|remains|set\s+to|must\s+be|should\s+be|will\s+be|at\s+least|required|(?:bumped|upgraded|updated|changed|raised|moved|pinned|rolled\s+back|downgraded)(?:\s+(?:to|from))?)\s+){0,3}$/i;
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
  if (!path && UPGRADE_TO.exec(text.slice(end, end + 16))?.[1] === major)
    path = UPGRADE_FROM.test(textBefore(text, index, 64));
  if (!path) {
    const from = UPGRADED_FROM.exec(text.slice(index - window, index));
    path = from?.[1] === major && UPGRADE_FROM.test(textBefore(text, index - window + from.index, 64));
  }
  return path && !NETWORK_CONTEXT.test(`${textBefore(text, index, 80)} ${text.slice(end, end + 80)}`);
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
/**
 * A small dotted quad pointed at as a part of a document, with no networking word within 80 characters either side,
 * is a section, version or requirement number ("see 4.2.1.3", "Siehe 3.2.1.4 der…", "iOS 17.4.1.2"), not an address.
 */
function outlineNumber(text: string, index: number, value: string): boolean {
  if (!outlineSized(value)) return false;
  const before = text.slice(Math.max(0, index - 80), index);
  const after = text.slice(index + value.length, index + value.length + 80);
  if (NETWORK_CONTEXT.test(`${before} ${after}`)) return false;
  return REFERENCE_BEFORE.test(before.slice(-24)) || REFERENCE_AFTER.test(after);
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
        if (!isValidIpv4(value)) return false;
        if (VERSION_SUFFIX.test(text.slice(index + value.length, index + value.length + 3))) return false;
        if (documentNumber(text, index) || outlineNumber(text, index, value)) return false;
        return !versionList(text, index) && !upgradePath(text, index, value);
      });
    }
    if (text.includes(':') && IPV6_HINT.test(text)) scan(text, IPV6, out, 'IP_ADDRESS', (value) => isValidIpv6(value));
  },
};

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}(?=[ .-]?[A-Za-z0-9])/g;
const IBAN_SEPARATOR = /[ .-]/;
const ALNUM = /[A-Za-z0-9]/;
const LINE_BREAK = /[ \t\r\n]/;
const WRAP = /[ \t]*\r?\n[ \t]*/y;
/** The length of a line break (with the spaces around it) at `i` that an alphanumeric follows, or 0. */
function wrapAt(text: string, i: number): number {
  WRAP.lastIndex = i;
  const wrap = WRAP.exec(text);
  return wrap !== null && ALNUM.test(text[i + wrap[0].length] ?? '') ? wrap[0].length : 0;
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
    IBAN_START.lastIndex = 0;
    for (let match = IBAN_START.exec(text); match !== null; match = IBAN_START.exec(text)) {
      const known = IBAN_LENGTHS[(match[1] ?? '').toUpperCase()];
      const length = known ?? 34;
      let compact = match[0];
      let i = match.index + match[0].length;
      let separator: string | undefined;
      let wrapped = false;
      while (compact.length < length && i < text.length) {
        const ch = text[i] ?? '';
        if (ALNUM.test(ch)) compact += ch;
        else if (known !== undefined && !wrapped && LINE_BREAK.test(ch) && wrapAt(text, i) > 0) {
          // A printed IBAN wrapped onto the next line, once: `DE89 3704 0044\n0532 0130 00` (spaces around the break).
          wrapped = true;
          i += wrapAt(text, i) - 1;
        } else if (
          IBAN_SEPARATOR.test(ch) &&
          (separator === undefined || separator === ch) &&
          ALNUM.test(text[i + 1] ?? '')
        )
          separator = ch;
        else break;
        i++;
      }
      if (known !== undefined ? compact.length !== known : compact.length < 15) continue;
      if (ALNUM.test(text[i] ?? '')) continue;
      if (isValidIban(compact)) {
        out.push({ start: match.index, end: i, type: 'IBAN' });
        IBAN_START.lastIndex = i;
      }
    }
  },
};

export const BUILTIN_DETECTORS: readonly Detector[] = [ssn, card, iban, email, phone, ip, dob];

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

function countDigits(text: string, enough: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count < enough; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
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
  const custom = detectors.some((detector) => detector.category === 'custom');
  const all: Detection[] = [];
  let cursor = 0;
  for (const detection of [...merged, { start: text.length, end: text.length, type: '' }]) {
    const start = detection.start;
    if (
      start > cursor &&
      (custom || (cursor > 0 && !cleanAfter(text, cursor)) || (start < text.length && !cleanBefore(text, start)))
    ) {
      for (const inner of detectAll(text.slice(cursor, start), detectors)) {
        all.push({ start: inner.start + cursor, end: inner.end + cursor, type: inner.type });
      }
    }
    if (detection.type !== '') all.push(detection);
    cursor = detection.end;
  }
  return all.sort((a, b) => a.start - b.start);
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;
// Delimiters no detector reads through or looks across: a value after one of them is judged the same with or without
// the finding before it.
const CLOSED_AFTER = new Set(',;!?)]}>"|'.split('').map((ch) => ch.charCodeAt(0)));
const CLOSED_BEFORE = new Set(',;:!?([{<"=|'.split('').map((ch) => ch.charCodeAt(0)));

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
  const digits = countDigits(text, 13);
  for (const detector of detectors) if ((detector.minDigits ?? 0) <= digits) detector.detect(text, found);
  // URL-encoded, JSON-escaped and HTML-entity text is also read decoded; findings map back onto the encoded span, so
  // the token replaces exactly the encoded text and restore returns it byte for byte.
  const view = decodedView(text);
  if (view !== null) {
    const inView: Detection[] = [];
    const viewDigits = countDigits(view.text, 13);
    for (const detector of detectors) if ((detector.minDigits ?? 0) <= viewDigits) detector.detect(view.text, inView);
    for (const d of inView)
      found.push({ start: view.starts[d.start] as number, end: view.ends[d.end - 1] as number, type: d.type });
  }
  if (found.length < 2) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
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
