import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { namePackageDirectory, packagePlan, printable, readProjectState } from '../../scripts/sf/package.ts';
import { REPO } from './support.ts';

const run = promisify(execFile);
const tsx = join(REPO, 'node_modules/.bin/tsx');
const script = join(REPO, 'scripts/sf/package.ts');

describe('scripts/sf/package.ts', () => {
  it('creates the package when packageAliases lacks it, then a version with code coverage', () => {
    const plan = packagePlan(
      { devHub: 'hub', installationKey: 'k3y-for-subscribers', noKey: false, wait: 30, dryRun: true },
      { packageId: undefined },
    );
    expect(plan).toEqual([
      [
        'sf',
        'package',
        'create',
        '--name',
        'Loom',
        '--package-type',
        'Unlocked',
        '--path',
        'force-app',
        '--no-namespace',
        '--target-dev-hub',
        'hub',
      ],
      [
        'sf',
        'package',
        'version',
        'create',
        '--package',
        'Loom',
        '--code-coverage',
        '--installation-key',
        'k3y-for-subscribers',
        '--wait',
        '30',
        '--target-dev-hub',
        'hub',
      ],
    ]);
    expect(printable(plan[1] ?? [])).not.toContain('k3y-for-subscribers');
  });

  it('skips package create once the alias exists, and bypasses the key only when asked', () => {
    const plan = packagePlan(
      { devHub: 'hub', noKey: true, wait: 60, dryRun: true },
      { packageId: '0Ho000000000001AAA' },
    );
    expect(plan.map((c) => c.slice(0, 4).join(' '))).toEqual(['sf package version create']);
    expect(plan[0]).toContain('--installation-key-bypass');
  });

  it('reads the state from sfdx-project.json and names the package directory after create', () => {
    const today = readFileSync(join(REPO, 'sfdx-project.json'), 'utf8');
    expect(readProjectState(today)).toEqual({ packageId: undefined });
    expect(readProjectState(JSON.stringify({ packageAliases: { Loom: '0Ho000000000001AAA' } }))).toEqual({
      packageId: '0Ho000000000001AAA',
    });
    const named = JSON.parse(namePackageDirectory(today)) as {
      packageDirectories: Array<{ path: string; package?: string; versionNumber: string }>;
    };
    expect(named.packageDirectories[0]).toMatchObject({
      path: 'force-app',
      package: 'Loom',
      versionNumber: '0.1.0.NEXT',
    });
    expect(namePackageDirectory(JSON.stringify(named))).toBe(JSON.stringify(named));
  });

  it('--help and --dry-run work without the sf CLI; a missing key choice and unsafe names are refused', async () => {
    const help = await run(tsx, [script, '--help']);
    expect(help.stdout).toContain('--dev-hub');
    expect(help.stdout).toContain('--dry-run');
    expect(help.stdout).toContain('--no-installation-key');
    const dry = await run(tsx, [script, '--dev-hub', 'hub', '--installation-key', 'k3y-for-subscribers', '--dry-run']);
    expect(dry.stdout).toContain('is not created yet');
    expect(dry.stdout).toContain(
      'sf package create --name Loom --package-type Unlocked --path force-app --no-namespace --target-dev-hub hub',
    );
    expect(dry.stdout).toContain(
      'sf package version create --package Loom --code-coverage --installation-key <installation key> --wait 60 --target-dev-hub hub',
    );
    expect(dry.stdout).not.toContain('k3y-for-subscribers');
    expect(dry.stdout).toContain('sf package install --package <the 04t printed above>');
    await expect(run(tsx, [script, '--dev-hub', 'hub', '--dry-run'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--no-installation-key'),
    });
    await expect(
      run(tsx, [script, '--dev-hub', 'hub;rm -rf', '--no-installation-key', '--dry-run']),
    ).rejects.toMatchObject({ code: 2 });
  });
});
