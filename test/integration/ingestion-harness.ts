/**
 * Shared pieces of the ingestion integration tests: the emulator with a short CometD connect timeout, the worker's
 * integration user through the real JWT flow, REST publishes through jsforce as a Loom user, and a handler that
 * records what it receives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'jsforce';
import { loadConfig, type Config } from '../../src/config.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import type { JobHandler, JobOutcome, LoomJob } from '../../src/runtime/jobs.ts';
import { SessionPool } from '../../src/salesforce/session-pool.ts';
import {
  createWorkerRuntime,
  type RuntimeTuning,
  type WorkerRuntime,
  type WorkerRuntimeOptions,
} from '../../src/worker/runtime.ts';
import { devCredentials, jsforceConnection, startTestEmulator } from '../support/emulator.ts';

export const WORKER_USER = 'worker@lending.test';
export const OFFICER = 'officer@lending.test';

/** Fast settings: quick retries, a short leader lock, and a short faye transport retry. */
export const FAST: Partial<RuntimeTuning> = {
  retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
  leaderTtlMs: 1_500,
  shutdownGraceMs: 2_000,
  fayeRetrySeconds: 0.2,
  restartBaseMs: 50,
  lockDurationMs: 1_500,
  stalledIntervalMs: 500,
  pacingMaxDelayMs: 50,
};

export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface RecordingHandler extends JobHandler {
  jobs: LoomJob[];
  /** Jobs currently inside `handle`. */
  running: number;
}

/** Records every job; `behaviour` may delay, throw or return another outcome per job. */
export function recordingHandler(
  behaviour?: (job: LoomJob, signal: AbortSignal, attempt: number) => Promise<JobOutcome | undefined>,
): RecordingHandler {
  const attempts = new Map<string, number>();
  const handler: RecordingHandler = {
    jobs: [],
    running: 0,
    async handle(job, signal) {
      const key = job.kind === 'sweep' ? job.reason : job.eventUuid;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      handler.running++;
      try {
        const outcome = behaviour ? await behaviour(job, signal, attempt) : undefined;
        handler.jobs.push(job);
        return outcome ?? { status: 'completed' };
      } finally {
        handler.running--;
      }
    },
  };
  return handler;
}

export interface Harness {
  emulator: EmulatorHandle;
  pool: SessionPool;
  officer: Connection;
  stateDir: string;
  /**
   * Publishes `AgentTurnRequest__e`. A username (default the officer) publishes as AgentTurnService does, in system
   * context as that user; a Connection publishes over REST as its user, which the org refuses to users without Create.
   */
  publishTurn(fields?: Record<string, unknown>, publisher?: Connection | string): Promise<string>;
  config(env?: Record<string, string>): Config;
  runtime(
    options: {
      handler: JobHandler;
      env?: Record<string, string>;
      tuning?: Partial<RuntimeTuning>;
      logger?: Logger;
    } & Partial<WorkerRuntimeOptions>,
  ): WorkerRuntime;
  close(): Promise<void>;
}

let counter = 0;

/**
 * The event API the worker runtimes of this test process use: `cometd` unless the test file set
 * `LOOM_TEST_EVENT_API=pubsub` (the `.pubsub.test.ts` twins run the same suites over the Pub/Sub API).
 */
export function testEventApi(): 'cometd' | 'pubsub' {
  return process.env.LOOM_TEST_EVENT_API === 'pubsub' ? 'pubsub' : 'cometd';
}

export async function startHarness(): Promise<Harness> {
  const emulator = await startTestEmulator({ cometdTimeoutMs: 1_000, pubsubKeepAliveMs: 1_000 });
  const { app, privateKeyPem } = devCredentials(emulator);
  const pool = new SessionPool({
    loginUrl: emulator.url,
    clientId: app.consumerKey,
    privateKeyPem,
    logger: silentLogger(),
  });
  const officer = await jsforceConnection(emulator, OFFICER);
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-ingestion-'));
  const runtimes: WorkerRuntime[] = [];
  const harness: Harness = {
    emulator,
    pool,
    officer,
    stateDir,
    async publishTurn(fields = {}, publisher = OFFICER) {
      counter++;
      const body = {
        AgentExecutionId__c: 'a01EM0000000001YAA',
        TurnIdentifier__c: `turn-${counter}-${Math.random().toString(36).slice(2, 8)}`,
        ...fields,
      };
      if (typeof publisher === 'string') {
        // The way AgentTurnService publishes (system context, as the running user): users hold no Create on the event.
        const org = emulator.org;
        const user = org.userByUsername(publisher);
        if (!user) throw new Error(`unknown user ${publisher}`);
        const { eventUuid } = org.create(org.systemAccess(user.id), 'AgentTurnRequest__e', body);
        if (!eventUuid) throw new Error('publish did not return an EventUuid');
        return eventUuid;
      }
      const result = (await publisher.sobject('AgentTurnRequest__e').create(body)) as unknown as {
        errors: Array<{ statusCode: string; message: string }>;
      };
      const uuid = result.errors.find((error) => error.statusCode === 'OPERATION_ENQUEUED')?.message;
      if (!uuid) throw new Error(`publish did not return an EventUuid: ${JSON.stringify(result)}`);
      return uuid;
    },
    config(env = {}) {
      const api = testEventApi();
      return loadConfig({
        LOOM_STATE_DIR: stateDir,
        SF_API_VERSION: '62.0',
        LOOM_CONCURRENCY: '4',
        LOOM_EVENT_API: api,
        LOOM_PUBSUB_URL: emulator.pubsubUrl,
        ...env,
      });
    },
    runtime({ handler, env, tuning, logger, ...rest }) {
      const runtime = createWorkerRuntime({
        config: harness.config(env),
        logger: logger ?? silentLogger(),
        handler,
        session: async ({ refresh }) => pool.session(WORKER_USER, { forceRefresh: refresh }),
        tuning: { ...FAST, ...tuning },
        ...rest,
      });
      runtimes.push(runtime);
      return runtime;
    },
    async close() {
      await Promise.allSettled(runtimes.map((runtime) => runtime.close()));
      await emulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return harness;
}
