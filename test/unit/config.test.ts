import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkerConfig } from '../../src/config-check.ts';
import { loadConfig, loadDotEnv } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.SF_API_VERSION).toBe('62.0');
    expect(config.LOOM_REPLAY_FROM).toBe(-1);
    expect(config.REDIS_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every invalid variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ LOOM_CONCURRENCY: 'many', REDIS_URL: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('LOOM_CONCURRENCY');
    expect(message).toContain('REDIS_URL');
  });

  it('runs the reconciliation sweep every 5 minutes with a 5-minute grace unless told otherwise; 0 turns it off', () => {
    expect(loadConfig({})).toMatchObject({ LOOM_RECONCILE_MS: 300_000, LOOM_RECONCILE_GRACE_MS: 300_000 });
    expect(loadConfig({ LOOM_RECONCILE_MS: '0' }).LOOM_RECONCILE_MS).toBe(0);
    expect(() => loadConfig({ LOOM_RECONCILE_MS: '500' })).toThrow(
      /LOOM_RECONCILE_MS: must be 0 \(off\) or at least 1000/,
    );
    expect(() => loadConfig({ LOOM_RECONCILE_MS: '-1' })).toThrow(/LOOM_RECONCILE_MS/);
    expect(() => loadConfig({ LOOM_RECONCILE_GRACE_MS: '10' })).toThrow(/LOOM_RECONCILE_GRACE_MS/);
  });

  it('splits trusted publishers', () => {
    expect(loadConfig({ LOOM_TRUSTED_PUBLISHERS: '005A, 005B' }).LOOM_TRUSTED_PUBLISHERS).toEqual(['005A', '005B']);
  });
});

describe('checkWorkerConfig', () => {
  it('reports every problem in one pass, each naming its variable and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-config-'));
    const notPem = join(dir, 'key.txt');
    writeFileSync(notPem, 'this is not a key\n');
    try {
      const { config, problems } = checkWorkerConfig({
        LOOM_CONCURRENCY: 'many',
        SF_LOGIN_URL: 'https://login.salesforce.com',
        SF_PRIVATE_KEY_FILE: notPem,
        LOOM_LLM_BASE_URL: 'localhost:11434/v1',
      });
      expect(config).toBeUndefined();
      const byVariable = Object.fromEntries(problems.map((problem) => [problem.variable, problem]));
      expect(Object.keys(byVariable).sort()).toEqual([
        'LOOM_CONCURRENCY',
        'LOOM_LLM_API_KEY',
        'LOOM_LLM_BASE_URL',
        'SF_CLIENT_ID',
        'SF_INTEGRATION_USERNAME',
        'SF_PRIVATE_KEY_FILE',
      ]);
      expect(byVariable.SF_PRIVATE_KEY_FILE?.message).toBe(`${notPem} is not a PEM private key`);
      expect(byVariable.LOOM_LLM_BASE_URL?.message).toMatch(/must be an http\(s\) URL/);
      for (const problem of problems) expect(problem.fix.length, problem.variable).toBeGreaterThan(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts a complete configuration with the scripted model', () => {
    const { config, problems } = checkWorkerConfig({
      SF_LOGIN_URL: 'https://login.salesforce.com',
      SF_CLIENT_ID: 'id',
      SF_INTEGRATION_USERNAME: 'worker@example.com',
      SF_PRIVATE_KEY_FILE: new URL('../../scripts/seeds/keys/loom-worker.key', import.meta.url).pathname,
      LOOM_LLM_ADAPTER: 'scripted',
      LOOM_LLM_SCRIPT: 'script.yaml',
    });
    expect(problems).toEqual([]);
    expect(config?.SF_CLIENT_ID).toBe('id');
  });
});

describe('loadDotEnv', () => {
  it('loads an optional .env without overriding the real environment, and ignores a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nLOOM_DOTENV_TEST_NEW=from-file\nLOOM_DOTENV_TEST_SET="from file"\n');
    process.env.LOOM_DOTENV_TEST_SET = 'from-env';
    try {
      loadDotEnv(file);
      expect(process.env.LOOM_DOTENV_TEST_NEW).toBe('from-file');
      expect(process.env.LOOM_DOTENV_TEST_SET).toBe('from-env');
      expect(() => loadDotEnv(join(dir, 'missing.env'))).not.toThrow();
    } finally {
      delete process.env.LOOM_DOTENV_TEST_NEW;
      delete process.env.LOOM_DOTENV_TEST_SET;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
