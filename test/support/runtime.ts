/**
 * A whole worker runtime against an in-process emulator: real JWT sessions, real REST, the scripted model.
 * Jobs are built the way ingestion builds them, with the publisher's user ID as CreatedById.
 */
import { randomUUID } from 'node:crypto';
import { provisionLendingAgent, LENDING_SCRIPT, shareAgentWithLoomUsers } from '../../src/dev/lending-agent.ts';
import { submitDecision } from '../../src/emulator/apex/hitl-decision.ts';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { MemoryTokenVault } from '../../src/governance/pii/index.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../src/llm/script-schema.ts';
import { silentLogger } from '../../src/logger.ts';
import {
  DECISION_CHANNEL,
  TURN_CHANNEL,
  type DecisionJob,
  type DecisionValue,
  type TurnJob,
} from '../../src/runtime/jobs.ts';
import { recordTurn, startTurn, type StartedTurn } from '../../src/runtime/start-turn.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/worker/runtime-deps.ts';
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
  /**
   * Starts a turn as `username` through the package's StartAgentTurnAction (emulated AgentTurnService; the lending
   * agent unless `agentId` is given) and returns the job ingestion would deliver. `recorded`: write it the way the
   * worker's /v1/turns does instead (REST as the user, none of Apex's checks), for tests of the worker's own refusals.
   */
  turn(
    username: string,
    message: string,
    options?: { agentId?: string; executionId?: string; sessionId?: string; recorded?: boolean },
  ): Promise<{ started: StartedTurn; job: TurnJob }>;
  /**
   * Decides as `username` through the package's `DecidePendingActionAction` (emulated AgentHITLService) and returns
   * the job ingestion would deliver; throws ApexRefusal when Apex refuses. `Run` is forged (it is the worker's own).
   */
  decide(
    username: string,
    pendingActionId: string,
    decision: DecisionValue,
    options?: { comment?: string; editedArguments?: Record<string, unknown> },
  ): Promise<DecisionJob>;
  /**
   * Asserts AgentHITLService refuses this decision, then returns the same decision forged past it: the worker's own
   * re-check must refuse it too (defence in depth).
   */
  refusedByApex(
    username: string,
    pendingActionId: string,
    decision: DecisionValue,
    options?: { comment?: string; editedArguments?: Record<string, unknown> },
  ): Promise<DecisionJob>;
  /**
   * Delivers a decision WITHOUT AgentHITLService's checks (record fields + event in system context, as the user):
   * for tests of the worker's own re-checks, which must hold even if something bypassed Apex.
   */
  forgeDecision(
    username: string,
    pendingActionId: string,
    decision: DecisionValue,
    options?: { comment?: string; editedArguments?: Record<string, unknown> },
  ): Promise<DecisionJob>;
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
  const forge: Harness['forgeDecision'] = async (username, pendingActionId, decision, decideOptions = {}) => {
    const deciderId = await runtime.clientFor(username).userId();
    const org = emulator.org as Org;
    // `Run` is the worker's own event (published over REST by the integration user, no record fields); tests also
    // deliver it from others, so it is published in system context as the given user.
    const published =
      decision === 'Run'
        ? {
            requestId: null,
            eventUuid:
              org.create(org.systemAccess(deciderId), 'AgentHITLDecision__e', {
                PendingActionId__c: pendingActionId,
                Decision__c: 'Run',
              }).eventUuid ?? randomUUID(),
          }
        : submitDecision(org, deciderId, {
            pendingActionId,
            decision,
            comment: decideOptions.comment ?? null,
            editedArgumentsJson: decideOptions.editedArguments ? JSON.stringify(decideOptions.editedArguments) : null,
          });
    return decisionJob(pendingActionId, decision, deciderId, published);
  };
  const viaApex: Harness['decide'] = async (username, pendingActionId, decision, decideOptions = {}) => {
    if (decision === 'Run') return forge(username, pendingActionId, decision, decideOptions);
    // The way a Flow or the approval inbox decides: the package's DecidePendingActionAction (AgentHITLService) as
    // the user, which refuses what the user may not decide and otherwise writes the record and publishes the event.
    const client = runtime.clientFor(username);
    const [element] = await client.request<
      Array<{ isSuccess: boolean; errors: unknown; outputValues: { isSuccess: boolean; errorMessage: string | null } }>
    >('POST', '/actions/custom/apex/DecidePendingActionAction', {
      inputs: [
        {
          pendingActionId,
          decision,
          comment: decideOptions.comment ?? null,
          editedArgumentsJson: decideOptions.editedArguments ? JSON.stringify(decideOptions.editedArguments) : null,
        },
      ],
    });
    if (!element?.isSuccess) throw new ApexRefusal(JSON.stringify(element?.errors));
    if (!element.outputValues.isSuccess) throw new ApexRefusal(String(element.outputValues.errorMessage));
    const org = emulator.org as Org;
    const deciderId = await client.userId();
    const row: Record<string, unknown> = org.store.get(pendingActionId)?.record ?? {};
    return decisionJob(pendingActionId, String(row['RequestedDecision__c']), deciderId, {
      requestId: String(row['DecisionRequestId__c']),
      eventUuid: randomUUID(),
    });
  };
  return {
    ...runtime,
    provider,
    agentId,
    async turn(username, message, { recorded, sessionId, ...turnOptions } = {}) {
      const client = runtime.clientFor(username);
      const started = recorded
        ? await recordTurn(client, { agentId, message, ...(sessionId ? { sessionId } : {}), ...turnOptions })
        : await startTurn(client, { agentId, message, ...turnOptions });
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
    decide: viaApex,
    forgeDecision: (username, pendingActionId, decision, decideOptions = {}) =>
      forge(username, pendingActionId, decision, decideOptions),
    async refusedByApex(username, pendingActionId, decision, decideOptions = {}) {
      const refusal = await viaApex(username, pendingActionId, decision, decideOptions).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(refusal instanceof ApexRefusal))
        throw new Error(`AgentHITLService accepted ${decision} by ${username}: ${String(refusal ?? 'no error')}`);
      return forge(username, pendingActionId, decision, decideOptions);
    },
  };
}

