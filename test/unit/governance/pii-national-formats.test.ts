import { describe, it } from 'vitest';
import { expectKept, expectMasked } from '../../support/pii-expect.ts';

/** National phone formats, PNR contact elements, spaced cards, identifier labels and infrastructure addresses. */

describe('national phone formats as locals write them', () => {
  it.each([
    ['Privat: 089 / 2143 5567', '089 / 2143 5567'],
    ['Sie erreichen mich unter 0221 987-6543.', '0221 987-6543'],
    ['Büro 0621 455-1290, Mo–Fr', '0621 455-1290'],
    ['办公室座机：0755-8612 3344', '0755-8612 3344'],
    ['Ring mig på 073-456 78 90 i morgon.', '073-456 78 90'],
    ['{"fijo":"93 412 56 78"}', '93 412 56 78'],
    ['Festnetz: 7788 1234', '7788 1234'],
    ['मोबाइल: 91234 56780', '91234 56780'],
    ['Kontakti: tālr. 26 543 210', '26 543 210'],
    ['Sími: 562 4411', '562 4411'],
    ['escribime por wasap al (0351) 15-512-3344', '(0351) 15-512-3344'],
    ['HP: 9123 4567 (after 6pm)', '9123 4567'],
    ['my SG no. is 8765 4321', '8765 4321'],
    ['Tél. 04/221.33.44 en semaine', '04/221.33.44'],
    ['Contact : 0476/55.66.77', '0476/55.66.77'],
    ['Bookings: call 13 14 50 any time', '13 14 50'],
    ['Enquiries 1800 224 136 (free call)', '1800 224 136'],
    ['Reply HELP to 61234 for help.', '61234'],
    ['Hringdu í 823-4567 eftir kl. 5', '823-4567'],
    ['Zvaniet: 63 456 789', '63 456 789'],
    ['Arjun Mehta, 70123 45678, Bengaluru', '70123 45678'],
    ['Contact: 6789 0123', '6789 0123'],
    ['Text "JOIN" to 88123 to subscribe', '88123'],
    ['تلفن: ۰۹۳۵ ۲۲۲ ۴۴۵۵', '۰۹۳۵ ۲۲۲ ۴۴۵۵'],
    ['هاتف: ٠٥٥ ١٢٣ ٤٥٦٧', '٠٥٥ ١٢٣ ٤٥٦٧'],
    ['Тел. 456-78-90', '456-78-90'],
  ])('%j', async (text, secret) => {
    await expectMasked(text, secret, 'PHONE');
  });

  it.each([
    ['Version 2024 / 1203 released', '2024 / 1203'],
    ['Reply now to 2024 survey', '2024'],
    ['the reply was sent to 12345 users', '12345'],
    ['Population: 13 22 21 counted', '13 22 21'],
    ['Bestellnummer 0711 124-3381', '0711 124-3381'],
    ['Kontonummer 0221 987-6543', '0221 987-6543'],
    ['Build 0361 554-2210 passed', '0361 554-2210'],
    ['Tel: 1999 2003 2017 (the years we moved)', '1999 2003 2017'],
    ['Tel. 08.30-16.30 (Mo-Fr)', '08.30-16.30'],
    ['HP: 12 500 000 IDR', '12 500 000'],
    ['the index rose by 70123 45678 points', '70123 45678'],
  ])('keeps %j', async (text, value) => {
    await expectKept(text, value);
  });
});

describe('airline PNR contact elements', () => {
  it('masks the mobile of an SSR CTCM element', async () => {
    await expectMasked('SSR CTCM AF HK1/33612345678/FR', '33612345678', 'PHONE');
  });
  it('masks the mobile of an OSI line and of a cryptic SRCTCM entry', async () => {
    await expectMasked('OSI AF CTCM 33698765432 PAX DUPONT', '33698765432', 'PHONE');
    await expectMasked('SRCTCM-HK1/491701234567', '491701234567', 'PHONE');
  });
  it('masks the address of an SSR CTCE element written with // for @', async () => {
    await expectMasked('SSR CTCE KL HK1/J..DE./VRIES//EXAMPLE.NL', 'J..DE./VRIES//EXAMPLE.NL', 'EMAIL');
  });
});

describe('cards typed digit by digit', () => {
  it('masks a card with every digit spaced and card context', async () => {
    await expectMasked(
      'Card: 5 4 2 5  2 3 3 4  3 0 1 0  9 9 0 3 exp 11/28',
      '5 4 2 5  2 3 3 4  3 0 1 0  9 9 0 3',
      'CREDIT_CARD',
    );
  });
  it('keeps spaced digits without card context', async () => {
    await expectKept('Seq 5 4 2 5 2 3 3 4 3 0 1 0 9 9 0 3 done', '5 4 2 5 2 3 3 4 3 0 1 0 9 9 0 3');
  });
});

