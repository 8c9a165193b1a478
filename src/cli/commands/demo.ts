import type { Command } from 'commander';
import { createLogger, silentLogger } from '../../logger.ts';
import { runDemo } from '../../demo/run-demo.ts';

/** `loom demo`: the one-command tour (what `npm run demo` runs). */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'Play a short story against the bundled emulator: governed text-to-SOQL, field access per user, an approval and a ' +
        'screened prompt injection, then print the audit trail read back from the org. No network and no keys needed',
    )
    .option('--no-color', 'print without colour (also when NO_COLOR is set or output is not a terminal)')
    .option('--log-level <level>', 'worker log level on stderr (silent, error, warn, info, debug)', 'silent')
    .addHelpText(
      'after',
      '\nEnvironment:\n  LOOM_LLM_BASE_URL, LOOM_LLM_API_KEY, LOOM_LLM_MODEL   use a real OpenAI-compatible model instead of the script\n\nExample:\n  $ npm run demo',
    )
    .action(async (options: { color: boolean; logLevel: string }) => {
      const logger = options.logLevel === 'silent' ? silentLogger() : createLogger({ level: options.logLevel, name: 'demo', destination: process.stderr });
      const code = await runDemo({ out: process.stdout, ...(options.color ? {} : { color: false }), logger });
      // Exit explicitly: a CometD client may still be retrying its disconnect against the emulator that just closed.
      process.stdout.write('', () => process.exit(code));
    });
}
