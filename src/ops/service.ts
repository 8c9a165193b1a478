import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { assertWorkerConfig } from '../config-check.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { learnedModelLoaded } from '../governance/injection/index.ts';
import { FileTokenVault, MemoryTokenVault, RedisTokenVault, type TokenVault } from '../governance/pii/index.ts';
import { salesforceErrorSteps } from '../ingestion/error-step.ts';
import { createProviderFromConfig } from '../llm/from-config.ts';
import type { LlmProvider } from '../llm/types.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../worker/runtime-deps.ts';
import { FileSideEffectLedger, RedisSideEffectLedger, type SideEffectLedger } from '../runtime/side-effect-ledger.ts';
import { toolSettingsFromConfig } from '../runtime/tools/tool-settings.ts';
import type { TurnWritten } from '../runtime/turn-handler.ts';
import { createWorkerRuntime, type RuntimeTuning, type WorkerRuntime } from '../worker/runtime.ts';
import { integrationKey } from '../worker/start.ts';
import { startApprovalSweeper, type ApprovalSweeper } from './approval-sweeper.ts';
import { createOpsServer, listenOps } from './http-server.ts';
import { instrumentHandler } from './instrumented-handler.ts';
import { LoomMetrics } from './metrics.ts';
import { loadOpsConfig, type OpsConfig } from './ops-config.ts';
import { cachedCheck, injectionModelCheck, pingRedis, subscriptionCheck, type ReadinessCheck } from './readiness.ts';
import { startTurnReconciler, type TurnReconciler } from './turn-reconciler.ts';
import { TurnService } from './turn-service.ts';
import { TurnWaiter } from './turn-waiter.ts';

/** How long a Salesforce readiness answer is reused (a few seconds: probes are frequent, API calls are not free). */
const READINESS_CACHE_MS = 5_000;

export interface ServiceOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Replaces the provider built from LOOM_LLM_* (the demo's scripted model). */
  provider?: LlmProvider;
  /** Replaces the HITL gate built from LOOM_HITL_SIGNING_KEY (tests). */
  gateFor?: RuntimeOptions['gateFor'];
  tuning?: Partial<RuntimeTuning>;
  /** Listen address; defaults to LOOM_HTTP_HOST / LOOM_HTTP_PORT. `false` starts no HTTP server. */
  http?: { host: string; port: number } | false;
  /** Install SIGTERM/SIGINT handlers that close the service (default false; `loom worker` wants true). */
  signals?: boolean;
  /** Extra observers of written turns (the demo prints them). */
  onTurnWritten?: (turn: TurnWritten) => void;
  /** How often overdue approvals are expired (default LOOM_HITL_SWEEP_MS); only runs with HITL configured. */
  sweepIntervalMs?: number;
}

/** A running worker service: subscriber, queue, governed turns and the HTTP surface. */
export interface Service {
  config: Config;
  ops: OpsConfig;
  runtime: Runtime;
  worker: WorkerRuntime;
  metrics: LoomMetrics;
  waiter: TurnWaiter;
  turns: TurnService;
  http: FastifyInstance | undefined;
  /** Expires overdue approvals on an interval (undefined without LOOM_HITL_SIGNING_KEY). */
  sweeper: ApprovalSweeper | undefined;
  /** Runs started turns whose event never arrived, on an interval (undefined with LOOM_RECONCILE_MS=0). */
  reconciler: TurnReconciler | undefined;
  /** The HTTP server's URL, when one listens. */
  url: string | undefined;
  /** Resolves once the service has shut down (signal or `close`). */
  stopped: Promise<void>;
  close(): Promise<void>;
}

function required(config: Config): { loginUrl: string; clientId: string; username: string } {
  const missing = (['SF_LOGIN_URL', 'SF_CLIENT_ID', 'SF_INTEGRATION_USERNAME'] as const).filter(
    (name) => !config[name],
  );
  if (missing.length > 0) throw new ConfigError(`Missing configuration: ${missing.join(', ')} (run loom doctor)`);
  return {
    loginUrl: config.SF_LOGIN_URL as string,
    clientId: config.SF_CLIENT_ID as string,
    username: config.SF_INTEGRATION_USERNAME as string,
  };
}