describe('identifier labels before card-shaped numbers', () => {
  it.each([
    ['Your order number is 4012888888881881, thanks!', '4012888888881881'],
    ['Ihre Auftragsnummer lautet 5555555555554444.', '5555555555554444'],
    ['Tack för din beställning 4012888888881881!', '4012888888881881'],
    ['快递单号：5555555555554444', '5555555555554444'],
  ])('%j', async (text, value) => {
    await expectKept(text, value);
  });
});

describe('infrastructure addresses', () => {
  it.each([
    ['server listening on 127.0.0.53:53', '127.0.0.53'],
    ['bind [0:0:0:0:0:0:0:1]:9090', '0:0:0:0:0:0:0:1'],
    ['[iface]\naddress = 10.2.0.15\ngateway = 10.2.0.254', '10.2.0.254'],
    ['nameserver 9.9.9.9', '9.9.9.9'],
    ['{"dns": ["8.8.4.4", "1.0.0.1"]}', '1.0.0.1'],
    ['   Default Gateway . . . . . . : 172.20.0.1', '172.20.0.1'],
    ['default via 172.31.0.1 dev ens5', '172.31.0.1'],
    ['option domain-name-servers 9.9.9.9, 149.112.112.112;', '149.112.112.112'],
    ['Rolled out the router firmware upgrade from 12.3.1.7 to 12.3.2.0; hosts reboot tonight.', '12.3.1.7'],
  ])('keeps %j', async (text, value) => {
    await expectKept(text, value);
  });
  it('masks a client address in the same config', async () => {
    await expectMasked('[iface]\naddress = 10.2.0.15\ngateway = 10.2.0.254', '10.2.0.15', 'IP_ADDRESS');
  });
});

describe('numbers spoken digit by digit in call transcripts', () => {
  it.each([
    [
      'AGENT: Which card will you use?\nCALLER: five four two five, two three three four, three oh one oh, nine nine oh three.',
      'five four two five, two three three four, three oh one oh, nine nine oh three',
      'CREDIT_CARD',
    ],
    [
      'AGENT: Best callback number?\nCALLER: Oh, sure: oh-two-oh, seven nine four six, oh double-nine one.',
      'oh-two-oh, seven nine four six, oh double-nine one',
      'PHONE',
    ],
    [
      'AGENT: Can you confirm the last digits of your social?\nCALLER: yes, two one eight, forty-four, six triple-seven.',
      'two one eight, forty-four, six triple-seven',
      'SSN',
    ],
    [
      'AGENT: a number for the courier?\nCALLER: one eight hundred, four four four, o seven niner two',
      'one eight hundred, four four four, o seven niner two',
      'PHONE',
    ],
    [
      'CALLER: three one two dash four four eight dash nine oh one six — that is the mobile',
      'three one two dash four four eight dash nine oh one six',
      'PHONE',
    ],
  ])('%j', async (text, secret, type) => {
    await expectMasked(text, secret, type);
  });

  it.each([
    ['CALLER: five four two five, two three three four, three oh one oh, nine nine oh three.', 'five four two five'],
    ['Oh, one of them said two or three times.', 'Oh, one of them'],
  ])('keeps %j without a word for the number', async (text, value) => {
    await expectKept(text, value);
  });
});

describe('edges of a phone number', () => {
  it.each([
    ['Service-Hotline 0800 330 1000 (kostenlos)', '0800 330 1000'],
    ['Reservations: phone 13 10 08 (24 hrs)', '13 10 08'],
    ['reply stop to 60606 to opt out', '60606'],
  ])('%j', async (text, secret) => {
    await expectMasked(text, secret, 'PHONE');
  });

  it.each([
    ['Budget: 1800 224 136 AUD for the year', '1800 224 136'],
    ['Total € 0711 124 3381', '0711 124 3381'],
  ])('keeps the amount %j', async (text, value) => {
    await expectKept(text, value);
  });
});

describe('phone numbers with letters for digits, or cut by a line break, after a phone word', () => {
  it.each([
    ['Cell: (802) 555-HOME, evenings only', '(802) 555-HOME'],
    ['Text the shop at 206-555-BIKE for pickups', '206-555-BIKE'],
    ['Fax cover\nReturn fax: (336) 555-O19l', '(336) 555-O19l'],
    ['Recapito telefonico: 02 87\n65 4321 (ufficio)', '02 87\n65 4321'],
    ['Please call him at (503) 555-\n0177 after lunch.', '(503) 555-\n0177'],
    ['Tel.: +33 1 42\n68 53 00', '+33 1 42\n68 53 00'],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'PHONE');
  });

  it('keeps codes with letters and wrapped numbers without a phone word', async () => {
    await expectKept('Part 555-ABCD-0112 ships with model 206-555-BIKE', '206-555-BIKE');
    await expectKept('Totals: 02 87\n65 4321 units', '02 87\n65 4321');
    await expectKept('Call me about case 206-555-BOLT, not my number', '206-555-BOLT');
  });
});

