import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';
import {
  isValidCard,
  isValidIban,
  isValidIpv4,
  isValidIpv6,
  isValidSsn,
  luhn,
} from '../../../src/governance/pii/validators.ts';

const found = (text: string): Array<[string, string]> =>
  detectAll(text, BUILTIN_DETECTORS).map((d) => [d.type, text.slice(d.start, d.end)]);

describe('validators', () => {
  it('rejects SSN areas 000, 666 and 9xx, group 00 and serial 0000', () => {
    expect(isValidSsn('078051120')).toBe(true);
    for (const bad of ['000123456', '666123456', '900123456', '999123456', '123004567', '123450000'])
      expect(isValidSsn(bad)).toBe(false);
  });

  it('checks Luhn and issuer prefixes for cards', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
    expect(isValidCard('378282246310005')).toBe(true); // Amex test number
    expect(isValidCard('6011111111111117')).toBe(true);
    expect(isValidCard('1234567812345670')).toBe(false); // Luhn-valid, no issuer
    expect(isValidCard('0000000000000000')).toBe(false);
  });

  it('checks IBAN mod-97 and country length', () => {
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('DE89370400440532013001')).toBe(false);
    expect(isValidIban('DE8937040044053201300')).toBe(false);
  });

  it('validates IPv4 octets and IPv6 shapes', () => {
    expect(isValidIpv4('192.168.1.20')).toBe(true);
    expect(isValidIpv4('256.1.1.1')).toBe(false);
    expect(isValidIpv4('01.2.3.4')).toBe(false);
    expect(isValidIpv6('2001:db8::8a2e:370:7334')).toBe(true);
    expect(isValidIpv6('::ffff:10.0.0.1')).toBe(true);
    expect(isValidIpv6('a::b')).toBe(false);
    expect(isValidIpv6('12:30:45')).toBe(false);
  });
});

describe('pattern detectors', () => {
  it.each([
    ['SSN 078-05-1120 on file', 'SSN', '078-05-1120'],
    ['ssn 078 05 1120', 'SSN', '078 05 1120'],
    ['social security number: 078051120', 'SSN', '078051120'],
    ['card 4111 1111 1111 1111 exp 09/27', 'CREDIT_CARD', '4111 1111 1111 1111'],
    ['card 4111-1111-1111-1111', 'CREDIT_CARD', '4111-1111-1111-1111'],
    ['amex 3782 822463 10005', 'CREDIT_CARD', '3782 822463 10005'],
    ['pay with 5555555555554444 today', 'CREDIT_CARD', '5555555555554444'],
    ['mail ada.lovelace+crm@mail.example.co.uk now', 'EMAIL', 'ada.lovelace+crm@mail.example.co.uk'],
    ['call 415-555-0132 today', 'PHONE', '415-555-0132'],
    ['call (415) 555-0132', 'PHONE', '(415) 555-0132'],
    ['dial +1 415 555 0132', 'PHONE', '+1 415 555 0132'],
    ['London +44 20 7946 0958', 'PHONE', '+44 20 7946 0958'],
    ['Tokyo +81-3-1234-5678', 'PHONE', '+81-3-1234-5678'],
    ['phone: 020 7946 0958', 'PHONE', '020 7946 0958'],
    ['from 192.168.1.20 blocked', 'IP_ADDRESS', '192.168.1.20'],
    ['from 2001:db8::8a2e:370:7334 blocked', 'IP_ADDRESS', '2001:db8::8a2e:370:7334'],
    ['DOB: 03/14/1985', 'DOB', '03/14/1985'],
    ['born on January 5, 1980.', 'DOB', 'January 5, 1980'],
    ['Geburtsdatum 14.03.1985', 'DOB', '14.03.1985'],
    ['IBAN DE89 3704 0044 0532 0130 00 please', 'IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN GB82WEST12345698765432.', 'IBAN', 'GB82WEST12345698765432'],
  ])('finds PII in %j', (text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  it.each([
    'SSN 000-12-3456 and 666-12-3456 and 912-34-5678 and 123-00-4567 and 123-45-0000',
    'card 4111 1111 1111 1112 failed Luhn',
    'Record 001EM0000000001YAA and a01EM0000000042YAA and 001EM0000000001',
    'Case 00001234 and order 4500012345 and order ORD-2024-000123',
    'Amounts $1,234.56 and €99.00 and USD 125000',
    'Versions v62.0, API 62.0, 1.2.3, version 1.2.3.4, release 2024.3.1',
    'Dates 2024-01-15, 03/04/2024 and January 5, 2024',
    'ZIP 94105 and 94105-1234',
    'Times 10:30:45 and ratio 3:2, Foo::Bar and a::b',
    'IBAN-like DE89 3704 0044 0532 0130 01 (bad check digits)',
    'call about case 00001234 tomorrow',
  ])('leaves look-alikes alone: %j', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('masks a bare dotted quad as an address but keeps it after "version" (documented choice)', () => {
    expect(found('host 1.2.3.4 is down')).toEqual([['IP_ADDRESS', '1.2.3.4']]);
    expect(found('version 1.2.3.4')).toEqual([]);
  });

  it('treats a date as a DOB only near a birth keyword, with no other number in between', () => {
    expect(found('DOB: 01/02/1980, next appointment 03/04/2024')).toEqual([['DOB', '01/02/1980']]);
    expect(found('Meeting on 01/02/1980')).toEqual([]);
  });

  it('keeps the longest finding when detectors overlap', () => {
    expect(found('ip ::ffff:10.0.0.1 seen')).toEqual([['IP_ADDRESS', '::ffff:10.0.0.1']]);
  });
});
