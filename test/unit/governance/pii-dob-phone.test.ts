import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDate } from '../../../src/governance/pii/dates.ts';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';
import { MemoryTokenVault, PiiMasker } from '../../../src/governance/pii/index.ts';
import { expectKept, expectMasked } from '../../support/pii-expect.ts';

/**
 * Dates of birth by context and phone numbers by national shape (the classes the masker read worst on blind text), and
 * the look-alikes beside them. Cases written for these tests, never taken from a blind round.
 */

const found = (text: string): Array<[string, string]> =>
  detectAll(text, BUILTIN_DETECTORS).map((d) => [d.type, text.slice(d.start, d.end)]);

const masker = (): PiiMasker =>
  new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'dob-phone' });

async function roundTrip(text: string): Promise<string> {
  const m = masker();
  const { masked } = await m.mask(text);
  expect(await m.restore(masked)).toBe(text);
  return masked;
}

describe('dates of birth', () => {
  it.each([
    // numeric, any separator and order
    ['DOB 22 11 1974', '22 11 1974'],
    ['D.O.B.: 22 / 11 / 1974', '22 / 11 / 1974'],
    ['dob_1974_11_22 in the export', '1974_11_22'],
    ['Date of birth 11-22-74', '11-22-74'],
    ['DOB:22111974', '22111974'],
    ['DoB 1974.11.22', '1974.11.22'],
    // spelled, ordinals, abbreviations
    ['born the 22nd of November, 1974', '22nd of November, 1974'],
    ['Birthday: Nov. 22, 1974', 'Nov. 22, 1974'],
    ['dob=22NOV1974', '22NOV1974'],
    ['Date of birth: Friday, 22 November 1974', '22 November 1974'],
    // languages
    ['Fecha de nacimiento: 22 de noviembre de 1974', '22 de noviembre de 1974'],
    ['fecha nac. 22/nov/1974', '22/nov/1974'],
    ['Ella nació el 22 de noviembre de 1974', '22 de noviembre de 1974'],
    ['Date de naissance : 22 novembre 1974', '22 novembre 1974'],
    ['Mme Roux, née à Brest le 22 nov. 1974', '22 nov. 1974'],
    ['Geburtsdatum: 22. November 1974', '22. November 1974'],
    ['Geb.-Datum 22.11.74', '22.11.74'],
    ['Herr Krause (geb. 22.11.1974) rief an', '22.11.1974'],
    ['nata a Bari il 22 novembre 1974', '22 novembre 1974'],
    ['Data de nascimento: 22/11/1974', '22/11/1974'],
    ['nasceu em 22 de novembro de 1974', '22 de novembro de 1974'],
    ['Geboortedatum: 22-11-1974', '22-11-1974'],
    ['geboren op 22 november 1974 te Delft', '22 november 1974'],
    ['Data urodzenia: 22 listopada 1974', '22 listopada 1974'],
    ['ur. 22.11.1974 w Gdańsku', '22.11.1974'],
    ['Doğum tarihi: 22 Kasım 1974', '22 Kasım 1974'],
    ['生年月日：1974年11月22日', '1974年11月22日'],
    ['生年月日 昭和49年11月22日', '昭和49年11月22日'],
    // label after the date
    ['1974年11月22日生まれ', '1974年11月22日'],
    ['22 Kasım 1974 doğumlu', '22 Kasım 1974'],
    ['22/11/1974 (DOB)', '22/11/1974'],
    ['Lebenslauf\n* 22.11.1974 in Kiel', '22.11.1974'],
    ['Birth dt 1974-11-22', '1974-11-22'],
    ['Caller DOB verified: 22/11/1974', '22/11/1974'],
    ['Her birthdate, as printed on the card we received, is 22/11/1974', '22/11/1974'],
    ['D/O/B: 22/11/74', '22/11/74'],
    ['Fødselsdato: 22.11.1974', '22.11.1974'],
    ['Född 22 november 1974 i Lund', '22 november 1974'],
    ['生年月日 平成元年5月1日', '平成元年5月1日'],
  ])('%j', (text, value) => {
    expect(found(text)).toContainEqual(['DOB', value]);
  });

  it.each([
    ['{"dobFull":"22/11/1974"}', '22/11/1974'],
    ['{"fechaNacimiento": "1974-11-22"}', '1974-11-22'],
    ['<Geburtsdatum>22.11.1974</Geburtsdatum>', '22.11.1974'],
    ['<person data_urodzenia="1974-11-22"/>', '1974-11-22'],
    ['member:\n  birth: 1974-11-22\n  tier: gold', '1974-11-22'],
    ['/api/members?doğum_tarihi=1974-11-22', '1974-11-22'],
    ['nom;date de naissance;ville\nRoux;22/11/1974;Brest', '22/11/1974'],
    ['| Name | Geboortedatum |\n|---|---|\n| Jansen | 22-11-1974 |', '22-11-1974'],
    ['MSH|^~\\&|LAB\rPID|1||4471^^^H||ROUX^ANA||19741122|F', '19741122'],
  ])('as a key, column or field: %j', (text, value) => {
    expect(found(text)).toContainEqual(['DOB', value]);
  });

  it('reads a second date that corrects the first as a date of birth too', () => {
    expect(found('DOB on file 11/22/1974, but the licence shows 11/23/1974.')).toEqual([
      ['DOB', '11/22/1974'],
      ['DOB', '11/23/1974'],
    ]);
    // A date with a label of its own after a DOB is not one.
    expect(found('DOB 11/22/1974, visit 03/02/2025')).toEqual([['DOB', '11/22/1974']]);
  });

  it.each([
    'Follow-up on 22 November 2025 at the clinic.',
    'Date of birth not on file; admission date 2025-11-22.',
    'DOB confirmed. Next appointment 2025-11-22.',
    '<BirthDate/><VisitDate>2025-11-22</VisitDate>',
    '{"dob": null, "lastSeen": "2025-11-22"}',
    'Birthday campaign runs 01/11/2025 - 30/11/2025.',
    'Geburtstagsfeier am 22.11.2025',
    '* 2025-11-22: release notes for the mobile app',
    'DOB 13/31/1974 was rejected by the form',
    'Born to run, shipped 2025-11-22',
    'Il pacco è nato per essere spedito il 22 novembre 2025',
    'Birthdate check completed 2025-11-22 10:04',
    'DOB scan uploaded 22/11/2025',
  ])('leaves a date that is not a birth date: %j', (text) => {
    expect(found(text).filter(([type]) => type === 'DOB')).toEqual([]);
  });

  it('checks the calendar and one kind of separator', () => {
    expect(isDate('22/11/1974')).toBe(true);
    expect(isDate('22 / 11 / 1974')).toBe(true);
    expect(isDate('22 11-1974')).toBe(false);
    expect(isDate('32/11/1974')).toBe(false);
    expect(isDate('22 Foo 1974')).toBe(false);
    expect(isDate('19741122')).toBe(true);
    expect(isDate('19741322')).toBe(false);
  });

  it('masks a date under a birth key in another language when masking JSON values', async () => {
    const m = masker();
    const value = {
      Geburtsdatum: '22.11.1974',
      fecha_nacimiento: '1974-11-22',
      dobFull: '22 Nov 1974',
      due: '2025-01-01',
    };
    const { masked } = await m.maskValue(value);
    expect(masked).toEqual({
      Geburtsdatum: '[DOB:001]',
      fecha_nacimiento: '[DOB:002]',
      dobFull: '[DOB:003]',
      due: '2025-01-01',
    });
    expect(await m.restoreValue(masked)).toEqual(value);
  });
});

