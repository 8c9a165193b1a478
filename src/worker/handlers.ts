import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { PermanentError } from '../errors.ts';
import { FileTokenVault, MemoryTokenVault, RedisTokenVault, type TokenVault } from '../governance/pii/index.ts';
import { createProviderFromConfig } from '../llm/index.ts';
import type { Logger } from '../logger.ts';
import type { JobHandler, JobOutcome, LoomJob } from '../runtime/jobs.ts';
import type { HitlGate } from '../runtime/ports.ts';
import { FileSideEffectLedger, RedisSideEffectLedger } from '../runtime/side-effect-ledger.ts';
import { createTurnHandler, type TurnHandlerDeps } from '../runtime/turn-handler.ts';
import { toolSettingsFromConfig } from '../runtime/tools/tool-settings.ts';
import type { ApiMeter } from '../salesforce/api-meter.ts';
import { SalesforceClient } from '../salesforce/rest-client.ts';
import type { SessionPool } from '../salesforce/session-pool.ts';

/** One handler per job kind; the router is what both queues call. */
export interface HandlerSet {
  turn?: JobHandler;
  decision?: JobHandler;
  sweep?: JobHandler;
}

/** Routes a job to the handler of its kind. A kind this worker cannot run fails permanently (dead letter), never silently. */
export function routeJobs(handlers: HandlerSet): JobHandler {
  return {
    async handle(job: LoomJob, signal: AbortSignal): Promise<JobOutcome> {
      const handler = handlers[job.kind];
      if (!handler) throw new PermanentError(`this worker has no handler for ${job.kind} jobs`, { category: 'Configuration' });
      return handler.handle(job, signal);
    },
  };
}

/**
 * Until a HITL gate is wired in, tools that need a person are refused: the gate fails closed rather than letting a
 * side effect run unapproved.
 */
export function refusingGate(): HitlGate {
  return {
    async review(request) {
      if (!request.tool.hitlMode && !request.modelRequestedApproval) return { decision: 'execute', args: request.args };
      throw new PermanentError(`Tool ${request.tool.name} needs human approval, but this worker has no approval module configured`, { category: 'HitlUnavailable' });
    },
  };
}

export interface DefaultHandlerDeps {
  config: Config;
  logger: Logger;
  pool: SessionPool;
  meter: ApiMeter;
  integration: SalesforceClient;
  redis?: Redis;
  gateFor?: TurnHandlerDeps['gateFor'];
  decision?: JobHandler;
}

/** The production handlers: governed turns (src/runtime) and, when given, HITL decisions. */
export function createDefaultHandler(deps: DefaultHandlerDeps): JobHandler {
  const { config, logger } = deps;
  const clients = new Map<string, SalesforceClient>();
  const clientFor = (username: string): SalesforceClient => {
    const key = username.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new SalesforceClient(username, { pool: deps.pool, apiVersion: config.SF_API_VERSION, meter: deps.meter, logger });
      clients.set(key, client);
    }
    return client;
  };
  const provider = createProviderFromConfig(config, logger);
  const turn = createTurnHandler({
    logger,
    meter: deps.meter,
    integration: deps.integration,
    clientFor,
    providerFor: () => provider,
    vault: vaultFor(config, logger, deps.redis),
    gateFor: deps.gateFor ?? (() => refusingGate()),
    trustedPublishers: config.LOOM_TRUSTED_PUBLISHERS,
    ...(config.LOOM_LLM_MODEL ? { defaultModel: config.LOOM_LLM_MODEL } : {}),
    tools: toolSettingsFromConfig(config, process.env),
    // A side effect runs once per tool call even when a killed worker's job is retried elsewhere.
    ledger: deps.redis ? new RedisSideEffectLedger(deps.redis, config.LOOM_QUEUE_PREFIX) : new FileSideEffectLedger(join(config.LOOM_STATE_DIR, 'side-effects.jsonl')),
  });
  return routeJobs({ turn, ...(deps.decision ? { decision: deps.decision } : {}) });
}

/** PII token vault: Redis in scaled mode, an encrypted file in embedded mode; memory only without LOOM_VAULT_KEY. */
function vaultFor(config: Config, logger: Logger, redis: Redis | undefined): TokenVault {
  if (!config.LOOM_VAULT_KEY) {
    logger.warn('LOOM_VAULT_KEY is not set: PII tokens live in memory only and cannot be restored after a restart');
    return new MemoryTokenVault();
  }
  if (redis) return new RedisTokenVault(redis, config.LOOM_VAULT_KEY, 72 * 3600, { prefix: `${config.LOOM_QUEUE_PREFIX}:vault` });
  return new FileTokenVault(join(config.LOOM_STATE_DIR, 'vault'), config.LOOM_VAULT_KEY);
}
