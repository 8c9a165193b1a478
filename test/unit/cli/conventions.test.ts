/**
 * The conventions every `loom` command shares, run in-process (the command's exported code with captured streams):
 * `--json` in the sf CLI's shape, one-line errors without a stack (a stack with `--debug`), and `loom config` failing
 * exactly when the worker would not start.
 */
import { describe, expect, it } from 'vitest';
import { describeFixturePath } from '../../fixtures/describe/load.ts';
import { captureCli } from '../../support/cli.ts';

const KEY = new URL('../../../scripts/seeds/keys/loom-worker.key', import.meta.url).pathname;

describe('loom --json', () => {
  it('prints one {status: 0, result} object for a successful command', async () => {
    const run = await captureCli(['soql-check', '--describe', describeFixturePath('officer'), '--json'], {
      stdin: 'SELECT Id FROM Account\nnot soql\n',
    });
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { status: number; result: Array<{ allowed: boolean }> };
    expect(body.status).toBe(0);
    expect(body.result.map((verdict) => verdict.allowed)).toEqual([true, false]);
  });

  it('prints {status: 1, name, message} on stdout and exits 1 for a failure, with nothing on stderr', async () => {
    const run = await captureCli(['soql-check', '--describe', '/nonexistent/describe.json', '--json'], { stdin: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 1,
      name: 'LoomError',
      message: expect.stringMatching(/cannot read describe file \/nonexistent\/describe\.json/),
    });
  });

  it('is accepted by every command (a global flag), and the trust-layer CLIs collect their lines into the result', async () => {
    const pii = await captureCli(['pii-mask', '--json'], { stdin: 'mail ada@example.com\n' });
    expect(JSON.parse(pii.stdout)).toMatchObject({ status: 0, result: [{ masked: 'mail [EMAIL:001]' }] });
    const safety = await captureCli(['safety-check', '--json'], { stdin: 'hello\n' });
    expect(JSON.parse(safety.stdout)).toMatchObject({ status: 0, result: [{ flagged: false }] });
  });
});

describe('errors a person can fix', () => {
  it('are one line on stderr with exit code 1, and a stack only with --debug', async () => {
    const plain = await captureCli(['soql-check', '--describe', '/nonexistent/describe.json'], { stdin: '' });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^loom: cannot read describe file \/nonexistent\/describe\.json: [^\n]+\n$/);
    const debug = await captureCli(['soql-check', '--describe', '/nonexistent/describe.json', '--debug'], {
      stdin: '',
    });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('an invalid option value is named by commander, once, with exit code 1', async () => {
    const run = await captureCli(['soql-check', '--describe', describeFixturePath('officer'), '--row-cap', 'lots']);
    expect(run.code).toBe(1);
    expect(run.stderr.match(/positive integer/g)).toHaveLength(1);
  });

  it('--version and --help exit 0', async () => {
    expect(await captureCli(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await captureCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['dev', 'soql-check', 'worker']) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});

describe('loom config', () => {
  it('exits 1 and lists every problem, each with its variable and fix, when the worker could not start', async () => {
    const run = await captureCli(['config']);
    expect(run.code).toBe(1);
    for (const variable of [
      'SF_LOGIN_URL',
      'SF_CLIENT_ID',
      'SF_INTEGRATION_USERNAME',
      'SF_PRIVATE_KEY_FILE',
      'LOOM_LLM_API_KEY',
    ])
      expect(run.stdout).toContain(`  ${variable}: `);
    expect(run.stdout).toMatch(/fix: /);
    const json = await captureCli(['config', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 1,
      name: 'InvalidConfiguration',
      data: { problems: expect.arrayContaining([expect.objectContaining({ variable: 'SF_CLIENT_ID' })]) },
    });
  });

  it('exits 0 for a configuration the worker accepts, with secrets hidden', async () => {
    const run = await captureCli(['config', '--json'], {
      env: {
        SF_LOGIN_URL: 'https://login.salesforce.com',
        SF_CLIENT_ID: 'id',
        SF_INTEGRATION_USERNAME: 'w@example.com',
        SF_PRIVATE_KEY_FILE: KEY,
        LOOM_LLM_API_KEY: 'sk-secret',
      },
    });
    expect(run.code, run.stdout).toBe(0);
    const body = JSON.parse(run.stdout) as {
      status: number;
      result: { config: Record<string, unknown>; problems: unknown[] };
    };
    expect(body.result.problems).toEqual([]);
    expect(body.result.config.LOOM_LLM_API_KEY).toBe('[set]');
  });
});