/** PII token vault: Redis in scaled mode, an encrypted file in embedded mode, memory only without LOOM_VAULT_KEY. */
function vaultFor(config: Config, logger: Logger, redis: Redis | undefined): TokenVault {
  if (!config.LOOM_VAULT_KEY) {
    logger.warn('LOOM_VAULT_KEY is not set: PII tokens live in memory only and cannot be restored after a restart');
    return new MemoryTokenVault();
  }
  if (redis)
    return new RedisTokenVault(redis, config.LOOM_VAULT_KEY, 72 * 3600, {
      prefix: `${config.LOOM_QUEUE_PREFIX}:vault`,
    });
  return new FileTokenVault(join(config.LOOM_STATE_DIR, 'vault'), config.LOOM_VAULT_KEY);
}

/** Side-effect claims must outlive the process (a retried job may land on another worker): Redis, else a local file. */
function ledgerFor(config: Config, redis: Redis | undefined): SideEffectLedger {
  return redis
    ? new RedisSideEffectLedger(redis, config.LOOM_QUEUE_PREFIX)
    : new FileSideEffectLedger(join(config.LOOM_STATE_DIR, 'side-effects.jsonl'));
}

/** `Agent_Name=user@org` pairs from LOOM_SERVICE_IDENTITIES (validated by the config schema). */
export function serviceIdentities(config: Pick<Config, 'LOOM_SERVICE_IDENTITIES'>): Record<string, string> {
  return Object.fromEntries(config.LOOM_SERVICE_IDENTITIES.map((pair) => pair.split('=', 2) as [string, string]));
}

/**
 * Wires one worker process: JWT session pool → governed runtime (turns as the requesting user) → subscriber and queue
 * (embedded or BullMQ by REDIS_URL) → HTTP server (Apex callouts, health, readiness, metrics).
 */
export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const env = options.env ?? process.env;
  // Every problem at once (schema, Salesforce connection, key, model), each naming its variable and the fix.
  const config = assertWorkerConfig(env, { provider: options.provider !== undefined });
  const ops = loadOpsConfig(env);
  const listenAt =
    options.http === undefined ? { host: config.LOOM_HTTP_HOST, port: config.LOOM_HTTP_PORT } : options.http;
  refuseUnsignedOffLoopback(ops, listenAt);
  const logger = options.logger ?? createLogger({ level: config.LOOM_LOG_LEVEL });
  const salesforce = required(config);
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }) : undefined;
  const waiter = new TurnWaiter();
  // The metric sources read parts built below; scrapes only happen once they exist.
  const parts: MetricParts = {};
  const metrics = createMetrics(parts);
  const built = { config, env, options, logger, redis, metrics, waiter, salesforce };
  const runtime = buildRuntime(built);
  parts.runtime = runtime;
  const worker = buildWorker(built, runtime);
  parts.worker = worker;
  const started = { value: false };
  const readiness = readinessChecks(config, runtime, worker, salesforce.username, () => started.value);
  const turns = new TurnService({
    integration: runtime.integration,
    clientFor: runtime.clientFor,
    orgId: async () => (await runtime.pool.session(salesforce.username)).orgId,
    settings: runtime.settings,
    waiter,
    logger,
    submit: (job) => worker.submitReconciled(job),
    ...(worker.mode === 'scaled' ? { pollIntervalMs: ops.LOOM_SYNC_POLL_MS } : {}),
  });

  await worker.start();
  started.value = true;
  const { sweeper, reconciler } = startSweeps(built, runtime, worker);
  let http: FastifyInstance | undefined;
  let url: string | undefined;
  if (listenAt && ops.LOOM_HTTP) {
    http = createOpsServer({
      logger,
      ...(config.LOOM_METRICS === false ? {} : { metrics }),
      readiness,
      turns,
      token: config.LOOM_HTTP_TOKEN,
      ...(ops.LOOM_HTTP_SIGNING_KEY ? { signingKey: ops.LOOM_HTTP_SIGNING_KEY } : {}),
      allowUnsigned: ops.LOOM_HTTP_ALLOW_UNSIGNED,
      syncWaitMs: ops.LOOM_SYNC_WAIT_MS,
      maxWaiting: ops.LOOM_HTTP_MAX_WAITING,
    });
    try {
      url = await listenOps(http, listenAt.host, listenAt.port);
    } catch (error) {
      await sweeper?.stop();
      await reconciler?.stop();
      await worker.close();
      redis?.disconnect();
      throw error;
    }
    logger.info({ url }, 'worker HTTP server listening');
  }
  const service = { config, ops, runtime, worker, metrics, waiter, turns, http, sweeper, reconciler, url };
  return running(service, { logger, redis, signals: options.signals === true });
}

