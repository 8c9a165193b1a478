/**
 * Line bounds read within a reach, for the trust layers' per-hit checks: each hit costs the same however long the
 * text, where an unbounded `lastIndexOf('\n')` would rescan it for every hit.
 */

/** The start of the line holding `index` if it begins within `reach` characters before it, else -1. */
export function lineStartWithin(text: string, index: number, reach: number): number {
  for (let i = index - 1; i >= Math.max(0, index - reach); i--) if (text.charCodeAt(i) === 10) return i + 1;
  return index <= reach ? 0 : -1;
}

/** The end (the newline) of the line holding `index`, looked for within `reach` characters; else where the reach ends. */
export function lineEndWithin(text: string, index: number, reach: number): number {
  const ceiling = Math.min(text.length, index + reach);
  for (let i = index; i < ceiling; i++) if (text.charCodeAt(i) === 10) return i;
  return ceiling;
}
