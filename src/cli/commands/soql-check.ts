import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { LoomError } from '../../errors.ts';
import { DescribeIndex } from '../../governance/describe.ts';
import { checkSoql, DEFAULT_ROW_CAP } from '../../governance/soql-guard/index.ts';
import { cli } from '../context.ts';
import { eachLine } from '../lines.ts';

/** `loom soql-check --describe <file>`: one query per stdin line in, one JSON verdict per line out, in order. */
export function register(program: Command): void {
  program
    .command('soql-check')
    .description(
      "Check SOQL queries against a user's describe allow-list. Reads one query per line on stdin and writes one JSON " +
        'verdict per line on stdout, in order: {"allowed", "violations", "query" (row-capped, when allowed), "objects", ' +
        '"fieldPaths", "resultFields"}. A blank line is refused as an empty query, so output lines always match input lines.',
    )
    .requiredOption(
      '--describe <file>',
      'JSON array of describe results (GET /sobjects/{name}/describe) as seen by the user; hidden fields and objects absent',
    )
    .option('--row-cap <n>', 'maximum rows per query; LIMIT is added or lowered to it', parseRowCap, DEFAULT_ROW_CAP)
    .addHelpText(
      'after',
      '\nExample:\n  echo "SELECT Id, Name FROM Account" | loom soql-check --describe officer-describe.json',
    )
    .action(async (options: { describe: string; rowCap: number }) => {
      const index = loadIndex(options.describe);
      await eachLine(cli(), (line) => checkSoql(line, index, { rowCap: options.rowCap }));
    });
}

function parseRowCap(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('must be a positive integer');
  }
  return number;
}

function loadIndex(file: string): DescribeIndex {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LoomError(
      `cannot read describe file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      {
        category: 'Input',
      },
    );
  }
  try {
    return DescribeIndex.fromJson(json);
  } catch (error) {
    throw new LoomError(`${file}: ${error instanceof Error ? error.message : String(error)}`, { category: 'Input' });
  }
}
