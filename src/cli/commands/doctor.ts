import type { Command } from 'commander';
import pc from 'picocolors';
import { formatCheck, runDoctor } from '../../ops/doctor/index.ts';

/** `loom doctor`: a checklist of the real configuration, with a fix for each failure. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the worker configuration end to end — JWT login as the integration user and a sample user, package objects, ' +
        'permission sets, event subscription, Redis and the LLM endpoint — and print a checklist with a fix for each failure',
    )
    .option('--user <username>', 'also check a user who will talk to agents (JWT pre-authorization and Loom_User)', process.env.LOOM_DOCTOR_USER)
    .option('--timeout <ms>', 'bound for each network check', '10000')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExit status is 1 when any check fails.\n\nExample:\n  $ loom doctor --user officer@lending.test')
    .action(async (options: { user?: string; timeout: string; json?: boolean }) => {
      const c = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
      const timeoutMs = Math.max(500, Number.parseInt(options.timeout, 10) || 10_000);
      if (!options.json) console.log(c.bold('loom doctor'));
      const checks = await runDoctor({
        ...(options.user ? { sampleUser: options.user } : {}),
        timeoutMs,
        onCheck: (check) => {
          if (!options.json) for (const line of formatCheck(check, c)) console.log(line);
        },
      });
      const failed = checks.filter((check) => check.status === 'fail').length;
      if (options.json) console.log(JSON.stringify(checks, null, 2));
      else console.log(failed === 0 ? c.green('\nAll checks passed.') : c.red(`\n${failed} check${failed > 1 ? 's' : ''} failed.`));
      process.exitCode = failed === 0 ? 0 : 1;
    });
}
