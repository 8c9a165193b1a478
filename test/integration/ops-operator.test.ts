/** Operator tools against the emulator: `executions show` reads the audit trail; `replay` rewinds without re-running. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { LENDING_SCRIPT, provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { silentLogger } from '../../src/logger.ts';
import { formatExecution, loadExecution } from '../../src/ops/executions.ts';
import { progressLine, rewindCheckpoints, untilQuiet } from '../../src/ops/replay.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { startTurn } from '../../src/runtime/start-turn.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';

let emulator: EmulatorHandle;
let stateDir: string;
let env: Record<string, string>;
let executionId: string;

const start = (): Promise<Service> =>
  startService({
    env,
    logger: silentLogger(),
    provider: new ScriptedProvider(LENDING_SCRIPT),
    http: false,
    tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50 },
  });

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 1_000 });
  const { app, privateKeyFile } = devCredentials(emulator);
  stateDir = mkdtempSync(join(tmpdir(), 'loom-operator-'));
  env = {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: app.consumerKey,
    SF_PRIVATE_KEY_FILE: privateKeyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
    LOOM_STATE_DIR: stateDir,
  };
  const service = await start();
  const agentId = await provisionLendingAgent(service.runtime.clientFor('admin@lending.test'));
  const started = await startTurn(service.runtime.clientFor('officer@lending.test'), {
    agentId,
    message: 'Which open applications do we have?',
  });
  executionId = started.executionId;
  await service.waiter.wait(started.turnId, 20_000);
  await service.close();
});

afterAll(async () => {
  await emulator.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('loom executions show', () => {
  it('reads an execution and its steps in order, with progress', async () => {
    const service = await start();
    try {
      const progress: Array<[number, number]> = [];
      const report = await loadExecution(service.runtime.integration, executionId, (loaded, total) =>
        progress.push([loaded, total]),
      );
      expect(report.execution).toMatchObject({ Id: executionId, ExecutionStatus__c: 'Completed' });
      expect(report.steps.map((step) => step.StepType__c)).toEqual([
        'UserInput',
        'LLMRequest',
        'LLMResponse',
        'ToolCall',
        'ToolResult',
        'LLMRequest',
        'LLMResponse',
        'AgentResponse',
      ]);
      expect(progress.at(-1)).toEqual([8, 8]);
      const text = formatExecution(report, pc.createColors(false)).join('\n');
      expect(text).toMatch(/agent Lending_Assistant · status Completed/);
      expect(text).toMatch(/AgentResponse +I found 2 matching/);
      await expect(loadExecution(service.runtime.integration, 'nope')).rejects.toThrow(/not a Salesforce ID/);
      await expect(loadExecution(service.runtime.integration, 'a05000000000000AAA')).rejects.toThrow(/No execution/);
    } finally {
      await service.close();
    }
  });
});

describe('loom replay', () => {
  it('rewinds the stored positions and redelivers retained events without running them twice', async () => {
    const config = loadConfig(env);
    const orgId = emulator.org.orgId;
    const changes = await rewindCheckpoints(config, orgId, -2);
    expect(changes.map((change) => change.channel)).toEqual([
      '/event/AgentTurnRequest__e',
      '/event/AgentHITLDecision__e',
    ]);
    expect(typeof changes[0]?.previous).toBe('number');
    const file = JSON.parse(readFileSync(join(stateDir, orgId, 'checkpoints.json'), 'utf8')) as {
      channels: Record<string, { replayId: number }>;
    };
    expect(file.channels['/event/AgentTurnRequest__e']?.replayId).toBe(-2);

    const service = await start();
    try {
      const lines: string[] = [];
      const final = await untilQuiet(() => service.worker.snapshot(), {
        quietMs: 300,
        everyMs: 50,
        maxMs: 15_000,
        onProgress: (snapshot) => lines.push(progressLine(snapshot)),
      });
      expect(final.counters.received).toBeGreaterThanOrEqual(1);
      expect(final.counters.duplicates).toBe(final.counters.received);
      expect(final.counters.completed).toBe(0);
      expect(lines.at(-1)).toMatch(/^received \d+ · enqueued 0 · duplicates \d+ · completed 0/);
      const report = await loadExecution(service.runtime.integration, executionId);
      expect(report.steps).toHaveLength(8);
    } finally {
      await service.close();
    }
  });
});
