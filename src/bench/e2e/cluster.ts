import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionLendingAgent } from '../../dev/lending-agent.ts';
import type { Logger } from '../../logger.ts';
import { startTurn } from '../../runtime/start-turn.ts';
import { ApiMeter } from '../../salesforce/api-meter.ts';
import { SalesforceClient } from '../../salesforce/rest-client.ts';
import { SessionPool } from '../../salesforce/session-pool.ts';
import { forkChild, nextMessage, startRedis, stopChild } from './processes.ts';
import { EmulatorReady, WorkerMessage, WorkerStats, epochMs, type WorkerCommand } from './protocol.ts';
import { benchMessage, type Scenario } from './script.ts';

const API_VERSION = '62.0';
const USERS = { admin: 'admin@lending.test', officer: 'officer@lending.test', worker: 'worker@lending.test' } as const;

export interface TurnTiming {
  turnId: string;
  executionId: string;
  status: string;
  /** Before the turn was published (the composite that records the message and publishes the event). */
  publishedAt: number;
  firstModelAt: number | null;
  doneAt: number;
  /** The worker's own count (ApiMeter scope). */
  apiCalls: number;
}

interface Pending {
  publishedAt: number;
  executionId?: string;
  resolve: (timing: TurnTiming) => void;
}

export interface ClusterOptions {
  mode: 'embedded' | 'scaled';
  /** Jobs each worker runs at once. */
  concurrency: number;
  logger: Logger;
  /** Extra Node flags for worker processes (e.g. `--cpu-prof` when profiling). */
  workerExecArgv?: string[];
  /** Delay before each scripted model answer (default 0): makes the worker's job slots, not CPU, the bottleneck. */
  modelLatencyMs?: number;
  /** The event API the workers subscribe with (default CometD). */
  eventApi?: 'cometd' | 'pubsub';
}

/**
 * The end-to-end rig: the emulator and each worker in their own processes (plus redis-server in scaled mode). The parent
 * plays the users: it publishes turns as the loan officer with `startTurn` and waits for the worker to report each
 * turn done (audit written).
 */
export class Cluster {
  readonly workers: ChildProcess[] = [];
  private readonly pending = new Map<string, Pending>();
  /** `done` reports that arrive before startTurn has returned the turn ID. */
  private readonly early = new Map<string, Omit<TurnTiming, 'publishedAt' | 'executionId'>>();
  private sequence = 0;
  private redis: { url: string; stop(): Promise<void> } | undefined;
  private readonly stateDir = mkdtempSync(join(tmpdir(), 'loom-bench-'));
  private readonly prefix = `bench${process.pid}x${Date.now().toString(36)}`;

  private constructor(
    private readonly options: ClusterOptions,
    private readonly emulator: ChildProcess,
    readonly ready: EmulatorReady,
    readonly officer: SalesforceClient,
    readonly agentId: string,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const emulator = forkChild('./emulator-child.ts');
    try {
      const ready = await nextMessage(emulator, EmulatorReady, 60_000, 'emulator');
      const pool = new SessionPool({
        loginUrl: ready.url,
        clientId: ready.consumerKey,
        privateKeyPem: ready.privateKeyPem,
        logger: options.logger,
      });
      const client = (username: string): SalesforceClient =>
        new SalesforceClient(username, {
          pool,
          apiVersion: API_VERSION,
          meter: new ApiMeter(),
          logger: options.logger,
        });
      const agentId = await provisionLendingAgent(client(USERS.admin));
      const cluster = new Cluster(options, emulator, ready, client(USERS.officer), agentId);
      if (options.mode === 'scaled') cluster.redis = await startRedis();
      return cluster;
    } catch (error) {
      await stopChild(emulator);
      throw error;
    }
  }

