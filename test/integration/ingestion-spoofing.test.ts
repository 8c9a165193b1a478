/**
 * Spoofing attempts end to end through `startService` (what `loom worker` runs) with the production turn handler: the requesting user is always
 * the platform's CreatedById, executions owned by someone else are refused and recorded, and users without Loom_User
 * cannot get a turn run.
 */
import { fileURLToPath } from 'node:url';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { devCredentials, jsforceConnection } from '../support/emulator.ts';
import { FAST, OFFICER, startHarness, until, WORKER_USER, type Harness } from './ingestion-harness.ts';

let h: Harness;
let worker: Service;
let officer2: Connection;

beforeAll(async () => {
  h = await startHarness();
  const { app, privateKeyFile } = devCredentials(h.emulator);
  worker = await startService({
    env: {
      SF_LOGIN_URL: h.emulator.url,
      SF_CLIENT_ID: app.consumerKey,
      SF_PRIVATE_KEY_FILE: privateKeyFile,
      SF_INTEGRATION_USERNAME: WORKER_USER,
      SF_API_VERSION: '62.0',
      LOOM_STATE_DIR: h.stateDir,
      LOOM_LLM_ADAPTER: 'scripted',
      LOOM_LLM_SCRIPT: fileURLToPath(new URL('../fixtures/scripts/greeting.json', import.meta.url)),
    },
    logger: silentLogger(),
    http: false,
    tuning: FAST,
  });
  officer2 = await jsforceConnection(h.emulator, 'officer2@lending.test');
});

afterAll(async () => {
  await worker?.close();
  await h.close();
});

const userId = (username: string): string => h.emulator.org.userByUsername(username)?.id ?? '';

async function ownExecution(connection: Connection, username = 'officer@lending.test'): Promise<string> {
  const session = (await connection.sobject('InteractionSession__c').create({})) as unknown as { id: string };
  const result = (await connection
    .sobject('AgentExecution__c')
    .create({ RequestingUser__c: userId(username), InteractionSession__c: session.id })) as unknown as {
    id: string;
  };
  return result.id;
}

function errorSteps(executionId: string): Array<Record<string, unknown>> {
  return h.emulator.admin
    .records('ExecutionStep__c')
    .filter((step) => step.AgentExecution__c === executionId && step.IsError__c === true);
}

describe('spoofing through the running worker', () => {
  it('refuses a turn on an execution owned by another user and records it as a security event', async () => {
    const executionId = await ownExecution(h.officer);
    // Published the way AgentTurnService would as officer2: the worker must still refuse another user's execution.
    const uuid = await h.publishTurn(
      { AgentExecutionId__c: executionId, TurnIdentifier__c: 'spoof-owner' },
      'officer2@lending.test',
    );
    const entry = await until(
      async () => (await worker.worker.deadLetter().list()).find((e) => e.eventUuid === uuid),
      'the dead-letter entry',
    );
    expect(entry).toMatchObject({ reason: 'security:refused', executionId });
    expect(errorSteps(executionId).map((step) => step.ErrorCategory__c)).toContain('SecurityViolation');
    const execution = h.emulator.admin.records('AgentExecution__c').find((record) => record.Id === executionId);
    expect(execution?.ExecutionStatus__c).toBe('Failed');
  });

  it('gives a Loom_User no way to publish a turn event, let alone one naming another user', async () => {
    const executionId = await ownExecution(h.officer);
    // No user permission set grants Create on AgentTurnRequest__e: turns start only through AgentTurnService.
    for (const fields of [
      { AgentExecutionId__c: executionId, TurnIdentifier__c: 'spoof-created-by', CreatedById: userId(OFFICER) },
      { AgentExecutionId__c: executionId, RequestingUser__c: userId(OFFICER) },
      { AgentExecutionId__c: executionId, TurnIdentifier__c: 'plain' },
    ]) {
      await expect(h.publishTurn(fields, officer2)).rejects.toThrow(/INSUFFICIENT_ACCESS|NOT_FOUND|does not exist/i);
    }
  });

  it('gives a user without Loom_User no way to start a turn', async () => {
    const executionId = await ownExecution(h.officer);
    const nobody = await jsforceConnection(h.emulator, 'nobody@lending.test');
    await expect(h.publishTurn({ AgentExecutionId__c: executionId }, nobody)).rejects.toThrow(
      /INSUFFICIENT_ACCESS|does not exist/i,
    );
    expect(worker.worker.metrics.get('received')).toBe(1); // only the first test's event ever arrived
  });
});
