/**
 * A whole worker runtime against an in-process emulator: real JWT sessions, real REST, the scripted model.
 * Jobs are built the way ingestion builds them, with the publisher's user ID as CreatedById.
 */
import { randomUUID } from 'node:crypto';
import { provisionLendingAgent, LENDING_SCRIPT } from '../../src/dev/lending-agent.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { MemoryTokenVault } from '../../src/governance/pii/index.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { silentLogger } from '../../src/logger.ts';
import { TURN_CHANNEL, type TurnJob } from '../../src/runtime/jobs.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/runtime-deps.ts';
import { startTurn, type StartedTurn } from '../../src/runtime/start-turn.ts';
import { devCredentials, TEST_API_VERSION } from './emulator.ts';

export const USERS = {
  admin: 'admin@lending.test',
  officer: 'officer@lending.test',
  officer2: 'officer2@lending.test',
  underwriter: 'underwriter@lending.test',
  approver: 'approver@lending.test',
  worker: 'worker@lending.test',
  nobody: 'nobody@lending.test',
} as const;

export interface Harness extends Runtime {
  provider: ScriptedProvider;
  agentId: string;
  /** Starts a turn as `username` (like AgentTurnService) and returns the job ingestion would deliver. */
  turn(username: string, message: string, options?: { executionId?: string; sessionId?: string }): Promise<{ started: StartedTurn; job: TurnJob }>;
}

export async function createHarness(
  emulator: EmulatorHandle,
  options: { script?: ScriptedScript; runtime?: Partial<RuntimeOptions> } = {},
): Promise<Harness> {
  const { app, privateKeyPem } = devCredentials(emulator);
  const provider = new ScriptedProvider(options.script ?? LENDING_SCRIPT);
  const runtime = createRuntime({
    loginUrl: emulator.url,
    clientId: app.consumerKey,
    privateKeyPem,
    integrationUsername: USERS.worker,
    apiVersion: TEST_API_VERSION,
    logger: silentLogger(),
    provider,
    vault: new MemoryTokenVault(),
    ...options.runtime,
  });
  const agentId = await provisionLendingAgent(runtime.clientFor(USERS.admin));
  return {
    ...runtime,
    provider,
    agentId,
    async turn(username, message, turnOptions = {}) {
      const client = runtime.clientFor(username);
      const started = await startTurn(client, { agentId, message, ...turnOptions });
      const job: TurnJob = {
        kind: 'turn',
        eventUuid: randomUUID(),
        replayId: 1,
        channel: TURN_CHANNEL,
        receivedAt: new Date().toISOString(),
        event: {
          AgentExecutionId__c: started.executionId,
          InteractionMessageId__c: started.messageId,
          TurnIdentifier__c: started.turnId,
          CreatedById: await client.userId(),
          CreatedDate: new Date().toISOString(),
        },
      };
      return { started, job };
    },
  };
}

/** The audit trail of an execution, read back as the admin, in order. */
export async function stepsOf(harness: Harness, executionId: string): Promise<Array<Record<string, unknown>>> {
  const { records } = await harness.clientFor(USERS.admin).query(
    `SELECT StepKey__c, TurnIdentifier__c, Sequence__c, StepType__c, StepRole__c, Content__c, ToolName__c, ToolArguments__c, ToolResult__c, IsError__c, ErrorCategory__c, TotalTokens__c, EstimatedCostUSD__c, SafetyVerdict__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Timestamp__c, Sequence__c`,
  );
  return records;
}

/** What the user was shown for an execution: the outbound messages, oldest first (real values, unmasked). */
export async function answersOf(harness: Harness, executionId: string): Promise<string[]> {
  const { records } = await harness.clientFor(USERS.admin).query<{ Content__c: string }>(
    `SELECT Content__c FROM InteractionMessage__c WHERE AgentExecution__c = '${executionId}' AND Direction__c = 'Outbound' ORDER BY CreatedDate`,
  );
  return records.map((record) => record.Content__c);
}