describe('phone numbers', () => {
  it.each([
    // trunk-prefixed national numbers, no phone word needed
    ['Ring the Leeds depot on 0113 496 0000', '0113 496 0000'],
    ['mobile 07700 900555', '07700 900555'],
    ['Agence de Lyon 04 72 00 00 00', '04 72 00 00 00'],
    ['Praxis Dr. Weiß 0221/9876543', '0221/9876543'],
    ['Büro Haidhausen (089) 123 4567', '(089) 123 4567'],
    ['Kantoor Utrecht 030-1234567', '030-1234567'],
    ['Sede di Torino 011 1234567', '011 1234567'],
    ['Ankara ofisi 0312 123 45 67', '0312 123 45 67'],
    ['大阪支店 06-1234-5678', '06-1234-5678'],
    ['Perth office (08) 9123 4567', '(08) 9123 4567'],
    // groups of three, vanity, links, extensions
    ['Joana: 913 456 789', '913 456 789'],
    ['Call 1-800-GOT-LOOM today', '1-800-GOT-LOOM'],
    ['https://wa.me/351913456789', '351913456789'],
    ['Direct +44 20 7946 0123 ext. 4410', '+44 20 7946 0123 ext. 4410'],
    ['Desk 020 7946 0123 x4410', '020 7946 0123 x4410'],
    // phone words in other languages, for shapes that need one
    ['Llámame al 655 12 34 56', '655 12 34 56'],
    ['Zadzwoń pod 601-234-567', '601-234-567'],
    ['Chiamami al 340 1234567', '340 1234567'],
    ['Liga-me para o 21 123 4567', '21 123 4567'],
    ['Komórka: 601 234 567', '601 234 567'],
    ['callback=00441134960000', '00441134960000'],
    ['Rückruf unter 0221 9876543', '0221 9876543'],
  ])('%j', (text, value) => {
    expect(found(text)).toContainEqual(['PHONE', value]);
  });

  it('reads phone numbers in a CSV without a phone column', () => {
    const text = 'Ana Reis,Porto,913 456 789\nTom Hale,Leeds,0113 496 0000';
    expect(found(text)).toEqual([
      ['PHONE', '913 456 789'],
      ['PHONE', '0113 496 0000'],
    ]);
  });

  it.each([
    'Bestellnummer 0221 9876 5432 storniert',
    'Rif. 06 6982 0000 del 3 marzo',
    'Réf. 01 23 45 67 89',
    'billet 0800 123 456',
    'Numéro de commande 04 72 00 00 00 01',
    'Boston, MA 02134-1234',
    'Ticket 012 34 5678 reopened',
    'Tracking 1Z 999 AA1 01 2345 6784',
    'ISBN 0-19-852663-6',
    'NDC 0009-0031-01',
    'Population 612 345 678 in 2024',
    'Total 612 345 678 EUR',
    'Nous comptons 612 345 678 passagers par an.',
    'Released 2025-11-22, build 0113.496.0000',
    "SELECT Id FROM Contact WHERE AccountId = '003000000000001'",
  ])('leaves a look-alike: %j', (text) => {
    expect(found(text).filter(([type]) => type === 'PHONE')).toEqual([]);
  });
});

