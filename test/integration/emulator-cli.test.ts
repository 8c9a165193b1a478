/**
 * `loom emulator --seed <file>` as a new user runs it: a real child process on a free port. The banner must give the
 * instance URL, a working login for every seeded user who may log in, and a start-a-turn example that actually starts one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LENDING_SCRIPT } from '../../src/dev/lending-agent.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { silentLogger } from '../../src/logger.ts';
import { startService } from '../../src/ops/service.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED = 'scripts/seeds/lending.yaml';

// Waits below are on observed events; this only bounds a hung run (at load average 10 a process start takes long).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let child: ChildProcessWithoutNullStreams;
let banner = '';

/** Resolves with everything printed up to the closing hint; rejects when the process exits first. */
function readBanner(proc: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C stops the emulator.')) resolve(out);
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => reject(new Error(`emulator exited with ${code} before its banner:\n${out}\n${err}`)));
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ['src/bin/loom.js', 'emulator', '--seed', SEED, '--port', '0'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  banner = await readBanner(child);
});

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  await exited;
});

const instanceUrl = (): string => {
  const match = /instance \/ login URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
  expect(match, banner).not.toBeNull();
  return match![1]!;
};

/** username → the access token printed under it (undefined when the banner says it has none). */
function printedTokens(): Map<string, string | undefined> {
  const tokens = new Map<string, string | undefined>();
  let user: string | undefined;
  for (const line of banner.split('\n')) {
    const heading = /^(\S+@\S+)\s/.exec(line);
    if (heading) user = heading[1];
    const token = /^\s+access token: (\S+)$/.exec(line);
    if (user && token) tokens.set(user, token[1]);
    if (user && /^\s+no token: /.test(line)) tokens.set(user, undefined);
  }
  return tokens;
}

describe('loom emulator --seed', () => {
  it('prints the instance URL and a JWT login command for every seeded user', () => {
    const url = instanceUrl();
    for (const username of [
      'admin@lending.test',
      'officer@lending.test',
      'underwriter@lending.test',
      'worker@lending.test',
    ]) {
      expect(banner).toContain(`sf org login jwt --username ${username} `);
    }
    expect(banner).toMatch(
      new RegExp(`--jwt-key-file \\S+loom-worker\\.key --instance-url ${url.replace(/\./g, '\\.')}`),
    );
  });

  it('prints tokens that work as their own user, and none for a user the app is not pre-authorized for', async () => {
    const tokens = printedTokens();
    expect(tokens.get('unapproved@lending.test')).toBeUndefined();
    expect(banner).toMatch(/unapproved@lending\.test[^\n]*\n[^\n]*\n\s+no token: user hasn't approved this consumer/);
    for (const username of ['officer@lending.test', 'underwriter@lending.test']) {
      const conn = new jsforce.Connection({
        instanceUrl: instanceUrl(),
        accessToken: tokens.get(username)!,
        version: '62.0',
      });
      const identity = await conn.identity();
      expect(identity.username).toBe(username);
    }
    // The officer's printed token sees the officer's restrictions, not an admin's.
    const officer = new jsforce.Connection({
      instanceUrl: instanceUrl(),
      accessToken: tokens.get('officer@lending.test')!,
      version: '62.0',
    });
    await expect(officer.query('SELECT Risk_Tier__c FROM Loan_Application__c')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
  });

  it('prints a start-a-turn example (the package invocable, as its user), and the worker runs that turn', async () => {
    const line = banner.split('\n').find((text) => text.includes('curl -s -X POST'));
    expect(line, banner).toBeDefined();
    const url = /POST (\S+)/.exec(line!)![1]!;
    const token = /Authorization: Bearer ([^']+)'/.exec(line!)![1]!;
    const body = /-d '(\{.*\})'/.exec(line!)![1]!;
    expect(url).toBe(`${instanceUrl()}/services/data/v62.0/actions/custom/apex/StartAgentTurnAction`);
    const keyFile = /--jwt-key-file (\S+)/.exec(banner)![1]!;
    const consumerKey = /consumer key (\S+)/.exec(banner)![1]!;
    const stateDir = mkdtempSync(join(tmpdir(), 'loom-emulator-cli-'));
    const service = await startService({
      env: {
        SF_LOGIN_URL: instanceUrl(),
        SF_CLIENT_ID: consumerKey,
        SF_PRIVATE_KEY_FILE: keyFile,
        SF_INTEGRATION_USERNAME: 'worker@lending.test',
        LOOM_STATE_DIR: stateDir,
        LOOM_RECONCILE_MS: '0',
      },
      provider: new ScriptedProvider(LENDING_SCRIPT),
      logger: silentLogger(),
      http: false,
    });
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body,
      });
      const [result] = (await response.json()) as Array<{
        isSuccess: boolean;
        outputValues: { isSuccess: boolean; turnIdentifier: string };
      }>;
      expect(response.status, JSON.stringify(result)).toBe(200);
      expect(result).toMatchObject({ isSuccess: true, outputValues: { isSuccess: true } });
      const turn = await service.waiter.wait(result!.outputValues.turnIdentifier, 100_000);
      expect(turn?.status).toBe('Completed');
      expect((await service.worker.snapshot()).counters.deadLettered).toBe(0);
    } finally {
      await service.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('--json prints the instance URL, users and tokens as one sf-shaped JSON object', async () => {
    const json = spawn(process.execPath, ['src/bin/loom.js', 'emulator', '--seed', SEED, '--port', '0', '--json'], {
      cwd: root,
      env: { ...process.env },
    });
    let out = '';
    const parsed = await new Promise<{
      status: number;
      result: { instanceUrl: string; pubsubUrl: string; users: Array<{ username: string; accessToken?: string }> };
    }>((resolve, reject) => {
      json.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        try {
          resolve(JSON.parse(out));
        } catch {
          // not complete yet
        }
      });
      json.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const exited = new Promise((resolve) => json.on('exit', resolve));
    json.kill('SIGTERM');
    await exited;
    expect(parsed.status).toBe(0);
    expect(parsed.result.instanceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parsed.result.pubsubUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parsed.result.pubsubUrl).not.toBe(parsed.result.instanceUrl);
    expect(parsed.result.users.find((user) => user.username === 'officer@lending.test')?.accessToken).toMatch(/^00D/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
