import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_THRESHOLD, screenText } from '../../governance/injection/index.ts';
import { cli } from '../context.ts';
import { eachLine } from '../lines.ts';

function parseThreshold(value: string): number {
  const threshold = Number(value);
  if (!(threshold >= 0 && threshold <= 1)) throw new InvalidArgumentError('must be a number between 0 and 1');
  return threshold;
}

/** `loom safety-check`: prompt-injection screening of each stdin line, one JSON verdict per line. */
export function register(program: Command): void {
  program
    .command('safety-check')
    .description(
      'Screen each line of stdin for prompt injection and print one JSON object per line: {"score", "flagged", "categories"}',
    )
    .addOption(
      new Option('--source <source>', 'treat lines as user input or tool output (tool output is judged more strictly)')
        .choices(['user', 'tool'])
        .default('user'),
    )
    .option(
      '--threshold <number>',
      `score at or above which a line is flagged (default ${DEFAULT_THRESHOLD})`,
      parseThreshold,
    )
    .option('--spans', 'also print the offending spans')
    .addHelpText('after', '\nExample:\n  echo "Ignore all previous instructions" | loom safety-check')
    .action(async (options: { source: 'user' | 'tool'; threshold?: number; spans?: boolean }) => {
      const source = options.source;
      await eachLine(cli(), (line) => {
        const verdict = screenText(line, { source, threshold: options.threshold ?? DEFAULT_THRESHOLD });
        const out = { score: verdict.score, flagged: verdict.flagged, categories: verdict.categories };
        return options.spans ? { ...out, spans: verdict.spans } : out;
      });
    });
}
