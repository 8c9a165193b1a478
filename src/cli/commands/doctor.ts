import type { Command } from 'commander';
import { formatCheck, runDoctor } from '../../ops/doctor/index.ts';
import { cli } from '../context.ts';

/** `loom doctor`: a checklist of the real configuration, with a fix for each failure. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the worker configuration end to end — JWT login as the integration user and a sample user, package objects, ' +
        'permission sets, event subscription, Redis and the LLM endpoint — and print a checklist with a fix for each failure',
    )
    .option(
      '--user <username>',
      'also check a user who will talk to agents (JWT pre-authorization and Loom_User)',
      process.env.LOOM_DOCTOR_USER,
    )
    .option('--timeout <ms>', 'bound for each network check', '10000')
    .addHelpText(
      'after',
      '\nExit status is 1 when any check fails.\n\nExample:\n  $ loom doctor --user officer@lending.test',
    )
    .action(async (options: { user?: string; timeout: string }) => {
      const context = cli();
      const c = context.colors;
      const timeoutMs = Math.max(500, Number.parseInt(options.timeout, 10) || 10_000);
      context.line(c.bold('loom doctor'));
      const checks = await runDoctor({
        env: context.io.env,
        ...(options.user ? { sampleUser: options.user } : {}),
        timeoutMs,
        onCheck: (check) => {
          for (const line of formatCheck(check, c)) context.line(line);
        },
      });
      const failed = checks.filter((check) => check.status === 'fail').length;
      const summary = `${failed} check${failed > 1 ? 's' : ''} failed`;
      context.line(failed === 0 ? c.green('\nAll checks passed.') : c.red(`\n${summary}.`));
      if (failed > 0)
        context.fail(
          'DoctorChecksFailed',
          `${summary}: ${checks
            .filter((check) => check.status === 'fail')
            .map((check) => check.name)
            .join(', ')}`,
        );
      context.result(checks);
    });
}
