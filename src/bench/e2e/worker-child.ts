/**
 * A Loom worker in its own process for the end-to-end benchmarks (forked by cluster.ts). It is `startWorker` with the
 * production runtime (`createRuntime`, HITL included); only the model is the zero-latency scripted provider, wrapped to report when each turn's
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
import { DescribeCache } from '../../runtime/tools/describe-cache.ts';
import { createRuntime } from '../../worker/runtime-deps.ts';
import { loadConfig } from '../../config.ts';
import { epochMs, WorkerCommand, type TurnDone, type WorkerMessage } from './protocol.ts';
import { BENCH_SCRIPT } from './script.ts';

const send = (message: WorkerMessage): void => void process.send?.(message);
const config = loadConfig(process.env);
const logger = createLogger({ level: 'error', name: 'bench-worker' });
if (!config.LOOM_HITL_SIGNING_KEY)
  throw new Error('the benchmark worker needs LOOM_HITL_SIGNING_KEY (the real approval gate holds its pending turns)');
// The first model request's time is kept in the job's async context until the turn is reported done.
const turnClock = new AsyncLocalStorage<{ firstModelAt: number | null }>();
const scripted = new ScriptedProvider(BENCH_SCRIPT);
const modelLatencyMs = Number(process.env.LOOM_BENCH_MODEL_LATENCY_MS ?? 0);
const provider: LlmProvider = {
  name: scripted.name,
  async complete(request: CompletionRequest) {
    const clock = turnClock.getStore();
    if (clock && clock.firstModelAt === null) clock.firstModelAt = epochMs();
    if (modelLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, modelLatencyMs));
    const response = await scripted.complete(request);
    scripted.requests.length = 0; // the provider records requests for tests; a long run must not keep them
    return response;
  },
};

// The production wiring (createRuntime): per-user JWT sessions, the turn handler and the real HITL gate, which writes
// a PendingHITLAction__c for every held tool call (the memory benchmark's conversations awaiting approval).
const describes = new DescribeCache();
let registry: AgentRegistry | undefined;
const runtime = createRuntime({
  loginUrl: config.SF_LOGIN_URL ?? '',
  clientId: config.SF_CLIENT_ID ?? '',
  privateKeyPem: (config.SF_PRIVATE_KEY ?? '').replace(/\\n/g, '\n'),
  integrationUsername: config.SF_INTEGRATION_USERNAME ?? '',
  apiVersion: config.SF_API_VERSION,
  logger,
  provider: () => provider,
  vault: new MemoryTokenVault(),
  hitl: {
    signingKey: config.LOOM_HITL_SIGNING_KEY,
    ...(config.LOOM_HITL_DEFAULT_APPROVER ? { defaultApprover: config.LOOM_HITL_DEFAULT_APPROVER } : {}),
  },
  registry: (integration) => (registry = new AgentRegistry(integration)),
  describes,
});
const turns = runtime.handler;

// The profile showed one IPC write per turn among the worker's heaviest frames: report finished turns in batches.
let finished: TurnDone[] = [];
const flushDone = (): void => {
  const batch = finished;
  finished = [];
  send({ type: 'done', turns: batch });
};
const reportDone = (turn: TurnDone): void => {
  if (finished.push(turn) === 1) setImmediate(flushDone);
};
const handler: JobHandler = {
  async handle(job, signal) {
    const clock = { firstModelAt: null as number | null };
    const outcome = await turnClock.run(clock, () => turns.handle(job, signal));
    const turnId =
      job.kind === 'turn' ? String((job.event as { TurnIdentifier__c?: unknown }).TurnIdentifier__c ?? '') : '';
    reportDone({
      turnId,
      status: outcome.status,
      apiCalls: outcome.apiCalls ?? 0,
      firstModelAt: clock.firstModelAt,
      at: epochMs(),
    });
    return outcome;
  },
};

const worker = await startWorker({
  env: process.env,
  logger,
  handler,
  signals: false,
  tuning: { shutdownGraceMs: 2_000, leaderTtlMs: 5_000 },
});
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
    registryLoads: registry?.loads ?? 0,
    describeFetches: describes.fetches,
    apiCalls: runtime.meter.total,
  });
});
process.on('disconnect', () => void worker.close().finally(() => process.exit(0)));
