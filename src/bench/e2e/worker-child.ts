/**
 * A Loom worker in its own process for the end-to-end benchmarks (forked by cluster.ts). It is `startWorker` with the
 * production turn handler; only the model is the zero-latency scripted provider, wrapped to report when each turn's
 * first model request arrives. Reports every finished turn and, on request, its CPU, memory and cache counters.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { startWorker } from '../../worker/start.ts';
import { MemoryTokenVault } from '../../governance/pii/index.ts';
import { ScriptedProvider } from '../../llm/scripted.ts';
import type { CompletionRequest, LlmProvider } from '../../llm/types.ts';
import { createLogger } from '../../logger.ts';
import { AgentRegistry } from '../../runtime/agent-registry.ts';
import type { JobHandler } from '../../runtime/jobs.ts';
import type { HitlGate } from '../../runtime/ports.ts';
import { DescribeCache } from '../../runtime/tools/describe-cache.ts';
import { createTurnHandler } from '../../runtime/turn-handler.ts';
import { ApiMeter } from '../../salesforce/api-meter.ts';
import { SalesforceClient } from '../../salesforce/rest-client.ts';
import { SessionPool } from '../../salesforce/session-pool.ts';
import { loadConfig } from '../../config.ts';
import { epochMs, WorkerCommand, type WorkerMessage } from './protocol.ts';
import { BENCH_SCRIPT } from './script.ts';

const send = (message: WorkerMessage): void => void process.send?.(message);
const config = loadConfig(process.env);
const logger = createLogger({ level: 'error', name: 'bench-worker' });
const privateKeyPem = (config.SF_PRIVATE_KEY ?? '').replace(/\\n/g, '\n');
const pool = new SessionPool({ loginUrl: config.SF_LOGIN_URL ?? '', clientId: config.SF_CLIENT_ID ?? '', privateKeyPem, logger });
const meter = new ApiMeter();
const integration = new SalesforceClient(config.SF_INTEGRATION_USERNAME ?? '', { pool, apiVersion: config.SF_API_VERSION, meter, logger });
const clients = new Map<string, SalesforceClient>();
const clientFor = (username: string): SalesforceClient => {
  let client = clients.get(username.toLowerCase());
  if (!client) {
    client = new SalesforceClient(username, { pool, apiVersion: config.SF_API_VERSION, meter, logger });
    clients.set(username.toLowerCase(), client);
  }
  return client;
};

// One IPC message per turn (sent when it is done) keeps the measurement's own cost low: the first model request's time
// is kept in the job's async context until then.
const turnClock = new AsyncLocalStorage<{ firstModelAt: number | null }>();
const scripted = new ScriptedProvider(BENCH_SCRIPT);
const provider: LlmProvider = {
  name: scripted.name,
  async complete(request: CompletionRequest) {
    const clock = turnClock.getStore();
    if (clock && clock.firstModelAt === null) clock.firstModelAt = epochMs();
    const response = await scripted.complete(request);
    scripted.requests.length = 0; // the provider records requests for tests; a long run must not keep them
    return response;
  },
};

/** Holds every tool that needs a person: the turn ends awaiting approval (the benchmark's pending conversations). */
const holdingGate: HitlGate = {
  async review(request) {
    if (request.tool.hitlMode === '' && !request.modelRequestedApproval) return { decision: 'execute', args: request.args };
    return { decision: 'hold', pendingActionId: `bench-${request.toolCallId}`, message: 'Waiting for a loan approver.', type: 'Approval' };
  },
};

const registry = new AgentRegistry(integration);
const describes = new DescribeCache();
const turns = createTurnHandler({
  logger,
  meter,
  integration,
  clientFor,
  providerFor: () => provider,
  vault: new MemoryTokenVault(),
  gateFor: () => holdingGate,
  registry,
  describes,
});
const handler: JobHandler = {
  async handle(job, signal) {
    const clock = { firstModelAt: null as number | null };
    const outcome = await turnClock.run(clock, () => turns.handle(job, signal));
    const turnId = job.kind === 'turn' ? String((job.event as { TurnIdentifier__c?: unknown }).TurnIdentifier__c ?? '') : '';
    send({ type: 'done', turnId, status: outcome.status, apiCalls: outcome.apiCalls ?? 0, firstModelAt: clock.firstModelAt, at: epochMs() });
    return outcome;
  },
};

const worker = await startWorker({ env: process.env, logger, handler, signals: false, tuning: { shutdownGraceMs: 2_000, leaderTtlMs: 5_000 } });
send({ type: 'worker-ready', pid: process.pid, mode: worker.runtime.mode });

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (raw) => {
  const command = WorkerCommand.parse(raw);
  if (command.type === 'stop') {
    void worker.close().finally(() => process.exit(0));
    return;
  }
  if (command.gc && gc) {
    gc();
    gc();
  }
  const usage = process.cpuUsage();
  const memory = process.memoryUsage();
  send({
    type: 'stats',
    pid: process.pid,
    cpuMs: (usage.user + usage.system) / 1000,
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
    registryLoads: registry.loads,
    describeFetches: describes.fetches,
    apiCalls: meter.total,
  });
});
process.on('disconnect', () => void worker.close().finally(() => process.exit(0)));
