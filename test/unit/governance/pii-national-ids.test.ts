import { stdnum } from 'stdnum';
import { describe, expect, it } from 'vitest';
import { MemoryTokenVault, PATTERN_CATEGORIES, PiiMasker } from '../../../src/governance/pii/index.ts';
import { isValidMyNumber, isValidSnils } from '../../../src/governance/pii/national-ids.ts';
import { expectKept, expectMasked } from '../../support/pii-expect.ts';

/** NATIONAL_ID: identifiers outside the US, checksum-validated, digit runs only with a label or column header. */

const masker = (): PiiMasker =>
  new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'national-ids' });
const typesOf = async (text: string): Promise<string[]> =>
  (await masker().mask(text)).entities.map((entity) => entity.type);

// Instances generated for these tests (not real people); each checked with stdnum below.
const VALID: Array<[string, string, (value: string) => boolean]> = [
  ['ES DNI', '61946019G', (v) => stdnum.ES.dni.validate(v).isValid],
  ['ES NIE', 'X9125946Y', (v) => stdnum.ES.nie.validate(v).isValid],
  ['IT codice fiscale', 'BACQCR78S22H501D', (v) => stdnum.IT.codicefiscale.validate(v).isValid],
  ['IT codice fiscale, omocodia', 'BACQCR78S22H50MV', (v) => stdnum.IT.codicefiscale.validate(v).isValid],
  ['BR CPF', '348.872.490-55', (v) => stdnum.BR.cpf.validate(v).isValid],
  ['SE personnummer', '871206-3414', (v) => stdnum.SE.personnummer.validate(v).isValid],
  ['SE personnummer, 12 digits', '19611020-1933', (v) => stdnum.SE.personnummer.validate(v).isValid],
  ['FR NIR', '1 87 12 27 781 419 13', (v) => stdnum.FR.nir.validate(v).isValid],
  ['GB NINO', 'JG 10 37 59 A', (v) => stdnum.GB.nino.validate(v).isValid],
  ['CN RIC', '110105198901017870', (v) => stdnum.CN.ric.validate(v).isValid],
  ['NL BSN', '357785563', (v) => stdnum.NL.bsn.validate(v).isValid],
  ['PL PESEL', '62050776061', (v) => stdnum.PL.pesel.validate(v).isValid],
  ['DK CPR', '020575-7241', (v) => stdnum.DK.cpr.validate(v).isValid],
  ['FI HETU', '281151-286A', (v) => stdnum.FI.hetu.validate(v).isValid],
  ['NO fødselsnummer', '18116639498', (v) => stdnum.NO.fodselsnummer.validate(v).isValid],
  ['BE rijksregisternummer', '72.04.25-918.66', (v) => stdnum.BE.nn.validate(v).isValid],
  ['CA SIN', '747 000 362', (v) => stdnum.CA.sin.validate(v).isValid],
  ['IN Aadhaar', '9708 8028 4644', (v) => stdnum.IN.aadhaar.validate(v).isValid],
  ['MX CURP', 'GOMA640816HDFRNL05', (v) => stdnum.MX.curp.validate(v).isValid],
  ['KR RRN', '691206-2854207', (v) => stdnum.KR.rrn.validate(v).isValid],
  ['TR TC Kimlik', '38095792654', (v) => stdnum.TR.tckimlik.validate(v).isValid],
  ['IL teudat zehut', '451925036', (v) => stdnum.IL.idnr.validate(v).isValid],
  ['ZA ID', '8810204421089', (v) => stdnum.ZA.idnr.validate(v).isValid],
  ['DE Steuer-ID', '39259994976', (v) => stdnum.DE.idnr.validate(v).isValid],
  ['PT NIF', '300283490', (v) => stdnum.PT.nif.validate(v).isValid],
  ['PT Cartão de Cidadão', '23241807 8 ZZ5', (v) => stdnum.PT.cc.validate(v).isValid],
  ['AR CUIL', '20-94752722-4', (v) => stdnum.AR.cuit.validate(v).isValid],
  ['CL RUT', '21.179.263-9', (v) => stdnum.CL.rut.validate(v.replace(/[.-]/g, '')).isValid],
  ['RU SNILS', '840-048-616 81', (v) => isValidSnils(v.replace(/\D/g, ''))],
  ['JP My Number', '3388 5268 6759', (v) => isValidMyNumber(v.replace(/\D/g, ''))],
];