describe('masking beside a finding', () => {
  it('still masks a value separated from a finding by a space, a comma or a full stop', async () => {
    for (const text of [
      '4111 1111 1111 1111 +44 20 7946 0958',
      '078-05-1120, 0113 496 0000',
      'ada@example.com. 0113 496 0000',
    ]) {
      const masked = await roundTrip(text);
      expect(masked, text).not.toMatch(/\d{4}/);
    }
  });
});

describe('mask→restore stays exact on dates of birth and phone numbers', () => {
  const label = fc.constantFrom('DOB ', 'Geburtsdatum: ', 'née le ', 'Data urodzenia: ', 'tel. ', 'Cep: ', '', '* ');
  const value = fc.constantFrom(
    '22 11 1974',
    '22 / 11 / 1974',
    '22 de noviembre de 1974',
    '1974年11月22日',
    '0113 496 0000',
    '06 12 34 56 78',
    '0151/23456789',
    '913 456 789',
    '1-800-GOT-LOOM',
    '+44 20 7946 0123 ext. 4410',
  );
  const encode = fc.constantFrom(
    (s: string) => s,
    (s: string) => encodeURIComponent(s),
    (s: string) => s.replace(/[ /]/g, (ch) => `&#${ch.charCodeAt(0)};`),
  );
  const noise = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(',', ';', '\n', '|', '.', ' x', ' ext', '%2'));
  const piece = fc.oneof(
    noise,
    fc.tuple(label, value, encode).map(([l, v, fn]) => l + fn(v)),
  );

  it('for any mix of labelled values, encodings and noise', async () => {
    const m = masker();
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 8 }), async (parts) => {
        const text = parts.join(' ');
        const { masked } = await m.mask(text);
        expect(await m.restore(masked)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a value that answers the question on the line before', () => {
  it.each([
    ['Rep: Could you confirm your date of birth?\nMember: 09/10/1968', '09/10/1968', 'DOB'],
    ['Q. And the date of birth of the insured?\nA. March 3rd, 1972', 'March 3rd, 1972', 'DOB'],
    ['[14:01] Agente: ¿me da su fecha de nacimiento?\n[14:02] Cliente: 7 de mayo de 1981', '7 de mayo de 1981', 'DOB'],
    ['[09:12] Agente: ¿y un teléfono de contacto?\n[09:13] Cliente: 655 31 20 44', '655 31 20 44', 'PHONE'],
    ['Agent: what is the best phone to reach you?\nMrs Olusegun: sure, 4155 5501 23', '4155 5501 23', 'PHONE'],
  ])('%s', async (text, value, type) => {
    await expectMasked(text, value, type);
  });

  it('keeps a value on a form line under a labelled birth date, and an answer to another question', async () => {
    await expectKept('Date of birth: 12/12/1970\nStart date: 01/02/2023', '01/02/2023');
    await expectKept(
      'Agent: date of birth verified. When would you like to come in?\nCaller: 14/05/2024',
      '14/05/2024',
    );
    await expectKept(
      'Rep: Your date of birth?\nMember: 09/10/1968\nRep: And the renewal?\nMember: 01/11/2025',
      '01/11/2025',
    );
  });
});

describe('English dates of birth said in words', () => {
  it.each([
    [
      'Our daughter Mia was born on the seventh of August two thousand nineteen.',
      'seventh of August two thousand nineteen',
    ],
    [
      'Rep: And the member’s date of birth?\nCaller: June the twenty-second, nineteen sixty-one.',
      'June the twenty-second, nineteen sixty-one',
    ],
    [
      'Baptised: born the first day of March in the year two thousand and one.',
      'first day of March in the year two thousand and one',
    ],
    ['DOB given as Fourteenth of July, 1958 by the caller', 'Fourteenth of July, 1958'],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'DOB');
  });

  it('keeps dates said in words without a birth label', async () => {
    await expectKept('The shop reopens on the seventh of August two thousand nineteen.', 'seventh of August');
  });
});

