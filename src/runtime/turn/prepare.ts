import type { Logger } from '../../logger.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { AgentConfig } from '../agent-registry.ts';
import type { LoopDeps } from '../governed-loop.ts';
import { applyOrgSettings } from '../org-settings.ts';
import type { HitlGate, TurnTrust } from '../ports.ts';
import { LedgeredExecutor } from '../side-effect-ledger.ts';
import { toolsForUser, UserToolExecutor, validateArguments } from '../tools/toolbox.ts';
import type { TurnContext } from '../turn-context.ts';
import type { TurnRecorder } from '../turn-recorder.ts';
import { createTurnTrust } from '../turn-trust.ts';
import type { Access } from './authorize.ts';
import { staleCheck } from './stale-check.ts';
import { buildGraph, withApprovalRequest } from './tool-offer.ts';
import type { HeldTurnIdentity, Refusal, TurnServices, TurnSetup } from './types.ts';

/** A turn that passed the access checks, about to be prepared. */
export interface PreparedTurn {
  context: TurnContext;
  turnId: string;
  recorder: TurnRecorder;
  log: Logger;
  signal: AbortSignal;
  identity?: HeldTurnIdentity | undefined;
}

/** Whose session the tools run in, and how their steps name it when that is not the requester. */
interface ToolIdentity {
  toolClient: SalesforceClient;
  executionIdentity: string | undefined;
}

/**
 * Everything the loop needs, built once per turn: the agent under the org settings, the tools the user (or the
 * configured service identity) may run and the flow graph over them, the trust layers, the HITL gate, the loop input.
 */
export async function prepareTurn(
  services: TurnServices,
  turn: PreparedTurn,
  access: Access,
): Promise<TurnSetup | { refused: Refusal }> {
  const { context, turnId, recorder, log } = turn;
  const agent = await loadAgent(services, turn, access);
  const identity = toolIdentity(services, agent, access.userClient, log);
  if ('refused' in identity) return identity;
  const { tools: offered } = await toolsForUser(agent.capabilities, identity.toolClient, services.describes);
  const tools = offered.map(withApprovalRequest);
  const graph = buildGraph(
    agent,
    tools.map((tool) => tool.name),
    recorder,
  );
  const trust = createTurnTrust(agent, context.execution.Id, services.vault);
  const gate = services.gateFor({ agent, execution: context.execution, turnId, userId: access.owner, recorder, trust });
  const input: TurnSetup['input'] = {
    systemPrompt: agent.systemPrompt,
    model: agent.llm.ModelIdentifier__c || services.defaultModel || 'default',
    prices: { promptPer1M: agent.llm.PromptPricePer1M__c, completionPer1M: agent.llm.CompletionPricePer1M__c },
    maxSteps: agent.maxSteps,
    tokenBudget: agent.tokenBudget,
    safetyMode: agent.safetyMode,
    toolReasoning: agent.toolReasoning,
    tools: graph === 'closed' ? [] : tools,
  };
  const loopDeps = loopDepsFor(services, turn, { agent, identity, trust, gate, graph });
  return { agent, context, turnId, owner: access.owner, recorder, trust, gate, input, loopDeps, log };
}

/**
 * The agent's configuration with the org settings applied; what they overrode and the capabilities hidden as invalid
 * are recorded. A resumed turn reads the agent as it is now (its held call's capability is verified separately).
 */
async function loadAgent(services: TurnServices, turn: PreparedTurn, access: Access): Promise<AgentConfig> {
  const { context, recorder, identity } = turn;
  const { agent, overrides } = applyOrgSettings(
    await services.registry.get(
      access.agentId,
      identity ? undefined : context.execution.AIAgentDefinition__r?.LastModifiedDate,
    ),
    access.org,
  );
  for (const override of overrides)
    recorder.decision({ title: 'Org setting applied', detail: override, outcome: 'Success' });
  for (const invalid of agent.invalidCapabilities) {
    recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: 'Configuration',
      content: `Tool ${invalid.name} hidden: ${invalid.reason}`,
    });
  }
  return agent;
}

/** Tools run as the requesting user unless the agent AND the worker both name the same service identity. */
function toolIdentity(
  services: TurnServices,
  agent: AgentConfig,
  userClient: SalesforceClient,
  log: Logger,
): ToolIdentity | { refused: Refusal } {
  if (!agent.serviceIdentity) return { toolClient: userClient, executionIdentity: undefined };
  const allowed = services.serviceIdentities?.[agent.name];
  if (!allowed || allowed.toLowerCase() !== agent.serviceIdentity.toLowerCase()) {
    return {
      refused: {
        category: 'ServiceIdentityNotAllowed',
        message: `The agent asks to run tools as ${agent.serviceIdentity}, but this worker is not configured to allow it.`,
      },
    };
  }
  const toolClient = services.clientFor(agent.serviceIdentity);
  log.info({ serviceIdentity: agent.serviceIdentity }, 'tools run under the configured service identity');
  return { toolClient, executionIdentity: `service:${agent.serviceIdentity}` };
}

function loopDepsFor(
  services: TurnServices,
  { context, turnId, recorder, log, signal }: PreparedTurn,
  parts: {
    agent: AgentConfig;
    identity: ToolIdentity;
    trust: TurnTrust;
    gate: HitlGate;
    graph: ReturnType<typeof buildGraph>;
  },
): LoopDeps {
  const { agent, identity, trust, gate, graph } = parts;
  const executionId = context.execution.Id;
  return {
    provider: services.providerFor(agent),
    executor: new LedgeredExecutor(
      new UserToolExecutor(identity.toolClient, services.describes, identity.executionIdentity, services.tools),
      services.ledger,
      { executionId, turnId },
      log,
    ),
    trust,
    gate,
    graph: graph === 'closed' || graph === null ? null : graph,
    recorder,
    validateArgs: validateArguments,
    signal,
    isStale: staleCheck(services, executionId, turnId, log),
  };
}