  /** Starts one more worker process; resolves once its subscription (or, scaled, its queue consumer) is up. */
  async addWorker(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      SF_LOGIN_URL: this.ready.url,
      SF_CLIENT_ID: this.ready.consumerKey,
      SF_PRIVATE_KEY: this.ready.privateKeyPem,
      SF_INTEGRATION_USERNAME: USERS.worker,
      SF_API_VERSION: API_VERSION,
      LOOM_STATE_DIR: this.stateDir,
      LOOM_QUEUE_PREFIX: this.prefix,
      LOOM_CONCURRENCY: String(this.options.concurrency),
      LOOM_LOG_LEVEL: 'error',
      LOOM_REPLAY_FROM: '-1',
      LOOM_EVENT_API: this.options.eventApi ?? 'cometd',
      LOOM_PUBSUB_URL: this.ready.pubsubUrl,
      LOOM_LLM_ADAPTER: 'scripted',
      LOOM_BENCH_MODEL_LATENCY_MS: String(this.options.modelLatencyMs ?? 0),
      // Each cluster signs its own pending actions; the demo's approver takes the held updates.
      LOOM_HITL_SIGNING_KEY: `bench-${randomBytes(24).toString('hex')}`,
      LOOM_HITL_DEFAULT_APPROVER: 'approver@lending.test',
      // Embedded unless a Redis URL is given; an inherited REDIS_URL must not switch the mode.
      REDIS_URL: this.redis?.url,
    };
    const child = forkChild('./worker-child.ts', {
      env,
      execArgv: ['--expose-gc', ...(this.options.workerExecArgv ?? [])],
    });
    child.on('message', (raw) => this.onMessage(raw));
    await nextMessage(child, WorkerMessage, 60_000, 'worker');
    this.workers.push(child);
  }

  private onMessage(raw: unknown): void {
    const parsed = WorkerMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type !== 'done') return;
    for (const done of message.turns) {
      const result = {
        turnId: done.turnId,
        status: done.status,
        firstModelAt: done.firstModelAt,
        doneAt: done.at,
        apiCalls: done.apiCalls,
      };
      const turn = this.pending.get(done.turnId);
      if (!turn) {
        this.early.set(done.turnId, result);
        continue;
      }
      this.pending.delete(done.turnId);
      turn.resolve({ ...result, executionId: turn.executionId ?? '', publishedAt: turn.publishedAt });
    }
  }

  /** Publishes one turn as the officer and resolves when a worker reports it done. */
  async turn(scenario: Scenario, timeoutMs = 60_000): Promise<TurnTiming> {
    const marker = `${this.prefix}-${++this.sequence}`;
    const entry: Pending = { publishedAt: epochMs(), resolve: () => undefined };
    const done = new Promise<TurnTiming>((resolve) => (entry.resolve = resolve));
    const started = await startTurn(this.officer, { agentId: this.agentId, message: benchMessage(scenario, marker) });
    const early = this.early.get(started.turnId);
    if (early) {
      this.early.delete(started.turnId);
      return { ...early, executionId: started.executionId, publishedAt: entry.publishedAt };
    }
    entry.executionId = started.executionId;
    this.pending.set(started.turnId, entry);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`turn ${marker} (${scenario}) not done after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `count` turns with `inFlight` publishers; returns every timing and the wall time from first publish to last done. */
  async batch(
    scenario: Scenario,
    count: number,
    inFlight: number,
    onProgress?: (done: number) => void,
  ): Promise<{ timings: TurnTiming[]; elapsedMs: number }> {
    const timings: TurnTiming[] = [];
    let next = 0;
    const start = epochMs();
    let failed = false;
    const lane = async (): Promise<void> => {
      while (next < count && !failed) {
        next++;
        try {
          timings.push(await this.turn(scenario));
        } catch (error) {
          failed = true; // the other lanes finish the turn they are in and stop
          throw error;
        }
        if (timings.length % 50 === 0) onProgress?.(timings.length);
      }
    };
    // Settle every lane before failing, so no lane's later timeout surfaces as an unhandled rejection.
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(inFlight, count) }, lane));
    const errors = lanes.flatMap((lane) => (lane.status === 'rejected' ? [lane.reason as unknown] : []));
    if (errors.length > 0) {
      const first = errors[0] instanceof Error ? errors[0].message : String(errors[0]);
      throw new Error(
        `${errors.length} of ${lanes.length} publisher lanes failed (${timings.length}/${count} turns done); first: ${first}`,
      );
    }
    return { timings, elapsedMs: epochMs() - start };
  }

  /** CPU, memory and cache counters of every worker (after a full GC when `gc`). */
  async stats(gc = false): Promise<WorkerStats[]> {
    return Promise.all(
      this.workers.map(async (child) => {
        const reply = nextMessage(child, WorkerStats, 30_000, 'worker stats');
        const command: WorkerCommand = { type: 'stats', gc };
        child.send(command);
        return reply;
      }),
    );
  }

  /** The emulator's daily-allocation counter (every authenticated REST call; a composite counts once). */
  async apiUsed(): Promise<number> {
    const response = await fetch(`${this.ready.url}/__emulator/usage`);
    const body = (await response.json()) as { used?: unknown };
    if (typeof body.used !== 'number') throw new Error('emulator usage endpoint returned no "used" count');
    return body.used;
  }

  /** Paths of the emulator's request log since the last call (the log is cleared each time). */
  async takeRequestLog(): Promise<Array<{ method: string; path: string; counted: boolean; userId: string | null }>> {
    const response = await fetch(`${this.ready.url}/__emulator/requests`);
    const entries = (await response.json()) as Array<{
      method: string;
      path: string;
      counted: boolean;
      userId: string | null;
    }>;
    await fetch(`${this.ready.url}/__emulator/requests`, { method: 'DELETE' });
    return entries;
  }

  /** Every record of a type as the system sees it (the emulator's admin surface). */
  async records(type: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${this.ready.url}/__emulator/records/${encodeURIComponent(type)}`);
    if (!response.ok) throw new Error(`emulator records ${type}: HTTP ${response.status}`);
    return (await response.json()) as Array<Record<string, unknown>>;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((child) => stopChild(child)));
    await this.redis?.stop();
    await stopChild(this.emulator);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