/** Unsigned turn requests trust the body's requestingUserId on the bearer token alone: loopback development only. */
function refuseUnsignedOffLoopback(ops: OpsConfig, listenAt: { host: string; port: number } | false): void {
  if (ops.LOOM_HTTP_ALLOW_UNSIGNED && !ops.LOOM_HTTP_SIGNING_KEY && listenAt && !isLoopback(listenAt.host)) {
    throw new ConfigError(
      `LOOM_HTTP_ALLOW_UNSIGNED=true is for local development: the HTTP server listens on ${listenAt.host}, not loopback. Set LOOM_HTTP_SIGNING_KEY (the Apex sync action signs its requests) or listen on 127.0.0.1.`,
    );
  }
}

/** What the service's parts are built from. */
interface BuildContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  options: ServiceOptions;
  logger: Logger;
  redis: Redis | undefined;
  metrics: LoomMetrics;
  waiter: TurnWaiter;
  salesforce: { loginUrl: string; clientId: string; username: string };
}

/** The parts the metrics read, filled in as they are built. */
interface MetricParts {
  worker?: WorkerRuntime;
  runtime?: Runtime;
}

function createMetrics(parts: MetricParts): LoomMetrics {
  return new LoomMetrics({
    ingestion: async () => parts.worker?.snapshot(),
    allocation: () => parts.runtime?.meter.allocation,
    apiCallsMade: () => parts.runtime?.meter.total ?? 0,
    approvalsPending: pendingApprovalsCounter(parts),
  });
}

/** Pending approvals for the metrics: one COUNT() query at most every 5 minutes (scrapes must not eat the allocation). */
function pendingApprovalsCounter(parts: MetricParts): () => Promise<number> {
  let approvals: { at: number; value: Promise<number> } | undefined;
  return () => {
    if (!parts.runtime) return Promise.resolve(0);
    if (!approvals || Date.now() - approvals.at > 5 * 60_000) {
      const value = parts.runtime.integration
        .query(
          "SELECT COUNT() FROM PendingHITLAction__c WHERE Status__c IN ('Pending', 'Confirmed') AND HITLType__c != 'Asynchronous'",
        )
        .then((result) => result.totalSize);
      approvals = { at: Date.now(), value };
      value.catch(() => (approvals = undefined));
    }
    return approvals.value;
  };
}

/** The governed runtime: JWT sessions, the model, the trust layers, HITL (with a signing key) and the turn handler. */
function buildRuntime(ctx: BuildContext): Runtime {
  const { config, options, logger, redis, metrics, waiter, salesforce } = ctx;
  return createRuntime({
    loginUrl: salesforce.loginUrl,
    clientId: salesforce.clientId,
    privateKeyPem: integrationKey(config),
    integrationUsername: salesforce.username,
    apiVersion: config.SF_API_VERSION,
    logger,
    provider: options.provider ?? createProviderFromConfig(config, logger),
    vault: vaultFor(config, logger, redis),
    trustedPublishers: config.LOOM_TRUSTED_PUBLISHERS,
    serviceIdentities: serviceIdentities(config),
    tools: toolSettingsFromConfig(config, ctx.env),
    ledger: ledgerFor(config, redis),
    ...(options.gateFor ? { gateFor: options.gateFor } : {}),
    // Approvals need the signing key; without it gated tools are refused and decisions are not accepted (fail closed).
    ...(config.LOOM_HITL_SIGNING_KEY
      ? {
          hitl: {
            signingKey: config.LOOM_HITL_SIGNING_KEY,
            ...(config.LOOM_HITL_DEFAULT_APPROVER ? { defaultApprover: config.LOOM_HITL_DEFAULT_APPROVER } : {}),
          },
        }
      : {}),
    ...(config.LOOM_LLM_MODEL ? { defaultModel: config.LOOM_LLM_MODEL } : {}),
    onTurnWritten: (turn) => {
      metrics.observeTurn(turn);
      waiter.notify(turn);
      options.onTurnWritten?.(turn);
    },
  });
}

