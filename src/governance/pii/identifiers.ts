import { columnCells, textBefore, textFacts } from './scan.ts';

/**
 * Identifier labels: a number right after `SKU`, `PN`, `part no.`, `Art.-Nr.`, `NDC`, `order`, `invoice`, `ticket`,
 * `tracking`, `reference`, `return authorization`, `OCR-nummer`, `lot`, `batch`, `serial`, `S/N`, `EAN`, `UPC`, `JAN`,
 * `GTIN`, `ISBN` (or under such a column header in a table) names a product, a shipment or a document, whatever its
 * shape: it is not a card, a phone number or an SSN. The same labels in the other languages the masker reads.
 */

const L = 'A-Za-zÀ-ɏ';
// Words that name an identifier (case-insensitive); German, Dutch and Swedish compounds end in a number word.
const ID_WORD = [
  'sku',
  'p/n',
  's/n',
  'mpn',
  'parts?',
  'items?',
  'articles?',
  'art',
  'artikel',
  'ndc',
  'orders?',
  'invoices?',
  'tickets?',
  'tracking',
  'references?',
  'ref',
  'rma',
  'returns?[\\s-]*authori[sz]ation',
  'ocr',
  'lots?',
  'batch(?:es)?',
  'serials?',
  'ean(?:-?(?:8|13|14))?',
  'upc(?:-?[ae])?',
  'gtin(?:-?(?:8|12|13|14))?',
  'isbn(?:-?1[03])?',
  'issn',
  'asin',
  'models?',
  'catalog(?:ue)?',
  'barcode',
  'waybill',
  'resi',
  'awb',
  'shipment',
  'consignment',
  'parcel',
  'confirmation',
  'booking',
  'reservation',
  'receipt',
  'voucher',
  'coupon',
  'bestell(?:ung)?',
  'auftrags?',
  'rechnungs?',
  'sendungs?',
  'serien',
  'teile',
  'beleg',
  'lieferschein',
  'referenz',
  'commande',
  'facture',
  's[ée]rie',
  'suivi',
  'colis',
  'r[ée]f[ée]rence',
  'r[ée]f',
  'pedido',
  'factura',
  'lote',
  'seguimiento',
  'referencia',
  'art[íi]culo',
  'ordine',
  'fattura',
  'lotto',
  'matricola',
  'articolo',
  'riferimento',
  'bestel',
  'factuur',
  'referentie',
  'faktura',
  'referens',
  'best[äa]llning(?:s)?',
  'ordernummer',
  'bestilling(?:s)?',
  'tilaus',
  'zam[óo]wieni[ae]',
  'encomenda',
  'sipari[şs]',
].join('|');
// Compound stems that count only with their number word: `Chargennummer`, `Charge-Nr.` (a bare "charge" is a verb), `Prüfnummer`.
// `control number` is the W-2 form's box d, an employer's document number.
const ID_STEM = 'chargen?|kunden|los|pr[üu]f(?:ungs)?|kontos?|control';
const NUMBER_WORD = 'no|nr|n[º°o]|numbers?|num|nummer|num[ée]ro|n[úu]mero|numer|#|id|code|nbr|key';
// At least one space, colon, quote or full stop between: a label glued to its digits is part of one token.
// A linking verb may stand between the label and its value: "the order number is …", "Ihre Sendungsnummer lautet …".
const LABEL_END = `(?=[\\s.:#="'])\\.?["']?\\s*(?:[:#=]\\s*)?["']?\\s*(?:(?:is|was|are|lautet|ist|war|est|es|era|[èé]|är|var|er|jest|wynosi)\\s*:?\\s*)?$`;
const ID_LABEL = new RegExp(
  `(?:(?<![${L}])(?:${ID_WORD})(?:[\\s._-]*(?:${NUMBER_WORD}))?|(?<![${L}])(?:${ID_STEM})[\\s._-]*(?:${NUMBER_WORD})` +
    `|(?<![${L}])(?:${NUMBER_WORD})\\.?\\s*(?:de|del|do|da|di|d'|of|du)?\\s*(?:${ID_WORD}))${LABEL_END}`,
  'i',
);
// Short capitalised acronyms that are ordinary words or names in lower case ("Jan", Polish "pn", "po"): `JAN`, `PN`,
// `SN`, `PO` (purchase order).
const ID_ACRONYM = new RegExp(`(?<![${L}])(?:JAN|PN|SN|PO)(?:[\\s._-]*(?:No|Nr|NO|NR|#|code|Code))?${LABEL_END}`);