/** AgentHITLService refused the decision (its error message). */
export class ApexRefusal extends Error {
  override readonly name = 'ApexRefusal';
}

function decisionJob(
  pendingActionId: string,
  decision: string,
  deciderId: string,
  published: { requestId: string | null; eventUuid: string },
): DecisionJob {
  return {
    kind: 'decision',
    eventUuid: published.eventUuid,
    replayId: 1,
    channel: DECISION_CHANNEL,
    receivedAt: new Date().toISOString(),
    event: {
      PendingActionId__c: pendingActionId,
      Decision__c: decision as DecisionValue,
      DecisionRequestId__c: published.requestId,
      CreatedById: deciderId,
      CreatedDate: new Date().toISOString(),
    },
  };
}

/** Pending HITL actions of an execution, oldest first, read back as the admin. */
export async function pendingOf(
  harness: Harness,
  executionId: string,
): Promise<Array<Record<string, unknown> & { Id: string; Status__c: string }>> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<Record<string, unknown> & { Id: string; Status__c: string }>(
      `SELECT Id, ActionKey__c, Status__c, HITLType__c, ToolName__c, ToolArgumentsJSON__c, ReviewedArgumentsJSON__c, ArgumentsSignature__c, Approver__c, RequestingUser__c, OwnerId, ResolvedBy__c, ResolvedAt__c, ResolutionComment__c, ExpiresAt__c, PolicyReason__c, TurnIdentifier__c FROM PendingHITLAction__c WHERE AgentExecution__c = '${executionId}' ORDER BY RequestedAt__c`,
    );
  return records;
}

/** The audit trail of an execution, read back as the admin, in order. */
export async function stepsOf(harness: Harness, executionId: string): Promise<Array<Record<string, unknown>>> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query(
      `SELECT StepKey__c, TurnIdentifier__c, Sequence__c, StepType__c, StepRole__c, Content__c, ToolName__c, ToolArguments__c, ToolResult__c, IsError__c, ErrorCategory__c, TotalTokens__c, EstimatedCostUSD__c, SafetyVerdict__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Timestamp__c, Sequence__c`,
    );
  return records;
}

/** What the user was shown for an execution: the outbound messages, oldest first (real values, unmasked). */
export async function answersOf(harness: Harness, executionId: string): Promise<string[]> {
  const { records } = await harness
    .clientFor(USERS.admin)
    .query<{ Content__c: string }>(
      `SELECT Content__c FROM InteractionMessage__c WHERE AgentExecution__c = '${executionId}' AND Direction__c = 'Outbound' ORDER BY CreatedDate`,
    );
  return records.map((record) => record.Content__c);
}

/**
 * An agent with these capabilities, created as the admin and shared with every Loom_User holder: active, Hybrid masking, Block safety, 5 steps, 50,000 tokens
 * unless `fields` says otherwise. Capabilities default to external, active, Standard.
 */
export async function createAgent(
  harness: Pick<Runtime, 'clientFor'>,
  name: string,
  capabilities: Array<Record<string, unknown>> = [],
  fields: Record<string, unknown> = {},
): Promise<string> {
  const admin = harness.clientFor(USERS.admin);
  const llm = await admin.query<{ Id: string }>(
    "SELECT Id FROM LLMConfiguration__c WHERE DeveloperName__c = 'Lending_Model'",
  );
  const agent = await admin.create('AIAgentDefinition__c', {
    Name: name,
    DeveloperName__c: name,
    LLMConfiguration__c: llm.records[0]?.Id,
    PIIMaskingMode__c: 'Hybrid',
    PromptSafetyMode__c: 'Block',
    MaxStepsPerTurn__c: 5,
    TokenBudgetPerTurn__c: 50_000,
    IsActive__c: true,
    ...fields,
  });
  for (const capability of capabilities) {
    await admin.create('AgentCapability__c', {
      AIAgentDefinition__c: agent.id,
      ExposureLevel__c: 'External',
      IsActive__c: true,
      ImplementationType__c: 'Standard',
      ...capability,
    });
  }
  await shareAgentWithLoomUsers(admin, agent.id);
  return agent.id;
}

/** The lending seed's read tool over loan applications (name and amount). */
export const READ_APPLICATIONS = {
  CapabilityName__c: 'get_application',
  Description__c: 'Read loan applications by ID.',
  Parameters__c: JSON.stringify({
    type: 'object',
    properties: { recordIds: { type: 'array', items: { type: 'string' } } },
    required: ['recordIds'],
  }),
  StandardActionType__c: 'GetRecords',
  BackendConfiguration__c: JSON.stringify({ object: 'Loan_Application__c', fields: ['Name', 'Amount__c'] }),
};
