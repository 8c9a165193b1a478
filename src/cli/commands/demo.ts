import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { silentLogger } from '../../logger.ts';
import type { DemoOutput } from '../../demo/print.ts';
import { runDemo } from '../../demo/run-demo.ts';
import { cli } from '../context.ts';
import { cliLogger } from '../logging.ts';

/** `loom demo`: the one-command tour (what `npm run demo` runs). */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Play a short story against the bundled emulator: governed text-to-SOQL, field access per user, an approval and a ' +
        'screened prompt injection, then print the audit trail read back from the org. No network and no keys needed',
    )
    .option('--log-level <level>', 'worker log level on stderr (silent, error, warn, info, debug)', 'silent')
    .addHelpText(
      'after',
      '\nEnvironment:\n  LOOM_LLM_BASE_URL, LOOM_LLM_API_KEY, LOOM_LLM_MODEL   use a real OpenAI-compatible model instead of the script\n\nExample:\n  $ npm run demo',
    )
    .action(async (options: { logLevel: string }) => {
      const context = cli();
      const logger =
        options.logLevel === 'silent' ? silentLogger() : cliLogger(context, { level: options.logLevel, name: 'demo' });
      // With --json the story is not printed; the result is its exit status.
      const out = context.json ? new Writable({ write: (_chunk, _encoding, done) => done() }) : process.stdout;
      const code = await runDemo({ out: out as DemoOutput, ...(context.flags.color ? {} : { color: false }), logger });
      if (context.json)
        context.writeJson(
          code === 0
            ? { status: 0, result: { story: 'completed' }, warnings: [] }
            : { status: 1, name: 'DemoFailed', message: 'the demo story did not complete', exitCode: 1, warnings: [] },
        );
      // Exit explicitly: a CometD client may still be retrying its disconnect against the emulator that just closed.
      process.stdout.write('', () => process.exit(code));
    });
}