/** The subscriber and queue (embedded or scaled) in front of the runtime's instrumented handler. */
function buildWorker(ctx: BuildContext, runtime: Runtime): WorkerRuntime {
  const { pool } = runtime;
  return createWorkerRuntime({
    config: ctx.config,
    logger: ctx.logger,
    handler: instrumentHandler(runtime.handler, ctx.metrics),
    meter: runtime.meter,
    errorSteps: salesforceErrorSteps(runtime.integration),
    session: async ({ refresh }) => pool.session(ctx.salesforce.username, { forceRefresh: refresh }),
    ...(ctx.options.tuning ? { tuning: ctx.options.tuning } : {}),
  });
}

function readinessChecks(
  config: Config,
  runtime: Runtime,
  worker: WorkerRuntime,
  username: string,
  started: () => boolean,
): ReadinessCheck[] {
  return [
    {
      name: 'salesforce',
      // One cheap authenticated REST call (GET /limits) as the integration user, reused for 5 s: a cached session alone
      // would say "ready" while the org refuses the token or is down.
      check: cachedCheck(READINESS_CACHE_MS, async () => {
        await runtime.integration.request('GET', '/limits');
        return {
          ok: true,
          detail: `REST answered for ${username} (org ${worker.org() || (await runtime.pool.session(username)).orgId})`,
        };
      }),
    },
    { name: 'subscription', check: subscriptionCheck(worker, started) },
    { name: 'injection_model', check: injectionModelCheck(learnedModelLoaded) },
    ...(config.REDIS_URL ? [{ name: 'redis', check: () => pingRedis(config.REDIS_URL as string) }] : []),
  ];
}

/** The approval sweeper (with HITL configured) and the reconciliation sweep (unless LOOM_RECONCILE_MS=0). */
function startSweeps(
  ctx: BuildContext,
  runtime: Runtime,
  worker: WorkerRuntime,
): { sweeper: ApprovalSweeper | undefined; reconciler: TurnReconciler | undefined } {
  const { config, logger } = ctx;
  const sweeper = config.LOOM_HITL_SIGNING_KEY
    ? startApprovalSweeper({
        handler: runtime.decisionHandler,
        intervalMs: ctx.options.sweepIntervalMs ?? config.LOOM_HITL_SWEEP_MS,
        shouldRun: () => worker.isLeader(),
        logger,
      })
    : undefined;
  // The safety net for turns whose event never arrived; like the approval sweeper, only the subscribing process runs it.
  const reconciler =
    config.LOOM_RECONCILE_MS > 0
      ? startTurnReconciler({
          integration: runtime.integration,
          worker,
          intervalMs: config.LOOM_RECONCILE_MS,
          graceMs: config.LOOM_RECONCILE_GRACE_MS,
          shouldRun: () => worker.isLeader(),
          logger,
        })
      : undefined;
  return { sweeper, reconciler };
}

/** The running service: `close` (once, also on SIGTERM/SIGINT when asked) stops every part in order. */
function running(
  parts: Omit<Service, 'stopped' | 'close'>,
  run: { logger: Logger; redis: Redis | undefined; signals: boolean },
): Service {
  const { http, sweeper, reconciler, worker } = parts;
  let closing: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    run.logger.info({ signal }, 'signal received; shutting down');
    void service.close();
  };
  if (run.signals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  const service: Service = {
    ...parts,
    stopped,
    close() {
      closing ??= (async () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await http?.close();
        await sweeper?.stop();
        await reconciler?.stop();
        await worker.close();
        await run.redis?.quit().catch(() => undefined);
        resolveStopped();
      })();
      return closing;
    },
  };
  return service;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