// Identifier labels in Chinese, Japanese and Korean, which may stand glued to their value (`订单号4001…`).
// Product, serial, receipt and bank-routing labels too: `品番`, `型番`, `シリアル`, `レシート番号`, `시리얼 번호`,
// `제품 코드`, `联行号`, `序列号`.
const CJK_ID_LABEL =
  /(?:订单|訂單|单号|單號|运单|運單|快递单|快遞單|物流单|物流單|注文|追跡|伝票|주문|송장|운송장|品番|型番|製品|シリアル|レシート|序列|型号|型號|联行|聯行|产品|產品|시리얼|일련|제품|모델|영수증)(?:\s?(?:编号|編號|号码|號碼|号|號|番号|番號|번호|코드|ナンバー|No\.?))?\s*[:：#]?\s*$/;
// Arabic labels of a company's registration and tax numbers, an invoice and an order: `رقم السجل التجاري`,
// `الرقم الضريبي`, `رقم الفاتورة`, `رقم الطلب`.
const ARABIC_ID_LABEL = /(?:السجل\s+التجاري|الرقم\s+الضريبي|رقم\s+الفاتورة|رقم\s+الطلب)\s*[:：]?\s*$/;

// A tracking label with the carrier's name between it and the number: `Resi JNE …`, `Resi SiCepat …`, `tracking UPS …`,
// `AWB DHL …`. The carrier is one capitalised word or code.
const CARRIER_LABEL =
  /(?<![A-Za-z])(?:[Rr]esi|RESI|[Tt]racking|TRACKING|AWB|[Ww]aybill|[Ss]endung(?:snummer)?|[Ss]uivi)\s+[A-Z][A-Za-z&]{1,9}\s*[:#]?\s*$/;

/** True when an identifier label stands right before `index` (nothing but its colon, quotes or spaces between). */
export function idLabelBefore(text: string, index: number): boolean {
  const before = textBefore(text, index, 40);
  // The acronyms are capitals, the CJK and Arabic labels are not ASCII: a text without such characters skips them.
  const { capitals, nonAscii } = textFacts(text);
  return (
    ID_LABEL.test(before) ||
    (capitals && (ID_ACRONYM.test(before) || CARRIER_LABEL.test(before))) ||
    (nonAscii && (CJK_ID_LABEL.test(before.slice(-16)) || ARABIC_ID_LABEL.test(before)))
  );
}

/** An identifier column header, in CSV/TSV/pipe text or in a table aligned with spaces. */
const ID_HEADER = new RegExp(
  `(?<![${L}])(?:${ID_WORD}|part\\s*no)(?![${L}])|(?<![${L}])(?:${ID_WORD}|${ID_STEM})[\\s.-]*(?:${NUMBER_WORD})(?![${L}])`,
  'i',
);
const ID_HEADER_ACRONYM = /(?<![A-Za-z])(?:JAN|PN|SN)(?![A-Za-z])/;
// Telecom records name network elements and devices: the radio cell (`cell_id`, `CGI`, `ECI`), `IMEI`, `IMSI`.
const TELECOM_HEADER = /^(?:cell[\s_-]?id|cgi|ecgi|eci|lac|imei|imsi)(?:[\s_-]?hash)?$/i;
/** A column header naming a network element or a device, not a subscriber's number. */
export const telecomHeader = (name: string): boolean => TELECOM_HEADER.test(name.trim());
const ID_HEADER_KEY = {
  test: (name: string): boolean => ID_HEADER.test(name) || ID_HEADER_ACRONYM.test(name) || telecomHeader(name),
};

let cache: { text: string; spans: Array<[number, number]> } | undefined;

/** True when `[start, end)` is the value of a table cell under an identifier column header. */
export function underIdColumn(text: string, start: number, end: number): boolean {
  if (!text.includes('\n')) return false;
  if (cache?.text !== text) cache = { text, spans: idColumnSpans(text) };
  const spans = cache.spans;
  // Binary search for the last span starting at or before `start`.
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as [number, number])[0] <= start) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return false;
  const [cellStart, cellEnd] = spans[found] as [number, number];
  // The value is the cell (give or take punctuation): a line of prose that happens to sit under the column is not.
  return cellEnd >= end && !/[\p{L}\p{N}]/u.test(text.slice(cellStart, start) + text.slice(end, cellEnd));
}

/** Cells of every identifier column, delimited or aligned with spaces, sorted by start. */
function idColumnSpans(text: string): Array<[number, number]> {
  const spans = [...columnCells(text, ID_HEADER_KEY), ...alignedCells(text)];
  return spans.sort((a, b) => a[0] - b[0]);
}

const CELL_GAP = /\S+(?: \S+)*/g;

/** `[start, end)` of each cell of a line whose cells are separated by two or more spaces (or a tab). */
function alignedCellsOf(line: string): Array<[number, number]> {
  const cells: Array<[number, number]> = [];
  const spaced = line.replace(/\t/g, ' ');
  CELL_GAP.lastIndex = 0;
  for (let m = CELL_GAP.exec(spaced); m !== null; m = CELL_GAP.exec(spaced))
    cells.push([m.index, m.index + m[0].length]);
  return cells;
}

/**
 * A table aligned with spaces: a header line of two or more cells (no three-digit run in it) and the lines under it
 * up to a blank line. A cell under a header cell it overlaps, named as an identifier, is an identifier.
 */
function alignedCells(text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let header: Array<[number, number, boolean]> | undefined;
  for (let lineStart = 0; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() === '') header = undefined;
    else if (header === undefined) {
      const cells = alignedCellsOf(line);
      // Header cells are names of a few words, not sentences set apart by two spaces.
      const names = cells.every(([a, b]) => b - a <= 32 && !/(?:\S+ ){4}/.test(line.slice(a, b)));
      if (cells.length >= 2 && names && !/\d{3}/.test(line) && /\S {2,}\S|\t/.test(line)) {
        header = cells.map(([a, b]) => [a, b, ID_HEADER_KEY.test(line.slice(a, b))]);
        if (!header.some(([, , id]) => id)) header = undefined;
      }
    } else {
      // A row is two or more cells too: a line of prose under the header is no row of the table.
      const cells = alignedCellsOf(line);
      for (const [a, b] of cells.length >= 2 ? cells : []) {
        if (header.some(([ha, hb, id]) => id && a < hb && ha < b && a >= ha - 2))
          found.push([lineStart + a, lineStart + b]);
      }
    }
    lineStart = lineEnd + 1;
  }
  return found;
}
