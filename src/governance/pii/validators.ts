import { isIPv6 } from 'node:net';

/** Checksums and structural rules that turn a regex candidate into a confirmed PII value. Pure functions. */

/** US SSN: area 000, 666 and 900-999, group 00 and serial 0000 are never issued. */
export function isValidSsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/** Luhn (mod 10) checksum over a digit string. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Issuer prefixes of the networks in use (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir).
const CARD_PREFIX =
  /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8])|3(?:0[0-5]|[68])|5018|5020|5038|6304|67|220[0-4])/;

/** Lengths the big networks issue: Amex 15, Mastercard 16, Visa 13/16/19, Diners 14-16, others 16-19. */
function brandLength(digits: string): boolean {
  const n = digits.length;
  if (/^3[47]/.test(digits)) return n === 15;
  if (/^(?:5[1-5]|2[2-7])/.test(digits)) return n === 16;
  if (digits.startsWith('4')) return n === 13 || n === 16 || n === 19;
  if (/^3(?:0|6|8)/.test(digits)) return n >= 14 && n <= 16;
  return n >= 16 && n <= 19;
}

/** A payment card number: 13-19 digits, known issuer prefix, Luhn-valid, not a single repeated digit. */
export function isValidCard(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (!CARD_PREFIX.test(digits)) return false;
  if (oneRepeatedDigit(digits)) return false;
  if (!brandLength(digits)) return false;
  return luhn(digits);
}

/**
 * IBAN lengths by country: the ISO 13616 registry as published by SWIFT (IBAN Registry, release 99, 2025), with the
 * French overseas territories that issue FR-format IBANs under their own code. Countries not listed are checked by
 * mod-97 alone, within 15-34 characters.
 */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
  // French overseas departments and territories (FR format)
  BL: 27,
  GF: 27,
  GP: 27,
  MF: 27,
  MQ: 27,
  NC: 27,
  PF: 27,
  PM: 27,
  RE: 27,
  TF: 27,
  WF: 27,
  YT: 27,
};

/** ISO 13616 mod-97 check on a compact (no spaces) IBAN. */
export function isValidIban(compact: string): boolean {
  const iban = compact.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && expected !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : ch;
    for (const digit of chunk) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** Dotted-quad IPv4 with each octet 0-255 and no leading zeros (leading zeros read as versions or codes). */
export function isValidIpv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  return parts.every(isOctet);
}

/** `0`-`255` without a leading zero (what `^(?:0|[1-9]\d{0,2})$` and a bound of 255 accept), with no regex. */
function isOctet(part: string): boolean {
  if (part.length === 0 || part.length > 3 || (part.length > 1 && part.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return Number(part) <= 255;
}

/** IPv6 as Node parses it, with a digit and three groups or an embedded IPv4 (so `a::b` or `Foo::Bar` stay text). */
export function isValidIpv6(text: string): boolean {
  if (!/\d/.test(text)) return false;
  const groups = text.split(':').filter((group) => group.length > 0);
  if (groups.length < 3 && !text.includes('.')) return false;
  return isIPv6(text);
}

/** A plausible phone number: 7-15 digits (E.164 maximum), not one repeated digit. */
export function isPlausiblePhone(digits: string): boolean {
  if (digits.length < 7 || digits.length > 15) return false;
  return !oneRepeatedDigit(digits);
}

/** `^(\d)\1+$`: two or more of one ASCII digit and nothing else, without a regex (it runs once per candidate). */
function oneRepeatedDigit(value: string): boolean {
  const first = value.charCodeAt(0);
  if (value.length < 2 || first < 48 || first > 57) return false;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) !== first) return false;
  return true;
}
