import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeFixturePath } from '../../fixtures/describe/load.ts';
import { captureCli } from '../../support/cli.ts';

const bin = fileURLToPath(new URL('../../../src/bin/loom.js', import.meta.url));

/** A real `loom` process: the pipeline use (stdin to stdout through the bin) is what the first case is about. */
function spawnLoom(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// The other cases run in-process: the command's own code with captured streams.
const run = (args: string[], stdin: string) => captureCli(args, { stdin });

describe('loom soql-check', () => {
  it('writes one JSON verdict per input line, in order, and exits 0', async () => {
    const input = [
      "SELECT Id, Name, Amount__c FROM Loan_Application__c WHERE Status__c = 'Open'",
      'select id, risk_tier__c from loan_application__c',
      '',
      'SELECT Account.Risk_Tier__c FROM Contact\r',
      'SELECT Id FROM Account LIMIT 5000',
      'not soql at all',
    ].join('\n');
    const { code, stdout, stderr } = await spawnLoom(
      ['soql-check', '--describe', describeFixturePath('officer')],
      input,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { allowed: boolean; violations: string[]; query?: string });
    expect(lines.map((line) => line.allowed)).toEqual([true, false, false, false, true, false]);
    for (const line of lines) expect(Array.isArray(line.violations)).toBe(true);
    expect(lines[1]?.violations.join()).toContain('risk_tier__c');
    expect(lines[2]?.violations).toEqual(['empty query']);
    expect(lines[4]?.query).toBe('SELECT Id FROM Account LIMIT 200');
  });

  it('honours --row-cap and handles a last line without a newline', async () => {
    const { code, stdout } = await run(
      ['soql-check', '--describe', describeFixturePath('underwriter'), '--row-cap', '7'],
      'SELECT Risk_Tier__c FROM Account',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ allowed: true, query: 'SELECT Risk_Tier__c FROM Account LIMIT 7' });
  });

  it('fails with a readable message on an invalid describe file or row cap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-soql-check-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ name: 'Account' }]));
    const [bad, cap] = await Promise.all([
      run(['soql-check', '--describe', file], 'SELECT Id FROM Account\n'),
      run(['soql-check', '--describe', describeFixturePath('officer'), '--row-cap', 'lots'], ''),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('fields');
    expect(bad.stdout).toBe('');
    expect(cap.code).not.toBe(0);
    expect(cap.stderr).toContain('positive integer');
    rmSync(dir, { recursive: true, force: true });
  });
});
