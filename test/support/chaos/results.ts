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

/** A plain-text table: one row per test and a total row. */
export function summaryTable(results: ChaosResult[]): string {
  const header = ['test', 'seed', 'faults injected', 'kills', 'turns run', 'lost', 'duplicated', 'leaks found'];
  const rows = results.map((r) => [r.name, String(r.seed), String(r.faultsInjected), String(r.kills ?? 0), String(r.turns), String(r.lost), String(r.duplicated), String(r.leaks)]);
  const sum = (pick: (r: ChaosResult) => number) => String(results.reduce((total, r) => total + pick(r), 0));
  rows.push(['TOTAL', '', sum((r) => r.faultsInjected), sum((r) => r.kills ?? 0), sum((r) => r.turns), sum((r) => r.lost), sum((r) => r.duplicated), sum((r) => r.leaks)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  return ['Loom chaos summary', line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
