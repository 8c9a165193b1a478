/**
 * Builds the Loom unlocked package with the sf CLI: creates the package once (`sf package create`, which records its
 * 0Ho ID in sfdx-project.json packageAliases) and a version with code coverage (`sf package version create
 * --code-coverage`, which records `Loom@x.y.z-n` → 04t). Then install the 04t it prints (docs/admin-guide.md §1).
 * Run: npm run sf:package -- --dev-hub <alias> [--installation-key <key> | --no-installation-key] [--dry-run]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const projectFile = `${repoRoot}sfdx-project.json`;
export const PACKAGE_NAME = 'Loom';
const PACKAGE_PATH = 'force-app';

const SafeName = z.string().regex(/^[\w.@+-]+$/, 'letters, digits and . _ @ + - only');
const Options = z
  .object({
    devHub: SafeName,
    installationKey: z.string().min(8, 'at least 8 characters').regex(/^\S+$/, 'no spaces').optional(),
    /** commander's --no-installation-key sets installationKey to false. */
    noKey: z.boolean(),
    wait: z.coerce.number().int().min(1).max(240),
    dryRun: z.boolean(),
  })
  .refine((o) => o.noKey !== (o.installationKey !== undefined), {
    message:
      'give --installation-key <key> (subscribers need it to install) or --no-installation-key, not both and not neither',
    path: ['installationKey'],
  });
export type PackageOptions = z.input<typeof Options>;

/** The package and version aliases sfdx-project.json already holds. */
export interface ProjectState {
  packageId: string | undefined;
}

export function readProjectState(text: string): ProjectState {
  const project = z.object({ packageAliases: z.record(z.string(), z.string()).default({}) }).parse(JSON.parse(text));
  return { packageId: project.packageAliases[PACKAGE_NAME] };
}

/** The sf commands, in order: create the package only when packageAliases lacks it, then one version with coverage. */
export function packagePlan(options: PackageOptions, state: ProjectState): string[][] {
  const hub = ['--target-dev-hub', options.devHub];
  const plan: string[][] = [];
  if (!state.packageId) {
    plan.push([
      'sf',
      'package',
      'create',
      '--name',
      PACKAGE_NAME,
      '--package-type',
      'Unlocked',
      '--path',
      PACKAGE_PATH,
      '--no-namespace',
      ...hub,
    ]);
  }
  plan.push([
    'sf',
    'package',
    'version',
    'create',
    '--package',
    PACKAGE_NAME,
    // Coverage is computed now, so the version can be promoted to released (75% of Apex lines, by Salesforce's rule).
    '--code-coverage',
    ...(options.installationKey ? ['--installation-key', options.installationKey] : ['--installation-key-bypass']),
    '--wait',
    String(options.wait ?? 60),
    ...hub,
  ]);
  return plan;
}

/** What the plan prints: the key is a secret, so it is never shown. */
export function printable(command: string[]): string {
  return command
    .map((part, index) => (command[index - 1] === '--installation-key' ? '<installation key>' : part))
    .join(' ');
}

/**
 * After `sf package create`: make sure packageDirectories names the package (the CLI records the alias and the
 * directory's `package`; this is the same edit, idempotent, for a CLI that only wrote the alias).
 */
export function namePackageDirectory(text: string): string {
  const project = JSON.parse(text) as { packageDirectories: Array<Record<string, unknown>> };
  const directory = project.packageDirectories.find((d) => d['path'] === PACKAGE_PATH);
  if (!directory || directory['package'] === PACKAGE_NAME) return text;
  directory['package'] = PACKAGE_NAME;
  return `${JSON.stringify(project, null, 2)}\n`;
}

function main(argv: string[]): void {
  const program = new Command()
    .name('sf:package')
    .description(
      'Create the Loom unlocked package in your Dev Hub (once) and a package version with code coverage; the sf CLI records the ' +
        'IDs in sfdx-project.json packageAliases. Install the printed 04t with sf package install (docs/admin-guide.md). ' +
        'Needs the sf CLI and an authorised Dev Hub.',
    )
    .requiredOption('-v, --dev-hub <alias>', 'sf alias or username of the Dev Hub org')
    .option('-k, --installation-key <key>', 'key subscribers must give to install the version')
    .option('--no-installation-key', 'build a version anyone with the 04t can install')
    .option('-w, --wait <minutes>', 'minutes to wait for the version build', '60')
    .option('-n, --dry-run', 'print the sf commands without running them', false)
    .showHelpAfterError();
  program.parse(argv);
  const raw = program.opts<{ devHub: string; installationKey?: string | boolean; wait: string; dryRun: boolean }>();
  const parsed = Options.safeParse({
    devHub: raw.devHub,
    ...(typeof raw.installationKey === 'string' ? { installationKey: raw.installationKey } : {}),
    noKey: raw.installationKey === false,
    wait: raw.wait,
    dryRun: raw.dryRun,
  });
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  const state = readProjectState(readFileSync(projectFile, 'utf8'));
  const plan = packagePlan(parsed.data, state);
  if (parsed.data.dryRun) {
    console.log(
      `Dry run: package ${PACKAGE_NAME} ${state.packageId ? `exists (${state.packageId})` : 'is not created yet'}; these commands would run, in order:`,
    );
    for (const command of plan) console.log(`  ${printable(command)}`);
    console.log(
      'Then: sf package install --package <the 04t printed above> --target-org <alias> --wait 20 --security-type AdminsOnly',
    );
    return;
  }
  for (const [command, ...args] of plan) {
    console.log(`$ ${printable([command ?? 'sf', ...args])}`);
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
    if (args[1] === 'create' && args[0] === 'package')
      writeFileSync(projectFile, namePackageDirectory(readFileSync(projectFile, 'utf8')));
  }
  console.log(
    'Package version built; sfdx-project.json packageAliases holds its 04t. Commit sfdx-project.json, then install (docs/admin-guide.md §1).',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv);
