import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { FileCheckpointStore, RedisCheckpointStore, type CheckpointStore } from '../ingestion/checkpoints.ts';
import { FileDeadLetterStore, RedisDeadLetterStore, type DeadLetterStore } from '../ingestion/dead-letter.ts';
import { FileDedupeStore, RedisDedupeStore, type DedupeStore } from '../ingestion/dedupe.ts';
import type { ErrorStepWriter } from '../ingestion/error-step.ts';
import { INGEST_CHANNELS } from '../ingestion/events.ts';
import { Intake } from '../ingestion/intake.ts';
import { IngestionMetrics, type IngestionSnapshot } from '../ingestion/metrics.ts';
import { PubSubSubscriber } from '../ingestion/pubsub-subscriber.ts';
import { CometdSubscriber, type StreamingSession } from '../ingestion/subscriber.ts';
import type { Logger } from '../logger.ts';
import { BullmqQueue } from '../queue/bullmq-queue.ts';
import { EmbeddedQueue } from '../queue/embedded-queue.ts';
import { LeaderElection } from '../queue/leader.ts';
import { Pacing, type AllocationSource } from '../queue/pacing.ts';
import type { RetryPolicy } from '../queue/retry-policy.ts';
import type { JobQueue } from '../queue/types.ts';
import type { JobHandler, TurnJob } from '../runtime/jobs.ts';

/** Knobs with production defaults from the configuration; tests shorten them. */
export interface RuntimeTuning {
  retry: RetryPolicy;
  leaderTtlMs: number;
  shutdownGraceMs: number;
  /** faye's transport retry (seconds) and the full-reconnect backoff. */
  fayeRetrySeconds: number;
  restartBaseMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  pacingMaxDelayMs: number;
}

export interface WorkerRuntimeOptions {
  config: Config;
  logger: Logger;
  /** The one handler both modes run (turns, decisions and sweeps; `createRuntime().handler` in production). */
  handler: JobHandler;
  /** The integration user's streaming session (org ID included); `refresh` after a refusal. */
  session(options: { refresh: boolean }): Promise<StreamingSession & { orgId: string }>;
  /** Near-limit pacing reads the org's allocation from here (the ApiMeter every SalesforceClient reports to). */
  meter?: AllocationSource;
  errorSteps?: ErrorStepWriter;
  /** Flushes audit writes on shutdown (after the queue stopped). */
  flush?: () => Promise<void>;
  tuning?: Partial<RuntimeTuning>;
}

export interface WorkerRuntime {
  readonly mode: 'embedded' | 'scaled';
  readonly metrics: IngestionMetrics;
  /** The org ID (known after start). */
  org(): string;
  start(): Promise<void>;
  /** Stop intake, finish or hand back running jobs, flush, release the leader lock. Idempotent. */
  close(): Promise<void>;
  isLeader(): boolean;
  /** The subscription as the CometD client sees it (undefined when this process holds none: standby, not started). */
  subscription(): ReturnType<CometdSubscriber['connectionState']> | undefined;
  /**
   * Hands a turn job the reconciliation sweep synthesised to intake (de-dup claim, then the queue). `not-leader` when
   * this process holds no subscription (a scaled-mode follower, or not started): only the leader reconciles.
   */
  submitReconciled(job: TurnJob): Promise<'enqueued' | 'duplicate' | 'not-leader'>;
  deadLetter(): DeadLetterStore;
  snapshot(): Promise<IngestionSnapshot>;
  /** Tests: every delivered event enqueued and, in embedded mode, every job settled. */
  idle(): Promise<void>;
}

interface Stores {
  checkpoints: CheckpointStore;
  dedupe: DedupeStore;
  deadLetter: DeadLetterStore;
  queue: JobQueue;
}

