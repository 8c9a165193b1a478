import type { Command } from 'commander';
import { checkWorkerConfig } from '../../config-check.ts';
import { ConfigSchema } from '../../config.ts';
import { cli } from '../context.ts';

const HIDDEN = /KEY|TOKEN|SECRET/;

/** `loom config`: the worker's start-up check without starting anything; fails exactly when the worker would not start. */
export function register(program: Command): void {
  program
    .command('config')
    .description(
      'Validate the configuration from the environment and .env the way `loom worker` does at start (every problem at once, ' +
        'each with its variable and fix), and print it with secrets hidden. Exits 1 when the worker could not start',
    )
    .addHelpText(
      'after',
      '\nVariables: docs/configuration.md (and `loom worker --help`).\n\nExample:\n  $ loom config && loom worker',
    )
    .action(() => {
      const context = cli();
      const { problems } = checkWorkerConfig(context.io.env);
      const parsed = ConfigSchema.safeParse(context.io.env);
      const shown: Record<string, unknown> = {};
      if (parsed.success) {
        for (const [name, value] of Object.entries(parsed.data)) {
          if (value === undefined) continue;
          shown[name] = HIDDEN.test(name) ? '[set]' : value;
          context.line(`${name}=${HIDDEN.test(name) ? '[set]' : JSON.stringify(value)}`);
        }
      }
      const c = context.colors;
      if (problems.length > 0) {
        context.line(
          c.red(`\nThe worker would not start (${problems.length} problem${problems.length === 1 ? '' : 's'}):`),
        );
        for (const problem of problems)
          context.line(`  ${c.bold(problem.variable)}: ${problem.message}\n    fix: ${problem.fix}`);
        context.fail(
          'InvalidConfiguration',
          problems.map((problem) => `${problem.variable}: ${problem.message}`).join('; '),
        );
      } else {
        context.line(
          c.green(
            '\nThe worker can start with this configuration (run loom doctor to check the org and the model endpoint).',
          ),
        );
      }
      context.result({ config: shown, problems });
    });
}