describe('numbers read out digit by digit in Spanish, Portuguese, Italian, French and German', () => {
  it.each([
    [
      'Mi móvil es seis, cinco, cuatro, tres, dos, uno, ocho, siete, nueve.',
      'seis, cinco, cuatro, tres, dos, uno, ocho, siete, nueve',
    ],
    [
      'O meu telefone é nove um dois, três quatro cinco, seis sete oito.',
      'nove um dois, três quatro cinco, seis sete oito',
    ],
    [
      'Il mio cellulare: tre tre otto, uno due tre, quattro cinque sei sette.',
      'tre tre otto, uno due tre, quattro cinque sei sette',
    ],
    [
      'Mon numéro : zéro sept, trente-deux, quinze, quarante-huit, zéro neuf.',
      'zéro sept, trente-deux, quinze, quarante-huit, zéro neuf',
    ],
    [
      'Rückruf unter null sechs neun, eins zwei drei, vier fünf sechs sieben.',
      'null sechs neun, eins zwei drei, vier fünf sechs sieben',
    ],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'PHONE');
  });

  it('keeps counted words without a phone word', async () => {
    await expectKept('Tengo dos perros, tres gatos, cuatro peces, cinco pájaros, seis, siete y ocho.', 'dos perros');
    await expectKept('un deux trois quatre cinq six sept, on compte ensemble', 'un deux trois');
  });
});

describe("an organisation's switchboard, general line or poison-control centre", () => {
  it.each([
    ['Telefonzentrale: 089 2180 4400', '089 2180 4400'],
    ['Tel. +49 89 4521 7700 (Zentrale)', '+49 89 4521 7700'],
    ['Telefon 0351 4862-0, Telefax 0351 4862-99', '0351 4862-0'],
    ['Fax des Finanzamts: 0821 506-2222', '0821 506-2222'],
    ['Giftnotruf: 0551 19240 (rund um die Uhr)', '0551 19240'],
    ['Frågor besvaras via växeln 031-786 40 00.', '031-786 40 00'],
    ['Ring sentralbordet på +47 22 24 90 90', '+47 22 24 90 90'],
    ['代表電話 06-6123-4567（平日のみ）', '06-6123-4567'],
    ['总机：010-6512 3456', '010-6512 3456'],
    ['Bereikbaar via het algemene nummer 030 256 7788.', '030 256 7788'],
    ['Llame a la línea general: +34 915 123 456', '+34 915 123 456'],
    ['Per informazioni: centralino 02 8846 1234', '02 8846 1234'],
    ['Poison control: 415-555-0190', '415-555-0190'],
    ['Benefit questions: 1-866-555-0143 (TTY 711)', '1-866-555-0143'],
  ])('keeps %j', async (text, value) => {
    await expectKept(text, value);
  });

  it("still masks a person's direct line beside them", async () => {
    await expectMasked(
      'Zentrale 0351 4862-0, Ihre Ansprechpartnerin Frau Keller: 0351 4862-317',
      '0351 4862-317',
      'PHONE',
    );
    await expectMasked('Call me directly on +44 20 7946 0321, not the switchboard.', '+44 20 7946 0321', 'PHONE');
  });
});

describe('birth labels in Swahili, Tagalog and Spanish birthday talk', () => {
  it.each([
    ['Jina: Amani Otieno; Tarehe ya kuzaliwa: 03/09/1988; Simu: —', '03/09/1988'],
    ['Pangalan: Jose Cruz, petsa ng kapanganakan: Hunyo 7, 1990', 'Hunyo 7, 1990'],
    ['jaja sí, cumplo años el 22/08/1996 y nadie se acuerda', '22/08/1996'],
  ])('%s', async (text, value) => {
    await expectMasked(text, value, 'DOB');
  });
});

describe('phones named by a Polish calling phrase or an X12 communication qualifier', () => {
  it.each([
    ['Proszę o kontakt pod numerem 601 442 918.', '601 442 918'],
    ['W razie czego proszę pisać pod numer 729 301 556', '729 301 556'],
    ['NM1*QC*1*DOE*JANE~PER*IC*DOE*TE*6175550142~REF*SY*X', '6175550142'],
    ['PER*IC**CP*4155550179*EM*JDOE~', '4155550179'],
  ])('masks %j', async (text, value) => {
    await expectMasked(text, value, 'PHONE');
  });

  it('keeps a general number named in parentheses before its colon', async () => {
    await expectKept('Helpdesk (algemeen nummer): 030 256 7788.', '030 256 7788');
  });
});
