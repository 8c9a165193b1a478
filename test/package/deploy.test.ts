import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseApex } from '../../scripts/sf/checks/apex-tools.ts';
import { formatIssue } from '../../scripts/sf/checks/types.ts';
import { deployPlan } from '../../scripts/sf/deploy.ts';
import { REPO, fixtureDir } from './support.ts';

const run = promisify(execFile);
const tsx = join(REPO, 'node_modules/.bin/tsx');
const script = join(REPO, 'scripts/sf/deploy.ts');

describe('scripts/sf/deploy.ts', () => {
  it('plans deploy, permission-set assignment and the sample agent in order', () => {
    const plan = deployPlan({
      targetOrg: 'prod',
      workerUser: 'loom.worker@acme.example',
      testLevel: 'RunLocalTests',
      sampleAgent: true,
      dryRun: true,
    });
    expect(plan.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'sf project deploy',
      'sf org assign',
      'sf org assign',
      'sf apex run',
    ]);
    expect(plan[0]).toEqual(
      expect.arrayContaining(['--source-dir', 'force-app', '--target-org', 'prod', '--test-level', 'RunLocalTests']),
    );
    expect(plan[2]).toEqual(expect.arrayContaining(['Loom_Worker', '--on-behalf-of', 'loom.worker@acme.example']));
    expect(plan.flat()).not.toContain('Loom_Approver');
  });

  it('assigns Loom_Approver to every approver in one command, after the worker and before the sample agent', () => {
    const plan = deployPlan({
      targetOrg: 'prod',
      workerUser: 'loom.worker@acme.example',
      approverUser: ['ann@acme.example', 'bo@acme.example', 'ann@acme.example'],
      testLevel: 'RunLocalTests',
      sampleAgent: true,
      dryRun: true,
    });
    expect(plan.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'sf project deploy',
      'sf org assign',
      'sf org assign',
      'sf org assign',
      'sf apex run',
    ]);
    expect(plan[3]).toEqual([
      'sf',
      'org',
      'assign',
      'permset',
      '--name',
      'Loom_Approver',
      '--on-behalf-of',
      'ann@acme.example',
      '--on-behalf-of',
      'bo@acme.example',
      '--target-org',
      'prod',
    ]);
  });

  it('--help and --dry-run work without the sf CLI; unsafe aliases are refused', async () => {
    const help = await run(tsx, [script, '--help']);
    expect(help.stdout).toContain('--target-org');
    expect(help.stdout).toContain('--dry-run');
    const dry = await run(tsx, [script, '--target-org', 'prod', '--dry-run']);
    expect(dry.stdout).toContain('sf project deploy start --source-dir force-app');
    expect(dry.stdout).toContain('sf org assign permset --name Loom_Admin --name Loom_User --target-org prod');
    expect(dry.stdout).not.toContain('Loom_Approver');
    expect(help.stdout).toContain('--approver-user');
    const approvers = await run(tsx, [
      script,
      '--target-org',
      'prod',
      '--worker-user',
      'w@acme.example',
      '--approver-user',
      'ann@acme.example,bo@acme.example',
      '-a',
      'cy@acme.example',
      '--dry-run',
    ]);
    expect(approvers.stdout).toContain(
      'sf org assign permset --name Loom_Worker --on-behalf-of w@acme.example --target-org prod',
    );
    expect(approvers.stdout).toContain(
      'sf org assign permset --name Loom_Approver --on-behalf-of ann@acme.example --on-behalf-of bo@acme.example --on-behalf-of cy@acme.example --target-org prod',
    );
    await expect(run(tsx, [script, '--target-org', 'prod;rm -rf', '--dry-run'])).rejects.toMatchObject({ code: 2 });
    await expect(
      run(tsx, [script, '--target-org', 'prod', '--approver-user', 'ann@acme.example,$(id)', '--dry-run']),
    ).rejects.toMatchObject({ code: 2 });
    // The worker runs decisions people make; it must never be one of the people.
    await expect(
      run(tsx, [
        script,
        '--target-org',
        'prod',
        '--worker-user',
        'w@acme.example',
        '--approver-user',
        'W@acme.example',
        '--dry-run',
      ]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('must not be an approver'),
    });
  });

  it('the anonymous Apex samples parse with the Salesforce parser; a broken one is caught', async () => {
    const dir = join(REPO, 'scripts/apex');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.apex'))
      .map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    expect((await parseApex(files, true)).map(formatIssue)).toEqual([]);
    const broken = fixtureDir({ 'bad.apex': 'Integer x = ;\n' });
    expect((await parseApex([join(broken, 'bad.apex')], true)).length).toBeGreaterThan(0);
  });
});
