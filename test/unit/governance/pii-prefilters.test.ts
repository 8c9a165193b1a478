import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';
import { textFacts } from '../../../src/governance/pii/scan.ts';
import { isPlausiblePhone, isValidCard } from '../../../src/governance/pii/validators.ts';

// The detectors skip a regex when a text lacks a fact it needs (`textFacts`). Each case below is the smallest shape a
// prefilter must let through: if a fact were computed wrong, the value would come out in clear.
const found = (text: string): Array<[string, string]> =>
  detectAll(text, BUILTIN_DETECTORS).map((d) => [d.type, text.slice(d.start, d.end)]);

describe('text facts', () => {
  it('counts digits and the longest run', () => {
    expect(textFacts('a1b22c333')).toMatchObject({ digits: 6, maxRun: 3 });
    expect(textFacts('no digits')).toMatchObject({ digits: 0, maxRun: 0 });
  });

  it('sees capitals, encodings, a letter before a digit and a dial prefix', () => {
    expect(textFacts('abc').capitals).toBe(false);
    expect(textFacts('aBc').capitals).toBe(true);
    expect(textFacts('aBcD').capitalPair).toBe(false);
    expect(textFacts('aBCd').capitalPair).toBe(true);
    expect(textFacts('abc 123').nonAscii).toBe(false);
    for (const text of ['订单', 'café', 'رقم']) expect(textFacts(text).nonAscii).toBe(true);
    for (const encoded of ['a%40b', 'a\\u0040b', 'a&#64;b', '０３', '٣', '۳'])
      expect(textFacts(encoded).encoded).toBe(true);
    expect(textFacts('plain text 42').encoded).toBe(false);
    expect(textFacts('DE89').letterDigit).toBe(true);
    expect(textFacts('DE 89').letterDigit).toBe(false);
    for (const dial of ['+4', 'x 0049', '+1']) expect(textFacts(dial).dialPrefix).toBe(true);
    for (const none of ['+0', '0 04', '0 049', '100']) expect(textFacts(none).dialPrefix).toBe(false);
  });

  it('sees three digits, one separator and four digits', () => {
    for (const shape of ['555-0134', '(415) 555.0132', '12345 6789']) expect(textFacts(shape).groups34).toBe(true);
    for (const none of ['55-0134', '555-013', '555--0134', '555 / 0134']) expect(textFacts(none).groups34).toBe(false);
  });
});

describe('validators without regexes', () => {
  it('reject one repeated digit, and only that', () => {
    expect(isPlausiblePhone('5555555')).toBe(false);
    expect(isPlausiblePhone('5555556')).toBe(true);
    expect(isValidCard('4444444444444444')).toBe(false);
    expect(isValidCard('4111111111111111')).toBe(true);
  });
});

describe('prefilters let the smallest shapes through', () => {
  it('phone shapes', () => {
    expect(found('Call me at 555-0134 tomorrow')).toEqual([['PHONE', '555-0134']]);
    expect(found('call 415.555.0132')).toEqual([['PHONE', '415.555.0132']]);
    expect(found('Mobile: +44 7700 900123')).toEqual([['PHONE', '+44 7700 900123']]);
    expect(found('Mobile: 0044 7700 900123')).toEqual([['PHONE', '0044 7700 900123']]);
    expect(found('1-800-FLOWERS')).toEqual([['PHONE', '1-800-FLOWERS']]);
    expect(found('call (617) 555-KEVN')).toEqual([['PHONE', '(617) 555-KEVN']]);
  });

  it('an IBAN in capitals or lower case, and an SSN of nine bare digits', () => {
    expect(found('IBAN DE89 3704 0044 0532 0130 00')).toEqual([['IBAN', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('iban de89370400440532013000')).toEqual([['IBAN', 'de89370400440532013000']]);
    expect(found('SSN 078051120')).toEqual([['SSN', '078051120']]);
  });

  it('national identifiers at the shortest digit run their shape allows', () => {
    expect(found('NIE X1234567L')).toEqual([['NATIONAL_ID', 'X1234567L']]);
    expect(found('DNI 12345678Z')).toEqual([['NATIONAL_ID', '12345678Z']]);
    expect(found('身份证 11010519491231002X')).toEqual([['NATIONAL_ID', '11010519491231002X']]);
  });

  it('identifier labels in capitals, CJK and Arabic still veto the number after them', () => {
    expect(found('Tel: 415-555-0132')).toEqual([['PHONE', '415-555-0132']]);
    for (const label of ['PN: ', 'SN ', '订单号：', 'رقم الطلب: ']) expect(found(`${label}415-555-0132`)).toEqual([]);
  });

  it('a currency before a number and a German animal before a birth date are still seen', () => {
    expect(found('Total: 0711 124 3381')).toEqual([['PHONE', '0711 124 3381']]);
    for (const currency of ['$', 'USD', '€']) expect(found(`Total ${currency} 0711 124 3381`)).toEqual([]);
    expect(found('Rex, born 12.03.2019')).toEqual([['DOB', '12.03.2019']]);
    expect(found('Mein Hund Bello, Geburtsdatum: 12.03.2019')).toEqual([]);
  });

  it('a date of birth without a digit: said in words, or in CJK numerals', () => {
    expect(found('Date of birth: the third of May nineteen eighty-five')).toEqual([
      ['DOB', 'the third of May nineteen eighty-five'],
    ]);
    expect(found('生年月日：一九五二年十月一日')).toEqual([['DOB', '一九五二年十月一日']]);
  });

  it('encoded text is still read decoded', () => {
    expect(found('maria.lopez%40example.com')).toEqual([['EMAIL', 'maria.lopez%40example.com']]);
    expect(found('Tel: ０３－１２３４－５６７８')).toEqual([['PHONE', '０３－１２３４－５６７８']]);
  });

  it('a gap after a finding is scanned again when it holds more than punctuation', () => {
    expect(found('ada@example.com.078-05-1120')).toEqual([
      ['EMAIL', 'ada@example.com'],
      ['SSN', '078-05-1120'],
    ]);
    expect(found('ada@example.com078-05-1120.')).toEqual([
      ['EMAIL', 'ada@example.com'],
      ['SSN', '078-05-1120'],
    ]);
  });
});
