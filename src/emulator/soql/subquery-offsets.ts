/** Offsets of every `(SELECT` in textual order, ignoring string literals. Subqueries are compiled in this order. */
export function subqueryOffsets(soql: string): number[] {
  const blanked = soql.replace(/'(?:[^'\\]|\\.)*'/g, (m) => ' '.repeat(m.length));
  const out: number[] = [];
  const re = /\(\s*select\b/gi;
  for (let m = re.exec(blanked); m; m = re.exec(blanked)) out.push(m.index + 1);
  return out;
}
