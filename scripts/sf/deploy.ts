/**
 * Deploys the Loom package to a real org with the sf CLI and assigns the permission sets.
 * Run: npm run sf:deploy -- --target-org <alias> [--worker-user <username>] [--approver-user <username>...] [--sample-agent] [--dry-run]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Aliases and usernames go to the sf CLI as arguments (never through a shell); still refuse anything odd. */
const SafeName = z.string().regex(/^[\w.@+-]+$/, 'letters, digits and . _ @ + - only');
const Options = z
  .object({
    targetOrg: SafeName,
    workerUser: SafeName.optional(),
    /** People who decide pending actions: they get Loom_Approver. */
    approverUser: z.array(SafeName).default([]),
    testLevel: z.enum(['NoTestRun', 'RunLocalTests', 'RunAllTestsInOrg']),
    sampleAgent: z.boolean(),
    dryRun: z.boolean(),
  })
  .refine((o) => !o.workerUser || !o.approverUser.some((u) => u.toLowerCase() === o.workerUser?.toLowerCase()), {
    message: 'the worker integration user must not be an approver (it only runs decisions people make)',
    path: ['approverUser'],
  });
export type DeployOptions = z.input<typeof Options>;

/** `--approver-user a --approver-user b,c` → ['a', 'b', 'c']. */
function collectUsers(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u.length > 0),
  ];
}

/** The sf commands, in order, that install Loom into the target org. */
export function deployPlan(options: DeployOptions): string[][] {
  const org = ['--target-org', options.targetOrg];
  const plan: string[][] = [
    [
      'sf',
      'project',
      'deploy',
      'start',
      '--source-dir',
      'force-app',
      '--test-level',
      options.testLevel,
      '--wait',
      '30',
      ...org,
    ],
    ['sf', 'org', 'assign', 'permset', '--name', 'Loom_Admin', '--name', 'Loom_User', ...org],
  ];
  if (options.workerUser)
    plan.push([
      'sf',
      'org',
      'assign',
      'permset',
      '--name',
      'Loom_Worker',
      '--on-behalf-of',
      options.workerUser,
      ...org,
    ]);
  const approvers = [...new Set(options.approverUser ?? [])];
  if (approvers.length > 0)
    plan.push([
      'sf',
      'org',
      'assign',
      'permset',
      '--name',
      'Loom_Approver',
      ...approvers.flatMap((u) => ['--on-behalf-of', u]),
      ...org,
    ]);
  if (options.sampleAgent) plan.push(['sf', 'apex', 'run', '--file', 'scripts/apex/create-sample-agent.apex', ...org]);
  return plan;
}

function main(argv: string[]): void {
  const program = new Command()
    .name('sf:deploy')
    .description(
      'Deploy the Loom unlocked-package source (force-app) to an org with the sf CLI, assign Loom_Admin and Loom_User to you, ' +
        'Loom_Worker to the worker integration user, Loom_Approver to the approvers, and optionally create a sample agent. ' +
        'Needs the sf CLI and an authorised org.',
    )
    .requiredOption('-o, --target-org <alias>', 'sf alias or username of the org to deploy to')
    .option('-w, --worker-user <username>', 'username of the worker integration user that gets Loom_Worker')
    .option(
      '-a, --approver-user <username>',
      'username of a person who approves agent actions and gets Loom_Approver (repeatable, or comma-separated)',
      collectUsers,
    )
    .option(
      '-l, --test-level <level>',
      'Apex tests to run during the deploy: NoTestRun, RunLocalTests or RunAllTestsInOrg',
      'RunLocalTests',
    )
    .option(
      '--sample-agent',
      'create a sample LLM configuration and agent (scripts/apex/create-sample-agent.apex)',
      false,
    )
    .option('-n, --dry-run', 'print the sf commands without running them', false)
    .showHelpAfterError();
  program.parse(argv);
  const parsed = Options.safeParse(program.opts());
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  const plan = deployPlan(parsed.data);
  if (parsed.data.dryRun) {
    console.log('Dry run: these commands would run, in order:');
    for (const command of plan) console.log(`  ${command.join(' ')}`);
    return;
  }
  for (const [command, ...args] of plan) {
    console.log(`$ ${[command, ...args].join(' ')}`);
    const result = spawnSync(command ?? 'sf', args, { cwd: repoRoot, stdio: 'inherit' });
    if (result.error) {
      console.error(
        `Could not run ${command}: ${result.error.message}. Install the Salesforce CLI (npm install -g @salesforce/cli).`,
      );
      process.exit(1);
    }
    if (result.status !== 0) {
      console.error(`Stopped: ${command} ${args.slice(0, 3).join(' ')} exited ${result.status}.`);
      process.exit(result.status ?? 1);
    }
  }
  console.log('Loom is deployed. Next: docs/admin-guide.md, "Connect the worker".');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv);
