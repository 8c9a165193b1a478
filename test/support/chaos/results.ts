/**
 * Chaos results: each test appends one row to a JSON-lines file named by LOOM_CHAOS_RESULTS (set by the chaos
 * config's global setup); the teardown prints them as the closing summary table.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface ChaosResult {
  name: string;
  seed: number;
  faultsInjected: number;
  turns: number;
  lost: number;
  duplicated: number;
  leaks: number;
  kills?: number;
  /** Side effects whose outcome the ledger could not know (answered, never repeated; a person checks). */
  uncertain?: number;
  /** Answers other than the expected result, and identity breaches (wrong token, wrong creator or audit author). */
  wrongAnswers?: number;
  identityBreaches?: number;
  /** Printed under the table (soak memory and handle figures). */
  notes?: string;
}

export function recordChaosResult(result: ChaosResult): void {
  const file = process.env.LOOM_CHAOS_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`);
}

export function readChaosResults(file: string): ChaosResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ChaosResult);
}

/** A plain-text table: one row per test and a total row, then each test's notes. */
export function summaryTable(results: ChaosResult[]): string {
  const header = [
    'test',
    'seed',
    'faults injected',
    'kills',
    'turns run',
    'lost',
    'duplicated',
    'leaks found',
    'wrong answers',
    'identity breaches',
    'uncertain',
  ];
  const cells = (r: ChaosResult) => [
    r.faultsInjected,
    r.kills ?? 0,
    r.turns,
    r.lost,
    r.duplicated,
    r.leaks,
    r.wrongAnswers ?? 0,
    r.identityBreaches ?? 0,
    r.uncertain ?? 0,
  ];
  const rows = results.map((r) => [r.name, String(r.seed), ...cells(r).map(String)]);
  const totals = results.reduce((sum, r) => cells(r).map((value, i) => value + (sum[i] ?? 0)), [] as number[]);
  rows.push(['TOTAL', '', ...totals.map(String)]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const notes = results.filter((r) => r.notes).map((r) => `${r.name}: ${r.notes}`);
  return [
    'Loom chaos summary',
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
