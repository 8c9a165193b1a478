import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import pino from 'pino';
import { scoreBlindRound } from '../../bench/blind.ts';
import { BENCHMARKS, runBench } from '../../bench/run.ts';
import { streamProgress } from '../../bench/progress.ts';
import { BENCH_NAMES, type BenchName } from '../../bench/report.ts';
import { missedTargets, renderTable } from '../../bench/table.ts';
import { createLogger } from '../../logger.ts';

function parseOnly(value: string): BenchName[] {
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !BENCH_NAMES.includes(name as BenchName));
  if (names.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`expected a comma-separated list of: ${BENCH_NAMES.join(', ')}`);
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
    .option('--json <file>', 'also write the figures as JSON (the shape documented in docs/performance.md)')
    .option('--quick', 'smaller, shorter loops (about two minutes); figures are noisier', false)
    .option('--only <names>', `run only these benchmarks, comma-separated: ${BENCH_NAMES.join(', ')}`, parseOnly)
    .option('--no-color', 'plain table without colours')
    .option(
      '--blind <dir>',
      'only score a blind round: <dir>/pii.jsonl and/or <dir>/injection.jsonl with Loom and the npm peers; prints aggregate figures only, never a line',
    )
    .addHelpText(
      'after',
      `\nBenchmarks:\n${BENCHMARKS.map((bench) => `  ${bench.name.padEnd(20)} ${bench.title}`).join('\n')}\n\n` +
        'Examples:\n  $ npm run bench -- --json bench.json\n  $ loom bench --quick --only soql_guard,pii_mask\n  $ loom bench --blind test/fixtures/blind/round-b',
    )
    .action(async (options: { json?: string; quick: boolean; only?: BenchName[]; color: boolean; blind?: string }) => {
      if (options.blind !== undefined) {
        console.log(JSON.stringify(await scoreBlindRound(resolve(options.blind), options.blind), null, 2));
        return;
      }
      const report = await runBench({
        profile: options.quick ? 'quick' : 'full',
        ...(options.only ? { only: options.only } : {}),
        progress: streamProgress(process.stderr),
        logger: createLogger({ level: 'warn', name: 'bench', destination: pino.destination(2) }),
      });
      console.log(renderTable(report, options.color && process.stdout.isTTY === true));
      if (options.json) {
        const file = resolve(options.json);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
        console.log(`\nfigures written to ${options.json}`);
      }
      const missed = missedTargets(report);
      const summary = missed.length === 0 ? pc.green('all targets met') : pc.yellow(`${missed.length} target(s) missed: ${missed.join('; ')}`);
      console.log(`\n${summary} (${report.meta.duration_sec} s, ${report.meta.profile} profile)`);
    });
}
