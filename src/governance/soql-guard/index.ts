import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query } from '@jetstreamapp/soql-parser-js';
import { LRUCache } from 'lru-cache';
import type { DescribeIndex } from '../describe.ts';
import { flattenDeepParens } from './deep-parens.ts';
import { applyRowCap } from './row-cap.ts';
import { SoqlWalker } from './walker.ts';

export { buildSchemaPrompt } from './schema-prompt.ts';
export { baselineRegexCheck, baselineInputs } from './baseline.ts';

/** The guard's decision for one query. `query` (the row-capped text to run) is present only when allowed. */
export interface SoqlVerdict {
  allowed: boolean;
  violations: string[];
  query?: string;
  /** Canonical names of every object the query touches. */
  objects: string[];
  /** Canonical field paths from the FROM object, e.g. `Loan_Application__c.Applicant__r.Name`. */
  fieldPaths: string[];
  /**
   * Each field's place in a result record (`Applicant__r.Email__c`, child rows as `Contacts.Email`) with the
   * `Object.Field` it comes from (several for a polymorphic lookup): what schema-mode masking classifies by.
   */
  resultFields: Array<{ path: string; sources: string[] }>;
}

export interface SoqlCheckOptions {
  /** Maximum rows per (sub)query; LIMIT is added or lowered to it. Default 200. */
  rowCap?: number;
}

export const DEFAULT_ROW_CAP = 200;
/** Salesforce's own limit on SOQL statement length; longer text is refused before parsing. */
export const MAX_SOQL_LENGTH = 100_000;
const MAX_ROW_CAP = 50_000;

type Parsed = { ok: true; ast: Query } | { ok: false; error: string };

/** How many parses and verdicts (per describe index) each cache keeps; the least recently used go first. */
const CACHE_ENTRIES = 5_000;

const parseCache = new LRUCache<string, Parsed>({ max: CACHE_ENTRIES });
// Verdicts depend on the describe index, which is immutable, so they are cached per index instance.
let verdictCache = new WeakMap<DescribeIndex, LRUCache<string, SoqlVerdict>>();

/** Empties the parse and verdict caches, so benchmarks can measure the cold path. */
export function resetSoqlGuardCaches(): void {
  parseCache.clear();
  verdictCache = new WeakMap();
}

/** How many entries the caches hold now (each is bounded by its entry count): the parses, and the verdicts for `index`. */
export function soqlGuardCacheSizes(index: DescribeIndex): { parses: number; verdicts: number } {
  return { parses: parseCache.size, verdicts: verdictCache.get(index)?.size ?? 0 };
}

/**
 * Checks one SOQL query against the user's describe allow-list. Never throws: any internal error is a refusal.
 */
export function checkSoql(soql: string, index: DescribeIndex, options: SoqlCheckOptions = {}): SoqlVerdict {
  const rowCap = options.rowCap ?? DEFAULT_ROW_CAP;
  try {
    if (!Number.isInteger(rowCap) || rowCap < 1 || rowCap > MAX_ROW_CAP) {
      return refused(`row cap must be an integer between 1 and ${MAX_ROW_CAP}, got ${String(rowCap)}`);
    }
    if (typeof soql !== 'string') return refused('query must be a string');
    let cache = verdictCache.get(index);
    if (!cache) {
      cache = new LRUCache<string, SoqlVerdict>({ max: CACHE_ENTRIES });
      verdictCache.set(index, cache);
    }
    const cacheKey = `${rowCap}\u0000${soql}`;
    const cached = cache.get(cacheKey);
    if (cached) return copy(cached);
    const verdict = evaluate(soql, index, rowCap);
    cache.set(cacheKey, verdict);
    return copy(verdict);
  } catch (error) {
    return refused(`internal error in the SOQL guard: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function evaluate(soql: string, index: DescribeIndex, rowCap: number): SoqlVerdict {
  if (soql.trim() === '') return refused('empty query');
  if (soql.length > MAX_SOQL_LENGTH) return refused(`query is longer than ${MAX_SOQL_LENGTH} characters`);
  const parsed = parse(soql);
  if (!parsed.ok) return refused(`query does not parse as a single SOQL SELECT statement: ${parsed.error}`);
  const walker = new SoqlWalker(index);
  walker.query(parsed.ast, '');
  const resultFields = [...walker.resultFields].map(([path, sources]) => ({ path, sources: [...sources] }));
  const base = { objects: [...walker.objects], fieldPaths: [...walker.fieldPaths], resultFields };
  if (walker.violations.length > 0) return { allowed: false, violations: walker.violations, ...base };
  const query = applyRowCap(parsed.ast, rowCap);
  const recheck = recheckComposed(query, index, base);
  if (recheck) return { allowed: false, violations: [recheck], ...base };
  return { allowed: true, violations: [], query, ...base };
}

/**
 * The composed text is what runs, so it is parsed and walked again: it must parse, pass, touch exactly the same
 * objects and fields, and carry a LIMIT. Any difference (a composer bug) is a refusal.
 */
function recheckComposed(
  query: string,
  index: DescribeIndex,
  base: { objects: string[]; fieldPaths: string[] },
): string | undefined {
  const parsed = parse(query);
  if (!parsed.ok) return `internal error: the row-capped query does not parse (${parsed.error})`;
  const walker = new SoqlWalker(index);
  walker.query(parsed.ast, '');
  const same = (a: Iterable<string>, b: string[]): boolean => [...a].sort().join('\n') === [...b].sort().join('\n');
  if (
    walker.violations.length > 0 ||
    !same(walker.objects, base.objects) ||
    !same(walker.fieldPaths, base.fieldPaths)
  ) {
    return 'internal error: the row-capped query differs from the checked query';
  }
  if (parsed.ast.limit === undefined) return 'internal error: the row-capped query has no LIMIT';
  return undefined;
}

function parse(soql: string): Parsed {
  const cached = parseCache.get(soql);
  if (cached) return cached;
  let result: Parsed;
  try {
    result = { ok: true, ast: parseQuery(soql) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result = { ok: false, error: message.split('\n')[0] ?? 'parse error' };
    // Ten or more groups opened in a row exceed the parser's look-ahead; an equivalent rewrite may parse.
    const flattened = flattenDeepParens(soql);
    if (flattened !== undefined) {
      try {
        result = { ok: true, ast: parseQuery(flattened) };
      } catch {
        // the original error stands
      }
    }
  }
  parseCache.set(soql, result);
  return result;
}

function refused(violation: string): SoqlVerdict {
  return { allowed: false, violations: [violation], objects: [], fieldPaths: [], resultFields: [] };
}

function copy(verdict: SoqlVerdict): SoqlVerdict {
  const result: SoqlVerdict = {
    allowed: verdict.allowed,
    violations: [...verdict.violations],
    objects: [...verdict.objects],
    fieldPaths: [...verdict.fieldPaths],
    resultFields: verdict.resultFields.map((entry) => ({ path: entry.path, sources: [...entry.sources] })),
  };
  if (verdict.query !== undefined) result.query = verdict.query;
  return result;
}
