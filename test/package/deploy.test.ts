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
    const plan = deployPlan({ targetOrg: 'prod', workerUser: 'loom.worker@acme.example', testLevel: 'RunLocalTests', sampleAgent: true, dryRun: true });
    expect(plan.map((c) => c.slice(0, 3).join(' '))).toEqual(['sf project deploy', 'sf org assign', 'sf org assign', 'sf apex run']);
    expect(plan[0]).toEqual(expect.arrayContaining(['--source-dir', 'force-app', '--target-org', 'prod', '--test-level', 'RunLocalTests']));
    expect(plan[2]).toEqual(expect.arrayContaining(['Loom_Worker', '--on-behalf-of', 'loom.worker@acme.example']));
  });

  it('--help and --dry-run work without the sf CLI; unsafe aliases are refused', async () => {
    const help = await run(tsx, [script, '--help']);
    expect(help.stdout).toContain('--target-org');
    expect(help.stdout).toContain('--dry-run');
    const dry = await run(tsx, [script, '--target-org', 'prod', '--dry-run']);
    expect(dry.stdout).toContain('sf project deploy start --source-dir force-app');
    expect(dry.stdout).toContain('sf org assign permset --name Loom_Admin --name Loom_User --target-org prod');
    await expect(run(tsx, [script, '--target-org', 'prod;rm -rf', '--dry-run'])).rejects.toMatchObject({ code: 2 });
  });

  it('the anonymous Apex samples parse with the Salesforce parser; a broken one is caught', async () => {
    const dir = join(REPO, 'scripts/apex');
    const files = readdirSync(dir).filter((f) => f.endsWith('.apex')).map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    expect((await parseApex(files, true)).map(formatIssue)).toEqual([]);
    const broken = fixtureDir({ 'bad.apex': 'Integer x = ;\n' });
    expect((await parseApex([join(broken, 'bad.apex')], true)).length).toBeGreaterThan(0);
  });
});
