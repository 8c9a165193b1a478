/**
 * The worker service as `loom worker` runs it: HITL wired from LOOM_HITL_SIGNING_KEY, overdue approvals expired by the
 * interval sweeper without anyone calling it, and the CLI process serving its HTTP surface until SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDING_SCRIPT, provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { startTurn } from '../../src/runtime/start-turn.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';

let emulator: EmulatorHandle;
let stateDir: string;
let env: Record<string, string>;
let service: Service;
let agentId: string;
/** Every raw JSON line the service logged. */
const logLines: string[] = [];

/**
 * Polls until `probe` answers. No deadline of its own: at load average 10 a turn or a process start can take many times
 * longer than on a quiet machine, so only the test's timeout (TEST_TIMEOUT_MS) bounds the wait.
 */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Generous bounds that only a hung test reaches; the waits above are event-driven. */
const TEST_TIMEOUT_MS = 180_000;
const TURN_WAIT_MS = TEST_TIMEOUT_MS - 10_000;

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 1_000 });
  const { app, privateKeyFile } = devCredentials(emulator);
  stateDir = mkdtempSync(join(tmpdir(), 'loom-worker-service-'));
  env = {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: app.consumerKey,
    SF_PRIVATE_KEY_FILE: privateKeyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
    LOOM_STATE_DIR: stateDir,
    LOOM_HITL_SIGNING_KEY: 'worker-service-test-signing-key-0123456789',
  };
  service = await startService({
    env,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    provider: new ScriptedProvider(LENDING_SCRIPT),
    http: false,
    sweepIntervalMs: 200,
    tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50 },
  });
  agentId = await provisionLendingAgent(service.runtime.clientFor('admin@lending.test'));
});

afterAll(async () => {
  await service?.close();
  await emulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the worker service', () => {
  it(
    'holds a gated update for approval and the interval sweeper expires it once overdue',
    async () => {
      expect(service.sweeper).toBeDefined();
      const officer = service.runtime.clientFor('officer@lending.test');
      const started = await startTurn(officer, { agentId, message: 'Please raise the amount of HL-1001 to 27,500.' });
      const held = await service.waiter.wait(started.turnId, TURN_WAIT_MS);
      expect(held?.status).toBe('Awaiting Action');
      const integration = service.runtime.integration;
      const pendingOf = async (): Promise<{ Id: string; Status__c: string } | undefined> =>
        (
          await integration.query<{ Id: string; Status__c: string }>(
            `SELECT Id, Status__c FROM PendingHITLAction__c WHERE AgentExecution__c = '${started.executionId}'`,
          )
        ).records[0];
      const pending = await pendingOf();
      expect(pending?.Status__c).toBe('Pending');
      // Nothing expires before its time: sweeps run (two explicit ones, not a guess at how many a sleep allows) and the
      // action is still pending.
      await service.sweeper!.runOnce('test');
      await service.sweeper!.runOnce('test');
      expect((await pendingOf())?.Status__c).toBe('Pending');

      await integration.update('PendingHITLAction__c', pending!.Id, {
        ExpiresAt__c: new Date(Date.now() - 60_000).toISOString(),
      });
      // The interval sweeper (200 ms) expires it without anyone calling it.
      const expired = await until(async () => ((await pendingOf())?.Status__c === 'Expired' ? true : undefined));
      expect(expired).toBe(true);
      const amount = await officer.query<{ Amount__c: number }>(
        "SELECT Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
      );
      expect(amount.records[0]?.Amount__c).toBe(25000);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'puts org, executionId, turnId and jobId on every line a turn logs, each key once',
    async () => {
      const officer = service.runtime.clientFor('officer@lending.test');
      const started = await startTurn(officer, { agentId, message: 'Which open applications do we have?' });
      expect((await service.waiter.wait(started.turnId, TURN_WAIT_MS))?.status).toBe('Completed');
      const ofTurn = () =>
        logLines
          .map((raw) => JSON.parse(raw) as Record<string, unknown>)
          .filter((line) => line.turnId === started.turnId);
      await until(async () => (ofTurn().some((line) => line.msg === 'job finished') ? true : undefined));
      const lines = logLines
        .map((raw) => ({ raw, line: JSON.parse(raw) as Record<string, unknown> }))
        .filter(({ line }) => line.turnId === started.turnId);
      // The runner's lines, the turn handler's and the loop's: not only the one logger that happens to bind the keys.
      expect(lines.map(({ line }) => line.msg)).toEqual(
        expect.arrayContaining(['job started', 'turn finished', 'job finished']),
      );
      const orgId = (await officer.query<{ Id: string }>('SELECT Id FROM Organization')).records[0]?.Id;
      for (const { raw, line } of lines) {
        expect(line, raw).toMatchObject({
          org: orgId,
          executionId: started.executionId,
          turnId: started.turnId,
          jobId: expect.any(String),
        });
        for (const key of ['org', 'executionId', 'turnId', 'jobId'])
          expect(raw.split(`"${key}":`).length, `${key} once in ${raw}`).toBe(2);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it('without a signing key it runs no sweeper: approvals are off and gated tools are refused', async () => {
    const { LOOM_HITL_SIGNING_KEY: _omitted, ...withoutKey } = env;
    const plain = await startService({
      env: { ...withoutKey, LOOM_STATE_DIR: join(stateDir, 'plain') },
      logger: silentLogger(),
      provider: new ScriptedProvider(LENDING_SCRIPT),
      http: false,
      tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50 },
    });
    try {
      expect(plain.sweeper).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('npx loom worker', () => {
  it(
    'serves health and readiness over HTTP and stops cleanly on SIGTERM',
    async () => {
      const bin = fileURLToPath(new URL('../../src/bin/loom.js', import.meta.url));
      const child = spawn(process.execPath, [bin, 'worker'], {
        env: {
          ...process.env,
          ...env,
          LOOM_STATE_DIR: join(stateDir, 'cli'),
          LOOM_HTTP_PORT: '0',
          LOOM_LOG_LEVEL: 'error',
          LOOM_LLM_ADAPTER: 'scripted',
          LOOM_LLM_SCRIPT: fileURLToPath(new URL('../fixtures/scripts/greeting.json', import.meta.url)),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        const url = await until(async () => /HTTP on (http:\/\/\S+?);/.exec(out)?.[1]);
        expect(out).toMatch(/running in embedded mode for org 00D\w+; HTTP on .*; approvals on/);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        const ready = await until(async () => {
          const response = await fetch(`${url}/readyz`);
          return response.status === 200 ? response : undefined;
        });
        expect(((await ready.json()) as { ready?: boolean }).ready).toBe(true);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
