import type { TokenVault } from '../governance/pii/index.ts';
import { createHitl, type HitlOptions } from '../hitl/index.ts';
import type { LlmProvider } from '../llm/types.ts';
import type { Logger } from '../logger.ts';
import type { AgentConfig, AgentRegistry } from '../runtime/agent-registry.ts';
import type { JobHandler } from '../runtime/jobs.ts';
import { AGENTS_DISABLED_MESSAGE, OrgSettingsReader, type OrgSettingsSource } from '../runtime/org-settings.ts';
import type { GateDecision, HitlGate } from '../runtime/ports.ts';
import type { SideEffectLedger } from '../runtime/side-effect-ledger.ts';
import type { DescribeCache } from '../runtime/tools/describe-cache.ts';
import { createTurnHandler, type TurnHandlerDeps, type TurnResumer } from '../runtime/turn-handler.ts';
import { ApiMeter } from '../salesforce/api-meter.ts';
import { CustomPermissions } from '../salesforce/custom-permissions.ts';
import { SalesforceClient } from '../salesforce/rest-client.ts';
import { SessionPool } from '../salesforce/session-pool.ts';

export interface RuntimeOptions {
  loginUrl: string;
  clientId: string;
  privateKeyPem: string;
  integrationUsername: string;
  apiVersion: string;
  logger: Logger;
  /** One provider for every agent, or a choice per agent configuration. */
  provider: LlmProvider | ((agent: AgentConfig) => LlmProvider);
  vault: TokenVault;
  gateFor?: TurnHandlerDeps['gateFor'];
  /** Human-in-the-loop (src/hitl). Without it, tools that need a person are refused and decisions are not accepted. */
  hitl?: HitlOptions;
  trustedPublishers?: string[];
  /** Agent developer name → service username: the worker side of the opt-in service identity. */
  serviceIdentities?: Record<string, string>;
  defaultModel?: string;
  onTurnWritten?: TurnHandlerDeps['onTurnWritten'];
  /** Callout allow-list and secrets environment for HttpCallout tools (default: no callouts). */
  tools?: TurnHandlerDeps['tools'];
  /** How often a long turn checks whether a newer turn has started (default 10 s). */
  staleCheckMs?: number;
  /** Where side-effect claims live (see side-effect-ledger.ts); in-process memory when absent. */
  ledger?: SideEffectLedger;
  /** Caches the caller keeps a handle on (the benchmarks read their load counters); the turn handler's own when absent. */
  registry?: (integration: SalesforceClient) => AgentRegistry;
  describes?: DescribeCache;
  /** The org-level Loom settings; by default read from the org (one query per 30 s window). */
  settings?: (integration: SalesforceClient, orgId: () => Promise<string>) => OrgSettingsSource;
}

export interface Runtime {
  pool: SessionPool;
  meter: ApiMeter;
  integration: SalesforceClient;
  clientFor(username: string): SalesforceClient;
  turnHandler: JobHandler & TurnResumer;
  /** `decision` and `sweep` jobs (src/hitl). */
  decisionHandler: JobHandler;
  /** Every job kind: turn, decision, sweep. */
  handler: JobHandler;
  /** The org-level settings every path reads (turns, decisions, /v1/turns). */
  settings: OrgSettingsSource;
}

/**
 * Wires the Salesforce side of the worker: one JWT session pool, one API meter, one client per user (cached), the
 * integration client for Loom's own records, and the turn handler. This is the composition root of the worker's core:
 * it plugs the HITL module into the ports the runtime declares (`gateFor`, `beforeLoop`, `TurnResumer`) from one floor
 * above both, so the runtime never imports hitl.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const meter = new ApiMeter();
  const pool = new SessionPool({
    loginUrl: options.loginUrl,
    clientId: options.clientId,
    privateKeyPem: options.privateKeyPem,
    logger: options.logger,
  });
  const clients = new Map<string, SalesforceClient>();
  const clientFor = (username: string): SalesforceClient => {
    const key = username.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new SalesforceClient(username, { pool, apiVersion: options.apiVersion, meter, logger: options.logger });
      clients.set(key, client);
    }
    return client;
  };
  const integration = clientFor(options.integrationUsername);
  const orgId = async (): Promise<string> => (await pool.session(options.integrationUsername)).orgId;
  const settings = options.settings?.(integration, orgId) ?? new OrgSettingsReader(integration, orgId);
  const provider = options.provider;
  // One cache of custom permission answers for turns and decisions: at most one call per user per window.
  const permissions = new CustomPermissions();
  const hitl = options.hitl
    ? createHitl({ integration, clientFor, logger: options.logger, meter, permissions }, options.hitl)
    : null;
  const turnHandler = createTurnHandler({
    logger: options.logger,
    meter,
    integration,
    clientFor,
    permissions,
    providerFor: typeof provider === 'function' ? provider : () => provider,
    vault: options.vault,
    gateFor: options.gateFor ?? hitl?.gateFor ?? (() => refuseGatedTools),
    ...(hitl ? { beforeLoop: hitl.beforeLoop } : {}),
    ...(options.trustedPublishers ? { trustedPublishers: options.trustedPublishers } : {}),
    ...(options.serviceIdentities ? { serviceIdentities: options.serviceIdentities } : {}),
    ...(options.defaultModel ? { defaultModel: options.defaultModel } : {}),
    ...(options.onTurnWritten ? { onTurnWritten: options.onTurnWritten } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.registry ? { registry: options.registry(integration) } : {}),
    ...(options.describes ? { describes: options.describes } : {}),
    ...(options.staleCheckMs !== undefined ? { staleCheckMs: options.staleCheckMs } : {}),
    settings,
  });
  const decisionHandler = unlessDisabled(hitl ? hitl.decisionHandler(turnHandler) : refuseDecisions, settings);
  const handler: JobHandler = {
    handle: (job, signal) =>
      job.kind === 'turn' ? turnHandler.handle(job, signal) : decisionHandler.handle(job, signal),
  };
  return { pool, meter, integration, clientFor, turnHandler, decisionHandler, handler, settings };
}

/**
 * The kill switch also holds decisions: while agents are disabled a decision is refused before anything runs (the
 * action stays Pending and can be decided again once agents are enabled). Expiry sweeps still run.
 */
function unlessDisabled(handler: JobHandler, settings: OrgSettingsSource): JobHandler {
  return {
    async handle(job, signal) {
      if (job.kind === 'decision' && (await settings.get()).agentsDisabled)
        return { status: 'refused', detail: AGENTS_DISABLED_MESSAGE };
      return handler.handle(job, signal);
    },
  };
}

/** Without an approval service, a tool that needs a person can never run: fail closed. */
const refuseGatedTools: HitlGate = {
  async review(request): Promise<GateDecision> {
    if (request.tool.hitlMode === '' && !request.modelRequestedApproval)
      return { decision: 'execute', args: request.args };
    throw new Error(
      `"${request.tool.name}" requires ${request.tool.hitlMode || 'approval'}, and no approval service is configured`,
    );
  },
};

/** Without HITL configured, a decision cannot be verified, so it is never applied (fail closed). */
const refuseDecisions: JobHandler = {
  async handle(job) {
    return {
      status: 'refused',
      detail: `${job.kind} jobs need HITL (LOOM_HITL_SIGNING_KEY) configured on this worker`,
    };
  },
};
