import pc from 'picocolors';
import type { BenchFigures, BenchName, BenchReport, Details } from './report.ts';
import { TARGETS } from './targets.ts';

type Row = [string, string, string, string];

/** Flattens a section's figures (nested baseline objects become `redact_pii.lines_per_sec`). */
function flatten(value: unknown, prefix = ''): Array<[string, number | string]> {
  if (typeof value !== 'object' || value === null) return [[prefix, value as number]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

const show = (value: number | string): string =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 3 : 1 }) : value;

function pad(rows: Row[], color: boolean): string[] {
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row, index) => {
    const line = row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
    return index === 0 && color ? pc.bold(line) : line;
  });
}

/** The report as text: every figure and secondary figure, then the targets with ✓ / ✗. Plain when `color` is false. */
export function renderTable(report: BenchReport, color = true): string {
  const details = report.meta.details;
  const rows: Row[] = [['benchmark', 'figure', 'value', '']];
  for (const [name, section] of Object.entries(report) as Array<[string, unknown]>) {
    if (name === 'meta' || section === undefined) continue;
    for (const [key, value] of flatten(section)) rows.push([name, key, show(value), '']);
    for (const [key, value] of Object.entries(details[name] ?? {}))
      rows.push([name, key, show(value), color ? pc.dim('detail') : 'detail']);
  }
  const lines = pad(rows, color);
  const targetRows: Row[] = [['target', 'measured', 'required', 'status']];
  for (const target of TARGETS) {
    if (report[target.bench] === undefined) continue;
    const { met, measured, limit } = target.check(report as BenchFigures, details as Record<string, Details>);
    const status = met ? (color ? pc.green('✓ met') : '✓ met') : color ? pc.red('✗ missed') : '✗ missed';
    targetRows.push([`${target.bench}: ${target.label}`, measured, limit, status]);
  }
  return [...lines, '', ...pad(targetRows, color)].join('\n');
}

/** Targets missed in this report (names only), for the exit summary. */
export function missedTargets(report: BenchReport): string[] {
  return TARGETS.filter((target) => report[target.bench] !== undefined)
    .filter((target) => !target.check(report as BenchFigures, report.meta.details as Record<string, Details>).met)
    .map((target) => `${target.bench}: ${target.label}`);
}

export type { BenchName };