describe('test instances', () => {
  it.each(VALID)('%s %s passes its checksum', (_name, value, valid) => {
    expect(valid(value)).toBe(true);
  });

  it('SNILS and My Number checks follow their published rules', () => {
    // 112-233-445 95 is the Pension Fund's own example; its key is 9+8·1+7·2+6·2+5·3+4·3+3·4+2·4+1·5 = 95.
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('11223344596')).toBe(false);
    expect(isValidSnils('00100199800')).toBe(false);
    expect(isValidMyNumber('338852686759')).toBe(true);
    expect(isValidMyNumber('338852686758')).toBe(false);
  });

  it('the identity category holds NATIONAL_ID', () => {
    expect(PATTERN_CATEGORIES.identity).toEqual(['SSN', 'DOB', 'NATIONAL_ID']);
  });
});

describe('national identifiers are masked and restored exactly', () => {
  it.each([
    // Distinctive shapes, with or without a label.
    ['Mi DNI es 61946019G y vivo en Madrid.', '61946019G'],
    ['Nos envió el 61946019G por correo.', '61946019G'],
    ['NIE: x9125946y (tarjeta de residencia)', 'x9125946y'],
    ['Codice fiscale: BACQCR78S22H501D', 'BACQCR78S22H501D'],
    ['{"cliente":"Bianchi","cf":"BACQCR78S22H50MV"}', 'BACQCR78S22H50MV'],
    ['Nome: Ana Souza\nCPF: 348.872.490-55\nCidade: Recife', '348.872.490-55'],
    ['O cliente informou o cpf 34887249055 no chat.', '34887249055'],
    ['N° de sécurité sociale : 1 87 12 27 781 419 13', '1 87 12 27 781 419 13'],
    ['NIR 187122778141913 sur la carte Vitale', '187122778141913'],
    ['National Insurance number: JG 10 37 59 A', 'JG 10 37 59 A'],
    ['Payroll record for JG103759A updated.', 'JG103759A'],
    ['身份证号：110105198901017870', '110105198901017870'],
    ['CURP: GOMA640816HDFRNL05', 'GOMA640816HDFRNL05'],
    ['СНИЛС 840-048-616 81, полис ОМС в порядке', '840-048-616 81'],
    // Digit runs under a label of their own.
    ['Mijn BSN is 357785563.', '357785563'],
    ['{"pesel": "62050776061", "imie": "Anna"}', '62050776061'],
    ['Personnummer: 871206-3414', '871206-3414'],
    ['personnummer 19611020-1933 (sökande)', '19611020-1933'],
    ['CPR-nr.: 020575-7241', '020575-7241'],
    ['Henkilötunnus: 281151-286A', '281151-286A'],
    ['Fødselsnummer: 181166 39498', '181166 39498'],
    ['Rijksregisternummer: 72.04.25-918.66', '72.04.25-918.66'],
    ['Steuer-ID: 39 259 994 976', '39 259 994 976'],
    ['Steueridentifikationsnummer 39259994976', '39259994976'],
    ['SIN: 747 000 362', '747 000 362'],
    ['Aadhaar: 9708 8028 4644', '9708 8028 4644'],
    ['주민등록번호: 691206-2854207', '691206-2854207'],
    ['マイナンバー：3388 5268 6759', '3388 5268 6759'],
    ['TC Kimlik No: 38095792654', '38095792654'],
    ['ת.ז. 451925036', '451925036'],
    ['teudat zehut 451925036', '451925036'],
    ['SA ID: 8810204421089', '8810204421089'],
    ['NIF: 300283490', '300283490'],
    ['Cartão de Cidadão: 23241807 8 ZZ5', '23241807 8 ZZ5'],
    ['CUIL: 20-94752722-4', '20-94752722-4'],
    ['RUT: 21.179.263-9', '21.179.263-9'],
    ['Please verify the national ID 62050776061 before onboarding.', '62050776061'],
    // Forms and tables.
    ['name,national_id,city\nAnna Nowak,62050776061,Kraków\nJan Kowalski,75072847036,Gdańsk', '62050776061'],
    ['naam;bsn;plaats\nJan de Vries;357785563;Utrecht', '357785563'],
    ['| Nome | Codice fiscale |\n| Mario | BACQCR78S22H501D |', 'BACQCR78S22H501D'],
  ])('%s', async (text, secret) => {
    await expectMasked(text, secret, 'NATIONAL_ID');
  });
});