describe('dates of birth in more scripts, calendars and turns of phrase', () => {
  it.each([
    // a year that ends a Hindi sentence with a danda
    ['नाम: अमित वर्मा। जन्म तिथि: 5 मार्च 1987। पता: दिल्ली', '5 मार्च 1987'],
    // the Gregorian year with the Japanese era's year in brackets
    ['病歴 生年月日 1948年（昭和23年）2月3日', '1948年（昭和23年）2月3日'],
    // Catalan label
    ['Data de naixement: 3 de maig de 1977', '3 de maig de 1977'],
    // a Swiss German birthday without its year
    ['Vergiss nöd, Geburi am 14. Juli!', '14. Juli'],
    // an airline DOCS element printed without its SSR
    ['PAX: DUPONT/LEA MRS\n DOCS/P/FRA/14AB99881/FRA/03JUN79/F/11FEB30', '03JUN79'],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'DOB');
  });

  it('reads Thai abbreviated months after "born" or "birthday", not after another word', async () => {
    await expectMasked('ผู้ป่วย: นายสมชาย ใจดี เกิด 14 ก.พ. 2520 โทร 081 234 5678', '14 ก.พ. 2520', 'DOB');
    await expectMasked('วันเกิด: 9 ธ.ค. 1988', '9 ธ.ค. 1988', 'DOB');
    await expectKept('นัดตรวจ 14 ก.พ. 2567', '14 ก.พ. 2567');
    await expectKept('เกิดข้อผิดพลาด 14 ก.พ. 2567', '14 ก.พ. 2567');
  });

  it('reads "my birthday" in Arabic, not the Nativity', async () => {
    await expectMasked('أهلاً، عيد ميلادي ٣ مارس ١٩٩٢', '٣ مارس ١٩٩٢', 'DOB');
    await expectKept('عيد الميلاد ٢٥ ديسمبر ٢٠٢٤', '٢٥ ديسمبر ٢٠٢٤');
    await expectKept('عيد ميلاد المسيح 25 ديسمبر 2024', '25 ديسمبر 2024');
  });

  it('reads a day and month after a person turning an age, not after a shop turning ten', async () => {
    await expectMasked('Hola, cumplo 40 el 3 de junio y hago fiesta', '3 de junio', 'DOB');
    await expectMasked('she turns 40 on 3 May, party at ours', '3 May', 'DOB');
    await expectKept('Our shop turns 10 on 3 May', '3 May');
  });

  it('reads a day and month after the birth year told first, not a death day', async () => {
    await expectMasked("Ti ricordo: è nata nell'estate del '91, il 3 luglio.", '3 luglio', 'DOB');
    await expectKept('geboren 1950, gestorben am 3. Mai', '3. Mai');
  });

  it('keeps a date after a birthday word that ends its sentence', async () => {
    await expectKept('Fundada en 1910, celebró su aniversario. Marcador 2-1; público 40.000', '2-1');
  });
});

