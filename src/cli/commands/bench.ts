import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { scoreBlindRound } from '../../bench/blind.ts';
import { BENCHMARKS, runBench } from '../../bench/run.ts';
import { streamProgress } from '../../bench/progress.ts';
import { BENCH_NAMES, type BenchName } from '../../bench/report.ts';
import { missedTargets, renderTable } from '../../bench/table.ts';
import { createLogger } from '../../logger.ts';
import { cli } from '../context.ts';

function parseOnly(value: string): BenchName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !BENCH_NAMES.includes(name as BenchName));
  if (names.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`expected a comma-separated list of: ${BENCH_NAMES.join(', ')}`);
  return names as BenchName[];
}

/** `loom bench`: the benchmark suite (`npm run bench`). */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure Loom against its baselines in one run: SOQL guard vs the reference regex check, PII masking vs redact-pii and ' +
        '@redactpii/node, injection screening, governance overhead per turn, Salesforce API calls per turn, end-to-end ' +
        'throughput (emulator and workers in their own processes) and worker memory. Prints a table with each target; ' +
        'every figure is measured in this run (median of repeated rounds).',
    )
    .option(
      '--output <file>',
      'also write the figures as JSON to this file (the shape documented in docs/performance.md; --json prints them instead)',
    )
    .option('--quick', 'smaller, shorter loops (about two minutes); figures are noisier', false)
    .option('--only <names>', `run only these benchmarks, comma-separated: ${BENCH_NAMES.join(', ')}`, parseOnly)
    .option(
      '--blind <dir>',
      'only score a blind round: <dir>/pii.jsonl and/or <dir>/injection.jsonl with Loom and the npm peers; prints aggregate figures only, never a line',
    )
    .addHelpText(
      'after',
      `\nBenchmarks:\n${BENCHMARKS.map((bench) => `  ${bench.name.padEnd(20)} ${bench.title}`).join('\n')}\n\n` +
        'Examples:\n  $ npm run bench -- --output bench.json\n  $ loom bench --quick --only soql_guard,pii_mask\n  $ loom bench --blind test/fixtures/blind/round-b',
    )
    .action(async (options: { output?: string; quick: boolean; only?: BenchName[]; blind?: string }) => {
      const context = cli();
      if (options.blind !== undefined) {
        const scores = await scoreBlindRound(resolve(options.blind), options.blind);
        context.line(JSON.stringify(scores, null, 2));
        context.result(scores);
        return;
      }
      const report = await runBench({
        profile: options.quick ? 'quick' : 'full',
        ...(options.only ? { only: options.only } : {}),
        progress: streamProgress(process.stderr),
        logger: createLogger({ level: 'warn', name: 'bench', destination: pino.destination(2) }),
      });
      context.line(renderTable(report, context.colors.isColorSupported));
      if (options.output) {
        const file = resolve(options.output);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
        context.line(`\nfigures written to ${options.output}`);
      }
      const missed = missedTargets(report);
      const c = context.colors;
      const summary =
        missed.length === 0
          ? c.green('all targets met')
          : c.yellow(`${missed.length} target(s) missed: ${missed.join('; ')}`);
      context.line(`\n${summary} (${report.meta.duration_sec} s, ${report.meta.profile} profile)`);
      context.result(report);
    });
}
