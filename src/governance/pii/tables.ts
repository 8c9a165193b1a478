/**
 * Tables that carry a column's meaning in a header the value is far from, beyond the delimited tables of
 * `columnCells` (scan.ts): text aligned with spaces (fixed-width exports, pasted reports) and SQL `INSERT … VALUES`
 * rows. Each returns the `[start, end)` of the cells under a column whose name matches `key`.
 */

const ALIGNED_GAP = / {2,}|\t/;

/**
 * A header line whose columns are laid out with runs of spaces (`Name      Date of birth   Nationality`): the cells
 * of the rows below that start at the matching column's offset, up to the next run of two spaces (or one space, when
 * the longer cell is not what `accept` wants). Stops at a blank line or a row too short to reach the column.
 */
export function alignedColumnCells(
  text: string,
  key: RegExp,
  accept: (value: string) => boolean,
): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  let columns: number[] = [];
  for (let lineStart = 0; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (line.trim() === '') columns = [];
    else if (columns.length > 0) {
      for (const at of columns) {
        const cell = cellAt(line, at, accept);
        if (cell) found.push([lineStart + cell[0], lineStart + cell[1]]);
      }
    } else if (ALIGNED_GAP.test(line.trim()) && !/\d{3}/.test(line)) columns = headerColumns(line, key);
    lineStart = lineEnd + 1;
  }
  return found;
}

/** Offsets of the header's column names (runs separated by two spaces or a tab) that match `key`. */
function headerColumns(line: string, key: RegExp): number[] {
  const out: number[] = [];
  const names = /\S+(?: \S+)*/g;
  for (const m of line.matchAll(names)) {
    const words = m[0].split(' ');
    // A single-spaced header (`TYP LAST   FIRST BIRTH SX`) names a column per word; try the run and its words.
    if (m[0].length <= 40 && key.test(m[0]) && words.length <= 4) out.push(m.index);
    else {
      let offset = m.index;
      for (const word of words) {
        if (key.test(word)) out.push(offset);
        offset += word.length + 1;
      }
    }
  }
  return out;
}

function cellAt(line: string, at: number, accept: (value: string) => boolean): [number, number] | null {
  if (at >= line.length) return null;
  let start = at;
  // A value may start a character or two before its header (right-aligned numbers, ragged exports).
  while (start > 0 && start > at - 2 && line[start - 1] !== ' ') start--;
  if (line[start] === ' ' || (start > 0 && line[start - 1] !== ' ' && line[start - 1] !== '\t')) return null;
  const rest = line.slice(start);
  const wide = rest.split(ALIGNED_GAP)[0] ?? '';
  if (wide !== '' && accept(wide)) return [start, start + wide.length];
  const narrow = rest.split(/[ \t]/)[0] ?? '';
  if (narrow !== '' && narrow !== wide && accept(narrow)) return [start, start + narrow.length];
  return null;
}

const INSERT_COLUMNS = /\(([^()\n]{1,600})\)\s*VALUES\s*/gi;

/**
 * SQL `INSERT INTO t (mrn, full_name, dob) VALUES ('1', 'A', '1964-08-17'), (…)`: the values under a matching column
 * in every row of the statement. Quoted values with doubled quotes are read; anything unreadable ends the statement.
 */
export function sqlValueCells(text: string, key: RegExp): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  INSERT_COLUMNS.lastIndex = 0;
  for (const m of text.matchAll(INSERT_COLUMNS)) {
    const names = (m[1] as string).split(',').map((name) => name.trim().replace(/^[`"[]|[`"\]]$/g, ''));
    const wanted = names.flatMap((name, index) => (name.length <= 40 && key.test(name) ? [index] : []));
    if (wanted.length === 0) continue;
    let at = (m.index ?? 0) + m[0].length;
    while (text[at] === '(') {
      const row = readRow(text, at + 1);
      if (row === null) break;
      if (row.cells.length === names.length)
        for (const index of wanted) found.push(row.cells[index] as [number, number]);
      at = row.end;
      const next = /^\s*,\s*/.exec(text.slice(at, at + 40));
      if (!next) break;
      at += next[0].length;
    }
  }
  return found;
}

/** One parenthesised row from `from` (just after `(`): its cells without quotes, and the offset after `)`. */
function readRow(text: string, from: number): { cells: Array<[number, number]>; end: number } | null {
  const cells: Array<[number, number]> = [];
  let i = from;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++;
    if (text[i] === "'") {
      const start = i + 1;
      i = start;
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
      if (i >= text.length) return null;
      cells.push([start, i]);
      i++;
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',' && text[i] !== ')' && text[i] !== '\n') i++;
      cells.push([start, i - (text.slice(start, i).length - text.slice(start, i).trimEnd().length)]);
    }
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] === ')') return { cells, end: i + 1 };
    else return null;
    if (i - from > 4000) return null;
  }
}