describe('phone numbers in records, wrapped lines, vanity lines and other numerals', () => {
  it('reads a trunk number in a CSV cell followed by a numeric cell, but not a freephone service number', () => {
    const text = 'ref,date,contact,kg\nA1,2024-01-02,0398 765 432,4.50\nA2,2024-01-03,0808 157 0192,3.20';
    expect(found(text)).toEqual([['PHONE', '0398 765 432']]);
  });

  it.each([
    // HL7 telecom field: use and equipment codes after the number
    ['PID|1||X1^^^H^MR||Doe^Ann||19800101|F|||||6135550199^PRN^PH', '6135550199'],
    // a number announced as someone's new number, cut by a line break
    ['Moved to a flat; new number is 0161 496\n0734, mornings only.', '0161 496\n0734'],
    // a local vanity number with its country code, named as a vanity line
    ['keep his vanity line 1-646-CAT-NAPS on the plan', '1-646-CAT-NAPS'],
    // Chinese numerals after a Chinese phone word
    ['他的手机是一三八，一二三四，五六七八，生日是一九八八年五月三日', '一三八，一二三四，五六七八'],
    // Arabic-Indic digits after "the line" (a mobile line activated)
    ['تم تفعيل الخط ٠٥٥٩٨٧٦٥٤٣ بنجاح', '٠٥٥٩٨٧٦٥٤٣'],
  ])('%j', async (text, value) => {
    await expectMasked(text, value, 'PHONE');
  });
});

describe('French, Spanish and German dates of birth said in words', () => {
  it.each([
    [
      'Diktat: Patient Krüger, geboren am vierzehnten Juli neunzehnhundertachtundsechzig, Rückruf unter 030 1234567.',
      'vierzehnten Juli neunzehnhundertachtundsechzig',
    ],
    [
      'Agent : votre date de naissance ?\nClient : le trois mars mil neuf cent quatre-vingt-deux.',
      'trois mars mil neuf cent quatre-vingt-deux',
    ],
    [
      'Operador: ¿Fecha de nacimiento?\nCliente: doce de octubre del noventa y uno.',
      'doce de octubre del noventa y uno',
    ],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'DOB');
    // The same date without a birth label or question is left alone.
    await expectKept(`Nota: ${value}.`, value);
  });
});
