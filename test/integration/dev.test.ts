/**
 * `loom dev` with your own seed and script, as docs/develop-an-agent.md tells a newcomer to run it. The seed
 * (scripts/dev/my-agent/seed.yaml) has neither a worker user nor a dev key; `loom dev` adds both and says so. The printed
 * curl and jsforce examples must work for the seed's own agent, answered by the given script.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { curlExample, jsforceExample, startDev, type DevHandle } from '../../src/dev/start-dev.ts';
import { silentLogger } from '../../src/logger.ts';
import { captureCli } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SEED = join(root, 'scripts/dev/my-agent/seed.yaml');
const SCRIPT = join(root, 'scripts/dev/my-agent/script.yaml');
const QUESTION = 'Which open cases do we have?';

// Waits below are on observed events; this only bounds a hung run (at load average 10 a process start takes long).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let stateDir: string;
let dev: DevHandle;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'loom-dev-'));
  dev = await startDev({
    seedPath: SEED,
    scriptPath: SCRIPT,
    emulatorPort: 0,
    port: 0,
    sampleAgent: true,
    logger: silentLogger(),
    env: { LOOM_STATE_DIR: stateDir, LOOM_RECONCILE_MS: '0' },
  });
});

afterAll(async () => {
  await dev?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('loom dev with your own seed and script', () => {
  it('adds the worker user and a dev key the seed lacks, and says so', () => {
    expect(dev.info.added.join('\n')).toMatch(/integration user loom-worker@acme\.test with Loom_Worker/);
    expect(dev.info.added.join('\n')).toMatch(/connected app "Loom Dev" signed with the bundled dev key/);
    expect(dev.info.integrationUser).toBe('loom-worker@acme.test');
    expect(dev.service.worker.org()).toBe(dev.info.orgId);
    // Held actions need a signing key; a newcomer without one gets a per-run key (and is told), not a refused hold.
    expect(dev.info.added.join('\n')).toMatch(/signing key for held actions, for this run only/);
    expect(dev.service.config.LOOM_HITL_SIGNING_KEY).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prints a curl for the seed’s first agent that the script answers', async () => {
    expect(dev.info.agent).toBe('Support_Helper');
    const curl = curlExample(dev.info, QUESTION)!;
    expect(curl).toContain('"agentDeveloperName":"Support_Helper"');
    const url = /POST (\S+)/.exec(curl)![1]!;
    const body = /-d '(\{.*\})'/.exec(curl)![1]!;
    const response = await fetch(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${dev.info.token}`, 'Content-Type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as { status: string; responseText: string };
    expect(response.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({
      status: 'Completed',
      responseText: 'You have 2 new case(s); first: Printer on fire.',
    });
  });

  it('prints a jsforce example that starts a turn in the org as the user, which the worker runs', async () => {
    const script = jsforceExample(dev.info, QUESTION)!;
    const child = spawn(process.execPath, ['--input-type=module'], {
      cwd: root,
      env: { ...process.env, SF_ACCESS_TOKEN: dev.info.requester!.accessToken },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdin.end(script);
    expect(await new Promise((resolve) => child.on('close', resolve)), err).toBe(0);
    expect(out).toMatch(/^turn \S+: execution \w{18}, message \w{18}$/m);
    const turnId = /^turn (\S+):/.exec(out)![1]!;
    const turn = await dev.service.waiter.wait(turnId, 100_000);
    expect(turn).toMatchObject({
      status: 'Completed',
      responseText: 'You have 2 new case(s); first: Printer on fire.',
    });
  });

  it('honours LOOM_LLM_SCRIPT when no --script is given', async () => {
    const other = await startDev({
      seedPath: SEED,
      emulatorPort: 0,
      port: 0,
      sampleAgent: false,
      logger: silentLogger(),
      env: { LOOM_STATE_DIR: stateDir, LOOM_RECONCILE_MS: '0', LOOM_LLM_SCRIPT: SCRIPT },
    });
    try {
      expect(other.info.model).toBe(`scripted (${SCRIPT})`);
      const started = await other.service.turns.start({
        agentDeveloperName: 'Support_Helper',
        message: 'hello',
        requestingUserId: other.info.requester!.id,
        organizationId: other.info.orgId,
      });
      const answer = await other.service.turns.waitFor(started, 100_000);
      expect(answer.responseText).toBe('Ask me about open cases.');
    } finally {
      await other.close();
    }
  });

  it('keeps state per seed: the org ID comes from the seed, and dead letters land where loom worker dead-letter reads', async () => {
    const lending = await startDev({
      seedPath: join(root, 'scripts/seeds/lending.yaml'),
      emulatorPort: 0,
      port: 0,
      sampleAgent: false,
      logger: silentLogger(),
      env: { LOOM_STATE_DIR: stateDir, LOOM_RECONCILE_MS: '0' },
    });
    try {
      expect(lending.info.orgId).not.toBe(dev.info.orgId);
      // A malformed event is dead-lettered by the worker of this org…
      // (published in system context as the requester, as Apex would: users hold no Create on the event)
      const org = dev.emulator.org;
      const published = org.create(org.systemAccess(dev.info.requester!.id), 'AgentTurnRequest__e', {
        AgentExecutionId__c: 'not an id',
        TurnIdentifier__c: 't-1',
      });
      expect(published.eventUuid).toEqual(expect.any(String));
      await expect
        .poll(() => dev.service.worker.snapshot().then((snapshot) => snapshot.counters.deadLettered), {
          timeout: 100_000,
        })
        .toBe(1);
      // …and `loom worker dead-letter` (no --org: the only org with dead letters) finds it in the same folder.
      const listed = await captureCli(['worker', 'dead-letter', '--json'], { env: { LOOM_STATE_DIR: stateDir } });
      expect(listed.code, listed.stderr).toBe(0);
      const body = JSON.parse(listed.stdout) as { status: number; result: Array<{ reason: string }> };
      expect(body.status).toBe(0);
      expect(body.result.map((entry) => entry.reason)).toEqual(['malformed:payload']);
    } finally {
      await lending.close();
    }
  });

  it('an explicitly asked port that is taken is a one-line error naming it (the default port falls back to a free one)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const result = await captureCli(['dev', '--seed', SEED, '--emulator-port', String(taken), '--port', '0'], {
        env: { LOOM_STATE_DIR: stateDir },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `loom: port ${taken} on 127.0.0.1 is in use: choose another with --port (0 picks a free one) or stop what holds it\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('reports a seed it cannot read on one line, without a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-dev-seed-'));
    writeFileSync(join(dir, 'bad.yaml'), 'users: []\n');
    try {
      const missing = await captureCli(['dev', '--seed', join(dir, 'missing.yaml')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`loom: seed file not found: ${join(dir, 'missing.yaml')}\n`);
      const bad = await captureCli(['dev', '--seed', join(dir, 'bad.yaml')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^loom: .*bad\.yaml is invalid/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npx loom dev (a real process)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });

  it('starts with a seed that has no worker user, prints the examples for its agent, and stops on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [
        'src/bin/loom.js',
        'dev',
        '--seed',
        SEED,
        '--script',
        SCRIPT,
        '--emulator-port',
        '0',
        '--port',
        '0',
        '--log-level',
        'warn',
      ],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', LOOM_STATE_DIR: stateDir, LOOM_RECONCILE_MS: '0' },
      },
    );
    let out = '';
    let err = '';
    const banner = await new Promise<string>((resolve, reject) => {
      child!.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ctrl-C stops both.')) resolve(out);
      });
      child!.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child!.on('exit', (code) => reject(new Error(`loom dev exited with ${code} before its banner:\n${out}\n${err}`)));
    });
    expect(banner).toContain('added integration user loom-worker@acme.test');
    expect(banner).toContain('"agentDeveloperName":"Support_Helper"');
    expect(banner).toContain("agentDeveloperName: 'Support_Helper'");
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