/** Picks embedded or scaled mode from `REDIS_URL` alone; the handler and intake code are the same in both. */
export function createWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  const { config } = options;
  const mode = config.REDIS_URL ? 'scaled' : 'embedded';
  const tuning: RuntimeTuning = {
    retry: { attempts: config.LOOM_JOB_ATTEMPTS, baseDelayMs: config.LOOM_JOB_BACKOFF_MS, maxDelayMs: 120_000 },
    leaderTtlMs: config.LOOM_LEADER_TTL_MS,
    shutdownGraceMs: config.LOOM_SHUTDOWN_GRACE_MS,
    fayeRetrySeconds: 5,
    restartBaseMs: 1_000,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    pacingMaxDelayMs: 5_000,
    ...options.tuning,
  };
  const metrics = new IngestionMetrics();
  let logger = options.logger.child({ mode });
  const pacing = new Pacing({
    ...(options.meter ? { meter: options.meter } : {}),
    slowAbove: config.LOOM_PACING_SLOW_ABOVE,
    maxDelayMs: tuning.pacingMaxDelayMs,
    pauseMs: config.LOOM_ALLOCATION_PAUSE_MS,
    logger,
  });
  let orgId = '';
  let stores: Stores | undefined;
  let redis: Redis | undefined;
  let leader: LeaderElection | undefined;
  let intake: Intake | undefined;
  let subscriber: CometdSubscriber | PubSubSubscriber | undefined;
  let transitions: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const connect = (): Redis =>
    new Redis(config.REDIS_URL as string, { maxRetriesPerRequest: null, lazyConnect: false });

  function buildStores(): Stores {
    const common = {
      pacing,
      metrics,
      logger,
      org: orgId,
      retry: tuning.retry,
      ...(options.errorSteps ? { errorSteps: options.errorSteps } : {}),
    };
    if (mode === 'embedded') {
      const dir = join(config.LOOM_STATE_DIR, orgId);
      const deadLetter = new FileDeadLetterStore(join(dir, 'dead-letter.jsonl'));
      return {
        checkpoints: new FileCheckpointStore(join(dir, 'checkpoints.json')),
        dedupe: new FileDedupeStore(join(dir, 'dedupe.jsonl')),
        deadLetter,
        queue: new EmbeddedQueue({ ...common, concurrency: config.LOOM_CONCURRENCY, deadLetter }),
      };
    }
    redis = connect();
    const base = `${config.LOOM_QUEUE_PREFIX}:${orgId}`;
    const deadLetter = new RedisDeadLetterStore(redis, `${base}:dead-letter`);
    return {
      checkpoints: new RedisCheckpointStore(redis, `${base}:checkpoints`),
      dedupe: new RedisDedupeStore(redis, `${base}:dedupe`),
      deadLetter,
      queue: new BullmqQueue({
        ...common,
        connect,
        prefix: config.LOOM_QUEUE_PREFIX,
        name: `jobs-${orgId}`,
        concurrency: config.LOOM_CONCURRENCY,
        deadLetter,
        lockDurationMs: tuning.lockDurationMs,
        stalledIntervalMs: tuning.stalledIntervalMs,
        ...(config.LOOM_ORG_CONCURRENCY ? { globalConcurrency: config.LOOM_ORG_CONCURRENCY } : {}),
        ...(config.LOOM_ORG_JOBS_PER_MINUTE
          ? { limiter: { max: config.LOOM_ORG_JOBS_PER_MINUTE, duration: 60_000 } }
          : {}),
      }),
    };
  }

  async function startIntake(): Promise<void> {
    if (!stores || closing) return;
    const current = new Intake({
      queue: stores.queue,
      dedupe: stores.dedupe,
      checkpoints: stores.checkpoints,
      deadLetter: stores.deadLetter,
      ...(options.errorSteps ? { errorSteps: options.errorSteps } : {}),
      metrics,
      logger,
      replayFrom: config.LOOM_REPLAY_FROM,
    });
    intake = current;
    const positions = await current.startPositions(INGEST_CHANNELS);
    const common = {
      channels: INGEST_CHANNELS,
      session: options.session,
      positions,
      logger,
      metrics,
      restartBaseMs: tuning.restartBaseMs,
    };
    if (config.LOOM_EVENT_API === 'pubsub') {
      // Pull flow control: never more delivered-and-unfinished events than the window (free worker slots).
      const window = config.LOOM_PUBSUB_WINDOW ?? config.LOOM_CONCURRENCY * 2;
      subscriber = new PubSubSubscriber({
        ...common,
        endpoint: config.LOOM_PUBSUB_URL,
        capacity: () => window - current.outstanding(),
        onEvent: (channel, data) => current.accept(channel, data),
      });
    } else {
      subscriber = new CometdSubscriber({
        ...common,
        apiVersion: config.SF_API_VERSION,
        onEvent: (channel, data) => current.accept(channel, data),
        retrySeconds: tuning.fayeRetrySeconds,
      });
    }
    await subscriber.start();
  }

  /** Stops the subscription and lets accepted events reach the queue before intake closes. */
  async function stopIntake(): Promise<void> {
    const current = intake;
    await subscriber?.stop();
    subscriber = undefined;
    if (!current) return;
    await Promise.race([current.drain(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    if (mode === 'scaled') {
      await current.flush();
      current.close();
      intake = undefined;
    }
  }

  /** Leadership changes run one after another so a quick lost/elected pair cannot overlap. */
  function transition(step: () => Promise<void>): void {
    transitions = transitions.then(step).catch((err: unknown) => logger.error({ err }, 'intake transition failed'));
  }

  return {
    mode,
    metrics,
    org: () => orgId,
    isLeader: () => (mode === 'embedded' ? stores !== undefined : (leader?.isLeader ?? false)),
    subscription: () => subscriber?.connectionState(),
    async submitReconciled(job) {
      const current = intake;
      if (!current || closing || (mode === 'scaled' && !leader?.isLeader)) return 'not-leader';
      return current.submitReconciled(job);
    },
    deadLetter: () => {
      if (!stores) throw new Error('the worker runtime has not started');
      return stores.deadLetter;
    },

    async start() {
      const session = await options.session({ refresh: false });
      orgId = session.orgId;
      logger = logger.child({ org: orgId });
      stores = buildStores();
      await stores.queue.start(options.handler);
      if (mode === 'embedded') {
        await startIntake();
        logger.info('worker started (embedded mode)');
        return;
      }
      leader = new LeaderElection({
        redis: redis as Redis,
        key: `${config.LOOM_QUEUE_PREFIX}:${orgId}:leader`,
        ttlMs: tuning.leaderTtlMs,
        logger,
      });
      leader.on('elected', () => transition(startIntake));
      leader.on('lost', () => transition(stopIntake));
      await leader.start();
      await transitions; // when elected, start() returns once the subscription is up
      logger.info({ leader: leader.isLeader }, 'worker started (scaled mode)');
    },

    close() {
      closing ??= (async () => {
        logger.info('worker shutting down');
        transition(stopIntake);
        await transitions;
        await stores?.queue.close({ graceMs: tuning.shutdownGraceMs });
        await intake?.flush();
        intake?.close();
        pacing.close();
        if (options.flush) await options.flush().catch((err: unknown) => logger.error({ err }, 'audit flush failed'));
        // Last: until now this process still owned the subscription position; now another may take over.
        await leader?.stop();
        await redis?.quit().catch(() => undefined);
        logger.info(metrics.snapshot().counters, 'worker stopped');
      })();
      return closing;
    },

    async snapshot() {
      if (stores)
        await stores.queue
          .depth()
          .then((depth) => metrics.observeDepth(depth))
          .catch(() => undefined);
      return metrics.snapshot();
    },

    async idle() {
      await intake?.idle();
    },
  };
}
