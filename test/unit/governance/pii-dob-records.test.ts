import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';
import { MemoryTokenVault, PiiMasker } from '../../../src/governance/pii/index.ts';

/**
 * Dates of birth in the forms a second outside author's dev set showed the masker missing (issue 18): labels and month
 * names in more languages, Roman-numeral and year-first months, tables aligned with spaces, SQL rows, and record formats
 * that hold the date by position. Cases written for these tests, not copied from any dev or blind line.
 */

const births = (text: string): string[] =>
  detectAll(text, BUILTIN_DETECTORS)
    .filter((d) => d.type === 'DOB')
    .map((d) => text.slice(d.start, d.end));

describe('dates of birth: labels and months in more languages', () => {
  it.each([
    ['Pacient: Petr Malý, datum narození 9. 4. 1971', '9. 4. 1971'],
    ['Žadatelka Eva Nováková, narozena 17. května 1988 v Olomouci', '17. května 1988'],
    ['Születési dátum: 1979. október 3.', '1979. október 3.'],
    ['Data nașterii: 11 februarie 1990', '11 februarie 1990'],
    ['Födelsedatum: 1966-02-14', '1966-02-14'],
    ['Дата рождения: 8 марта 1983 г.', '8 марта 1983'],
    ['Укажите дату рождения. Ответ: 21.09.1975', '21.09.1975'],
    ['Дата народження: 3 квітня 1992', '3 квітня 1992'],
    ['Ημερομηνία γέννησης: 5 Μαΐου 1970', '5 Μαΐου 1970'],
    ['تاريخ الميلاد: 1984/06/30', '1984/06/30'],
    ['생년월일: 1990년 2월 9일', '1990년 2월 9일'],
    ['Tanggal lahir: 2 Maret 1986', '2 Maret 1986'],
    ['Ngày sinh: 7 tháng 11 năm 1993', '7 tháng 11 năm 1993'],
    ['Karta: ur. 30.VI.1962 w Łodzi', '30.VI.1962'],
    ['data urodzenia: 4 XII 1999', '4 XII 1999'],
    ['geb. 9. Jän. 1961', '9. Jän. 1961'],
    ["RSVP: the guest of honour (born May 2nd, '79) asked for no gifts", "May 2nd, '79"],
    ['生年月日：H5.10.21', 'H5.10.21'],
    ['dateOfBirth: 19720405000000Z', '19720405000000Z'],
    ['<birthTime value="19550102"/>', '19550102'],
    ['Deponent states she was born on the 21st day of August, 1958, in Ohio.', '21st day of August, 1958'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });
});

describe("birthdays, ages and more languages (a third author's dev set)", () => {
  it.each([
    ['Mi cumpleaños es el 2 de abril, escríbeme', '2 de abril'],
    ['Il compleanno di Luca è il 9 settembre.', '9 settembre'],
    ['Zum Geburtstag am 21.06. alles Gute!', '21.06.'],
    ['my b-day is 3/17 btw', '3/17'],
    ['born 12 May, grew up in Cork', '12 May'],
    ['Applicant: T. Ng, age 52 (17.08.1972), prefers e-mail', '17.08.1972'],
    ['Sie ist am 09.10.1966 geboren und wohnt in Ulm.', '09.10.1966'],
    ['생년월일: 88.11.02', '88.11.02'],
    ["nací el 5 de mayo del '84 en Rosario", "5 de mayo del '84"],
    ['Vaig néixer el 4 de gener de 1991', '4 de gener de 1991'],
    ['Rođena 14. ožujka 1979. u Splitu', '14. ožujka 1979'],
    ['Alizaliwa tarehe 3 Machi 1970.', '3 Machi 1970'],
    ['תאריך לידה: 2 ביוני 1983', '2 ביוני 1983'],
    ['تاريخ الميلاد: 12 مارس 1975', '12 مارس 1975'],
    ['जन्म तिथि: 3 मार्च 1990', '3 मार्च 1990'],
    ['วันเกิด: 9 ตุลาคม 2530', '9 ตุลาคม 2530'],
    ['Sünniaeg: 1. detsember 1977', '1. detsember 1977'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('reads a roster column headed BD', () => {
    expect(births('Player\tBD\tTeam\nA. Osei\t2008-02-11\tU16')).toEqual(['2008-02-11']);
  });

  it('leaves a day and month alone without a birth label, and a historical date with its year', () => {
    expect(births('Delivery on 3 March, invoice due 11/2')).toEqual([]);
    expect(births('Beethoven was born on 17 December 1770 in Bonn.')).toEqual([]);
  });

  it('reads the start of a yearly birthday event, not of other events', () => {
    const event = (summary: string, rule: string): string =>
      `BEGIN:VEVENT\nSUMMARY:${summary}\nDTSTART;VALUE=DATE:19610305\n${rule}\nEND:VEVENT`;
    expect(births(event('Birthday – Uncle Theo', 'RRULE:FREQ=YEARLY'))).toEqual(['19610305']);
    expect(births(event('Company anniversary party', 'RRULE:FREQ=YEARLY'))).toEqual([]);
    expect(births(event('Birthday lunch booking', 'RRULE:FREQ=WEEKLY'))).toEqual([]);
  });

  it('reads SSR DOCS with empty leading fields, by the gender field after the date', () => {
    expect(births('SSR DOCS AF HK1/////17SEP90/M//DURAND/LUC')).toEqual(['17SEP90']);
  });
});

describe('dates of birth in tables and statements', () => {
  it('reads a column aligned with spaces, however far the rows are', () => {
    const text =
      'Member            Born           Club\nAnna Berg         04.11.1969     Oslo\nJon Dahl          22.01.1973     Bergen\n';
    expect(births(text)).toEqual(['04.11.1969', '22.01.1973']);
  });

  it('reads a fixed-width export whose header is one word per column, two-digit years first included', () => {
    const text = 'ID  SURNAME    BIRTH    ST\n01  OKAFOR     58-03-27 NY\n02  LINDGREN   66-12-01 WA';
    expect(births(text)).toEqual(['58-03-27', '66-12-01']);
  });

  it('leaves an aligned column of other dates alone', () => {
    const text = 'Invoice     Issued        Due\nINV-1       04.11.2024    04.12.2024';
    expect(births(text)).toEqual([]);
  });

  it('reads every row of an INSERT under the birth column', () => {
    const text =
      "INSERT INTO members (id, name, birth_date, joined) VALUES (1, 'O''Neil, K.', '1959-07-30', '2021-01-04'),\n(2, 'Ruiz', '1991-10-12', '2022-03-01');";
    expect(births(text)).toEqual(['1959-07-30', '1991-10-12']);
  });
});

describe('dates of birth held by position in a record', () => {
  it('reads the DMG segment of an X12 claim (D8 qualifier)', () => {
    expect(births('NM1*QC*1*ROE*SAM~DMG*D8*19820117*M~')).toEqual(['19820117']);
    expect(births('DTP*472*D8*20240117~')).toEqual([]); // a service date, not DMG
  });

  it('reads the date of birth of an SSR DOCS line, not its expiry', () => {
    expect(births('SSR DOCS LH HK1 P/DEU/C01X00T47/DEU/09AUG77/M/01JAN30/MEIER/KARL')).toEqual(['09AUG77']);
  });

  it('reads a machine-readable zone only when its check digit agrees', () => {
    const line2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';
    const zone = `P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n${line2}`;
    expect(births(zone)).toEqual(['740812']);
    const wrongCheck = zone.replace('7408122', '7408125');
    expect(births(wrongCheck)).toEqual([]);
  });

  it('reads the DATE under a GEDCOM BIRT event, not under a MARR event', () => {
    const text = '0 @I7@ INDI\n1 BIRT\n2 DATE 3 FEB 1921\n2 PLAC Cork\n1 MARR\n2 DATE 12 JUN 1948';
    expect(births(text)).toEqual(['3 FEB 1921']);
  });
});

describe('dates that are not births beside a birth word', () => {
  it.each([
    'The band was born in a garage and the album was released on 12 May 1987.',
    'Born of a merger, the company was incorporated on 1999-04-01.',
  ])('%s', (text) => {
    expect(births(text)).toEqual([]);
  });

  it('restores a masked table exactly', async () => {
    const masker = new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'dob-records' });
    const text = 'Member            Born           Club\nAnna Berg         04.11.1969     Oslo';
    const { masked } = await masker.mask(text);
    expect(masked).not.toContain('04.11.1969');
    expect(await masker.restore(masked)).toBe(text);
  });
});

describe("abbreviated and untransliterated birth labels (a fourth author's dev set)", () => {
  it.each([
    ['Συνταγή: Κ. Δημητρίου (ημ. γέννησης 11/07/1963), έτοιμη', '11/07/1963'],
    ['Ασθενής Π. Νικολάου, γενν. 30/04/1971, θάλαμος 4', '30/04/1971'],
    ['מבוטח: דנה לוי, ת. לידה 05/09/1988, סניף חיפה', '05/09/1988'],
    ['Paciente Lucía Mora, nac. 21/10/1966, consulta 3', '21/10/1966'],
    ['{"ansatt":{"fodselsdato":"1977-08-19"}}', '1977-08-19'],
    ['personal:\n  fodelsedatum: 1969-01-25', '1969-01-25'],
    ['Patient Anil Rao, janam tithi 14-08-1958, ward 2', '14-08-1958'],
    ['تاريخ الازدياد: 1979/11/04', '1979/11/04'],
    ['วันเดือนปีเกิด: 12/03/2529', '12/03/2529'],
    ['Son anniv c’est le 14 juillet, pense au gâteau', '14 juillet'],
    ['[접수] 김민수님(1983.07.21생) 예약 완료', '1983.07.21'],
    ['Иванов Пётр Сергеевич, 03.02.1986 г.р., принят', '03.02.1986'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('keeps other dates beside the same words', () => {
    expect(births('Παραλαβή 11/07/2024, γεννήτρια σε λειτουργία')).toEqual([]);
    expect(births('Платёж от 03.02.2024 г., р/с 4070')).toEqual([]);
  });
});

describe('year-first and quoted-day date forms after a birth label', () => {
  it.each([
    ['Patient: K. Amos   DOB: 1962-Mar-21', '1962-Mar-21'],
    ['birth date 1977/Nov/02 per intake', '1977/Nov/02'],
    ['Gimimo data: 1991 m. spalio 14 d.', '1991 m. spalio 14 d.'],
    ['Dzimšanas datums: 1979. gada 2. marts', '1979. gada 2. marts'],
    ['Születési idő: 1966. 11. 05.', '1966. 11. 05'],
    ['생년월일: 1984. 06. 30', '1984. 06. 30'],
    ['Дата рождения: «17» августа 1985 г.', '«17» августа 1985'],
    ['Születtem 1990. 03. 09-én', '1990. 03. 09'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('keeps the same forms without a birth label', () => {
    expect(births('Release 2024-Mar-21 shipped; audit 2023. 11. 05.')).toEqual([]);
  });
});

describe('dates the date pattern cannot read, right after a birth label', () => {
  it.each([
    ['iscrizione: data di nascita 250779, grazie', '250779'],
    ['Mit fødselsnummer starter med fødselsdato 171283', '171283'],
    ['생년월일 870911 / 연락처는 문자로', '870911'],
    ['Birth date (mm dd yyyy): 0 4 / 2 2 / 1 9 7 6', '0 4 / 2 2 / 1 9 7 6'],
    ['Date de naissance : |1|7|/|0|3|/|1|9|8|2|', '|1|7|/|0|3|/|1|9|8|2|'],
    ['The caller keyed in DOB 1-2-0-9-1-9-7-7 on the pad', '1-2-0-9-1-9-7-7'],
    ['Scan: Mrs P. Lowe  D0B: 2l/O6/l97O', '2l/O6/l97O'],
    ['Geburtsdatum: O7.ll.l963', 'O7.ll.l963'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('keeps six digits, spaced digits and letter-digit codes without a birth label', () => {
    expect(births('Ticket 250779 closed; PIN 1 2 3 4 5 6; batch O3/14/l948')).toEqual([]);
    expect(births('name,dob\nA. Kerr,041182')).toEqual(['041182']);
    expect(births('name,zip\nA. Kerr,041182')).toEqual([]);
  });
});

describe('a birth year alone where a birth word governs it', () => {
  it.each([
    ['{"member":"K. Ito","year_of_birth":1983,"plan":"gold"}', '1983'],
    ['Geburtsjahr: 1961, Wohnort Kassel', '1961'],
    ['Meine Tante ist Jahrgang 1958 und wohnt in Jena', '1958'],
    ["Ich bin Jahrgang '72, ruf mich an", "'72"],
    ['Ich bin 1994 geboren und wohne in Graz.', '1994'],
    ['I was born in 1979 and moved here in 2001.', '1979'],
    ['Bonjour, je suis née en 1996 à Lyon.', '1996'],
    ['Hola, nací en 1988 en Cali.', '1988'],
    ['Sono nato nel 1969 a Bari.', '1969'],
    ['המועמדת, ילידת 1991, גרה בחיפה', '1991'],
    ['我是1987年生的。', '1987'],
    ['私は88年生まれです。', '88'],
    ['저 91년생이에요', '91'],
    ['お誕生日は7月21日です', '7月21日'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('keeps years that are not a birth year', () => {
    expect(births('Albert Einstein was born in 1879 in Ulm.')).toEqual([]);
    expect(births('Riesling, Jahrgang 2015, 0.75 l')).toEqual([]);
    expect(births('うちの子は3年生です。会議は7月21日。')).toEqual([]);
    expect(births('I moved here in 2001 and was born in Cork.')).toEqual([]);
  });
});

describe('birth dates in vCards, other calendars, wrapped labels and age statements', () => {
  it.each([
    ['BEGIN:VCARD\nVERSION:4.0\nFN:Ines Roth\nBDAY:--1107\nEND:VCARD', '--1107'],
    ['BEGIN:VCARD\nBDAY;VALUE=date:1974-02-28\nEND:VCARD', '1974-02-28'],
    ['出生日期：民國68年11月3日', '民國68年11月3日'],
    ['تاريخ الميلاد: 1402/09/21 هـ', '1402/09/21'],
    ['تاریخ تولد: ۱۳۶۸/۰۹/۲۱', '۱۳۶۸/۰۹/۲۱'],
    ['TENANT FORM\nName: R. Okoye    Date of Bi-\nrth: 03/22/1986    Unit: 4B', '03/22/1986'],
    ['Paziente: BIANCHI LUCA nato a Fi-\nrenze il 02/09/1961, visita', '02/09/1961'],
    ['My dad turns 70 on Sunday — born 12 June 1954 and still cycling', '12 June 1954'],
    ['Oggi Marta compie 40 anni: 9 ottobre 1984 → 9 ottobre 2024', '9 ottobre 1984'],
  ])('%s', (text, value) => {
    expect(births(text)).toEqual([value]);
  });

  it('keeps the same shapes without a birth', () => {
    expect(births('BEGIN:VCARD\nREV:--1107\nEND:VCARD')).toEqual([]);
    expect(births('Ticket 1402/09/21 closed; turnover 1370/05/12')).toEqual([]);
    expect(births('The pool turns 10 next week: opened 12 June 2014.')).toEqual([]);
  });
});
