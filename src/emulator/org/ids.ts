/**
 * Salesforce record IDs: 3-char key prefix, 2-char pod (`EM`), reserved `0`, 9-char base-62 counter,
 * plus the 3-char case checksum that makes the 18-character form case-insensitive (wire doc §2.10).
 */
import { ID_SUFFIX_ALPHABET as SUFFIX_ALPHABET, idSuffix } from '../../schemas/salesforce-id.ts';
import { ApiError } from './model.ts';

export const POD = 'EM';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$/;

/** The 3-character suffix for a 15-character ID. */
export const checksumSuffix = idSuffix;

/**
 * The canonical 18-character form of a 15- or 18-character ID, or undefined when malformed.
 * An 18-character ID may arrive in any letter case: its suffix restores the original case.
 */
export function canonicalId(id: string): string | undefined {
  if (!ID_SHAPE.test(id)) return undefined;
  if (id.length === 15) return id + checksumSuffix(id);
  const suffix = id.slice(15).toUpperCase();
  let base = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk] ?? '');
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id[chunk * 5 + i] ?? '';
      base += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  // A digit where the suffix claims an upper-case letter means the ID was not produced by this algorithm.
  return checksumSuffix(base) === suffix ? base + suffix : undefined;
}

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && canonicalId(id) !== undefined;
}

/** Case-insensitive comparison of two IDs of either length. */
export function idsEqual(a: string, b: string): boolean {
  const ca = canonicalId(a);
  return ca !== undefined && ca === canonicalId(b);
}

/** 18-character form, or `MALFORMED_ID` (400) worded as Salesforce does: `Account ID: id value of incorrect type: x`. */
export function normalizeId(id: string, objectName: string, field = 'Id'): string {
  const canonical = canonicalId(id);
  if (canonical === undefined) throw malformedId(id, objectName, field);
  return canonical;
}

export function malformedId(id: string, objectName: string, field = 'Id'): ApiError {
  const label = field === 'Id' ? `${objectName} ID` : field;
  return new ApiError(400, 'MALFORMED_ID', `${label}: id value of incorrect type: ${id}`, [field]);
}

export function toBase62(n: number, width: number): string {
  let out = '';
  let rest = Math.floor(n);
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** Builds the 18-character ID for the n-th record of a key prefix. */
export function makeId(keyPrefix: string, n: number): string {
  const id15 = `${keyPrefix}${POD}0${toBase62(n, 9)}`;
  return id15 + checksumSuffix(id15);
}

/** Monotonic per-prefix counters; IDs are deterministic for a given insertion order. */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  next(keyPrefix: string): string {
    const n = (this.counters.get(keyPrefix) ?? 0) + 1;
    this.counters.set(keyPrefix, n);
    return makeId(keyPrefix, n);
  }

  /** Marks the first n IDs of a prefix as used (records created outside the generator). */
  reserve(keyPrefix: string, n: number): void {
    this.counters.set(keyPrefix, Math.max(n, this.counters.get(keyPrefix) ?? 0));
  }
}

/** Key prefixes for org-specific objects: a01, a02, ... (custom), e00, e01, ... (events), m00 ... (custom metadata). */
export function sequentialPrefix(letter: string, index: number, first: number): string {
  return letter + toBase62(index + first, 2);
}
