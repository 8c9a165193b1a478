/**
 * A scaled-mode worker in its own process (forked by the chaos cluster): the production turn handler with the scripted
 * model, the Redis side-effect ledger and BullMQ. It can kill itself with SIGKILL at chosen points, drawn from a seeded
 * PRNG: during a model call, between a tool's execution and the audit write, just before and just after the flush.
 * Each self-kill is appended to a file first (synchronously), so the parent can count it.
 */
import { dirname, join } from 'node:path';
import { appendFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../../../src/config.ts';
import { salesforceErrorSteps } from '../../../../src/ingestion/error-step.ts';
import { MemoryTokenVault } from '../../../../src/governance/pii/index.ts';
import { ScriptedProvider } from '../../../../src/llm/scripted.ts';
import { createLogger } from '../../../../src/logger.ts';
import { createRuntime } from '../../../../src/worker/runtime-deps.ts';
import { RedisSideEffectLedger } from '../../../../src/runtime/side-effect-ledger.ts';
import { createWorkerRuntime } from '../../../../src/worker/runtime.ts';
import { CHAOS_SCRIPT } from '../scripts.ts';
import { mulberry32, type WorkerArgs } from '../protocol.ts';

const args = JSON.parse(process.env.LOOM_CHAOS_WORKER_ARGS ?? '{}') as WorkerArgs;
const random = mulberry32(args.seed);
// Real logging at debug level into a file the parent scans for PII and secrets after the run.
const logger = createLogger({
  level: 'debug',
  destination: pino.destination({ dest: args.logFile, append: true, sync: false }),
});

function maybeDie(point: keyof WorkerArgs['kill']): void {
  if (random() >= args.kill[point]) return;
  appendFileSync(args.killFile, `${JSON.stringify({ worker: args.index, point, at: Date.now() })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

const scripted = new ScriptedProvider(CHAOS_SCRIPT);
const ledgerRedis = new Redis(args.redisUrl, { maxRetriesPerRequest: null });
const runtime = createRuntime({
  loginUrl: args.url,
  clientId: args.consumerKey,
  privateKeyPem: args.privateKeyPem,
  integrationUsername: 'worker@lending.test',
  apiVersion: '62.0',
  logger,
  vault: new MemoryTokenVault(),
  ledger: new RedisSideEffectLedger(ledgerRedis, args.prefix),
  provider: {
    name: 'chaos-scripted',
    async complete(request) {
      const afterTool = request.messages.at(-1)?.role === 'tool';
      maybeDie(afterTool ? 'afterTool' : 'model');
      appendFileSync(args.modelFile, `${JSON.stringify(request.messages)}\n`);
      return scripted.complete(request);
    },
  },
});
// The turn handler holds this same client: wrapping its request covers the atomic audit flush.
const integration = runtime.integration;
const request = integration.request.bind(integration);
integration.request = (async (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  options?: object,
) => {
  const flush = method === 'POST' && path === '/composite';
  if (flush) maybeDie('flushBefore');
  const result = await request(method, path, body, options);
  if (flush) maybeDie('flushAfter');
  return result;
}) as typeof integration.request;

const worker = createWorkerRuntime({
  config: loadConfig({
    REDIS_URL: args.redisUrl,
    LOOM_QUEUE_PREFIX: args.prefix,
    LOOM_CONCURRENCY: '2',
    SF_API_VERSION: '62.0',
    LOOM_JOB_ATTEMPTS: '12',
    LOOM_JOB_BACKOFF_MS: '100',
    LOOM_ALLOCATION_PAUSE_MS: '1000',
    LOOM_REPLAY_FROM: '-2',
    // Whatever the worker keeps on disk lands beside its logs, where the leak scan reads every file.
    LOOM_STATE_DIR: join(dirname(args.logFile), `worker-state-${args.index}`),
    LOOM_EVENT_API: process.env.LOOM_TEST_EVENT_API === 'pubsub' ? 'pubsub' : 'cometd',
    LOOM_PUBSUB_URL: args.pubsubUrl,
  }),
  logger,
  handler: runtime.turnHandler,
  errorSteps: salesforceErrorSteps(runtime.integration),
  meter: runtime.meter,
  session: async ({ refresh }) => runtime.pool.session('worker@lending.test', { forceRefresh: refresh }),
  tuning: {
    retry: { attempts: 12, baseDelayMs: 100, maxDelayMs: 2_000 },
    leaderTtlMs: 1_500,
    shutdownGraceMs: 2_000,
    fayeRetrySeconds: 0.2,
    restartBaseMs: 100,
    lockDurationMs: 2_000,
    stalledIntervalMs: 500,
    pacingMaxDelayMs: 50,
  },
});
await worker.start();
process.send?.({ type: 'ready', leader: worker.isLeader() });
// The heap figure is what a full GC leaves (at most every 5 s): uncollected garbage grows with the turn rate and would
// read as a leak in a fast soak. Without --expose-gc, the raw heapUsed is reported.
const gc = (globalThis as { gc?: () => void }).gc;
let retainedHeap = process.memoryUsage().heapUsed;
let lastGc = 0;
const report = setInterval(() => {
  if (gc && Date.now() - lastGc >= 5_000) {
    gc();
    lastGc = Date.now();
    retainedHeap = process.memoryUsage().heapUsed;
  }
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  const heapUsed = gc ? retainedHeap : process.memoryUsage().heapUsed;
  process.send?.({
    type: 'stats',
    rss: process.memoryUsage().rss,
    heapUsed,
    handles,
    counters: worker.metrics.snapshot().counters,
  });
}, 500);
const stop = (): void => {
  clearInterval(report);
  void worker.close().finally(() => {
    ledgerRedis.disconnect();
    process.exit(0);
  });
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