describe('look-alikes stay', () => {
  it.each([
    // The same shapes with a wrong checksum.
    ['Mi DNI es 15110572N.', '15110572N'],
    ['Codice fiscale: FGCZSC84A27H501S', 'FGCZSC84A27H501S'],
    ['CPF: 221.578.052-38', '221.578.052-38'],
    ['BSN: 536648239', '536648239'],
    ['PESEL 75072847034', '75072847034'],
    ['CPR-nr.: 321375-1234', '321375-1234'],
    ['Henkilötunnus: 210382-341M', '210382-341M'],
    ['身份证号：110105198803235060', '110105198803235060'],
    ['CURP: GOMA530122HDFRNL00', 'GOMA530122HDFRNL00'],
    ['СНИЛС 948-803-610 75', '948-803-610 75'],
    ['N° de sécurité sociale : 1 51 11 69 759 985 71', '1 51 11 69 759 985 71'],
    ['SIN: 120 956 986', '120 956 986'],
    ['Aadhaar: 7352 8016 9571', '7352 8016 9571'],
    ['マイナンバー：9814 6227 8485', '9814 6227 8485'],
    ['TC Kimlik No: 51963747973', '51963747973'],
    ['RUT: 15.006.359-9', '15.006.359-9'],
    ['National Insurance number: QQ 12 34 56 C', 'QQ 12 34 56 C'],
    // Valid checksums named as something else: an order, invoice, SKU or reference.
    ['Order no. 61946019G shipped today.', '61946019G'],
    ['Invoice 348.872.490-55 is overdue.', '348.872.490-55'],
    ['SKU BACQCR78S22H501D back in stock', 'BACQCR78S22H501D'],
    ['Bestellnummer: 110105198901017870 (PESEL des Kunden liegt vor)', '110105198901017870'],
    ['order_no,city\nGOMA640816HDFRNL05,Puebla', 'GOMA640816HDFRNL05'],
    // A company's number is no person's: a Portuguese NIF from 5, an employer identification number.
    ['NIF PT 594454506 (Vinhos do Douro, Lda.)', '594454506'],
    ['Employer identification number (EIN) 84-1729360', '84-1729360'],
    // Lower case without a label is text, not a printed identifier.
    ['the code bacqcr78s22h501d in the log', 'bacqcr78s22h501d'],
  ])('%s', async (text, value) => {
    await expectKept(text, value);
  });

  it.each([
    ['We processed 62050776061 events last year.', '62050776061'],
    ['Batch size 357785563 is too large', '357785563'],
    ['Counter: 39259994976', '39259994976'],
    ['{"count": 9708802846 44}', '9708802846'],
    ['Total 38095792654 units moved', '38095792654'],
  ])('a digit run without a label: %s', async (text, value) => {
    await expectKept(text, value);
  });
});

describe('other types keep their spans', () => {
  it('a US SSN stays SSN, an IBAN stays IBAN, a phone stays PHONE', async () => {
    expect(await typesOf('SSN: 536-22-8761')).toEqual(['SSN']);
    expect(await typesOf('SSN (national ID): 536228761')).toEqual(['SSN']);
    expect(await typesOf('IBAN: ES91 2100 0418 4502 0005 1332')).toEqual(['IBAN']);
    expect(await typesOf('Tel 020575-7241')).toEqual(['PHONE']);
  });

  it('a national-ID label governs a span a phone rule reads too', async () => {
    expect(await typesOf('CPR: 0205757241')).toEqual(['NATIONAL_ID']);
  });

  it('the category switches the detector', async () => {
    const contact = new PiiMasker({
      mode: 'pattern',
      vault: new MemoryTokenVault(),
      conversationId: 'national-ids',
      categories: ['contact'],
    });
    expect((await contact.mask('PESEL 62050776061')).masked).toBe('PESEL 62050776061');
    const identity = new PiiMasker({
      mode: 'pattern',
      vault: new MemoryTokenVault(),
      conversationId: 'national-ids',
      categories: ['NATIONAL_ID'],
    });
    expect((await identity.mask('PESEL 62050776061')).masked).toBe('PESEL [NATIONAL_ID:001]');
  });
});
