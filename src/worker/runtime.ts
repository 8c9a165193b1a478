import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { DeadLetterStore } from '../ingestion/dead-letter.ts';
import type { ErrorStepWriter } from '../ingestion/error-step.ts';
import type { SubscriptionState } from '../ingestion/event-subscriber.ts';
import { INGEST_CHANNELS } from '../ingestion/events.ts';
import { Intake } from '../ingestion/intake.ts';
import { IngestionMetrics, type IngestionSnapshot } from '../ingestion/metrics.ts';
import { PubSubSubscriber, type PubSubSession } from '../ingestion/pubsub-subscriber.ts';
import { CometdSubscriber } from '../ingestion/subscriber.ts';
import type { Logger } from '../logger.ts';
import { LeaderElection } from '../queue/leader.ts';
import { Pacing, type AllocationSource } from '../queue/pacing.ts';
import type { RetryPolicy } from '../queue/retry-policy.ts';
import type { JobHandler, TurnJob } from '../runtime/jobs.ts';
import { connectRedis, embeddedStores, scaledStores, type QueueCommon, type Stores } from './stores.ts';

/** Knobs with production defaults from the configuration; tests shorten them. */
export interface RuntimeTuning {
  retry: RetryPolicy;
  leaderTtlMs: number;
  shutdownGraceMs: number;
  /** faye's transport retry (seconds) and the full-reconnect backoff. */
  fayeRetrySeconds: number;
  restartBaseMs: number;
  /** Longest wait between reconnects (the subscriber's default, 60 s, when unset). */
  restartMaxMs?: number;
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
  session(options: { refresh: boolean }): Promise<PubSubSession>;
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
  /** The subscription as its client (CometD or Pub/Sub API) sees it (undefined when this process holds none: standby, not started). */
  subscription(): SubscriptionState | undefined;
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

/** Picks embedded or scaled mode from `REDIS_URL` alone; the handler and intake code are the same in both. */
export function createWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  const worker = new WorkerProcess(options);
  return {
    mode: worker.mode,
    metrics: worker.metrics,
    org: () => worker.orgId,
    isLeader: () => worker.isLeader(),
    subscription: () => worker.subscription(),
    submitReconciled: (job) => worker.submitReconciled(job),
    deadLetter: () => worker.deadLetter(),
    start: () => worker.start(),
    close: () => worker.close(),
    snapshot: () => worker.snapshot(),
    idle: () => worker.idle(),
  };
}

function tuningFrom(config: Config, overrides: Partial<RuntimeTuning> | undefined): RuntimeTuning {
  return {
    retry: { attempts: config.LOOM_JOB_ATTEMPTS, baseDelayMs: config.LOOM_JOB_BACKOFF_MS, maxDelayMs: 120_000 },
    leaderTtlMs: config.LOOM_LEADER_TTL_MS,
    shutdownGraceMs: config.LOOM_SHUTDOWN_GRACE_MS,
    fayeRetrySeconds: 5,
    restartBaseMs: 1_000,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
    pacingMaxDelayMs: 5_000,
    ...overrides,
  };
}

/**
 * One worker process for one org: its stores and queue, and the intake (subscriber) it runs while it leads. Embedded
 * mode always leads; in scaled mode a Redis lock elects one subscriber and every process runs jobs.
 */
class WorkerProcess {
  readonly mode: 'embedded' | 'scaled';
  readonly metrics = new IngestionMetrics();
  orgId = '';
  private readonly config: Config;
  private readonly tuning: RuntimeTuning;
  private logger: Logger;
  private readonly pacing: Pacing;
  private stores: Stores | undefined;
  private redis: Redis | undefined;
  private leader: LeaderElection | undefined;
  private intake: Intake | undefined;
  private subscriber: CometdSubscriber | PubSubSubscriber | undefined;
  private transitions: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: WorkerRuntimeOptions) {
    this.config = options.config;
    this.mode = this.config.REDIS_URL ? 'scaled' : 'embedded';
    this.tuning = tuningFrom(this.config, options.tuning);
    this.logger = options.logger.child({ mode: this.mode });
    this.pacing = new Pacing({
      ...(options.meter ? { meter: options.meter } : {}),
      slowAbove: this.config.LOOM_PACING_SLOW_ABOVE,
      maxDelayMs: this.tuning.pacingMaxDelayMs,
      pauseMs: this.config.LOOM_ALLOCATION_PAUSE_MS,
      logger: this.logger,
    });
  }

  isLeader(): boolean {
    return this.mode === 'embedded' ? this.stores !== undefined : (this.leader?.isLeader ?? false);
  }

  subscription(): SubscriptionState | undefined {
    return this.subscriber?.connectionState();
  }

  async submitReconciled(job: TurnJob): Promise<'enqueued' | 'duplicate' | 'not-leader'> {
    const current = this.intake;
    if (!current || this.closing || (this.mode === 'scaled' && !this.leader?.isLeader)) return 'not-leader';
    return current.submitReconciled(job);
  }

  deadLetter(): DeadLetterStore {
    if (!this.stores) throw new Error('the worker runtime has not started');
    return this.stores.deadLetter;
  }

  async start(): Promise<void> {
    const session = await this.options.session({ refresh: false });
    this.orgId = session.orgId;
    this.logger = this.logger.child({ org: this.orgId });
    this.stores = this.buildStores();
    await this.stores.queue.start(this.options.handler);
    if (this.mode === 'embedded') {
      await this.startIntake();
      this.logger.info('worker started (embedded mode)');
      return;
    }
    const leader = new LeaderElection({
      redis: this.redis as Redis,
      key: `${this.config.LOOM_QUEUE_PREFIX}:${this.orgId}:leader`,
      ttlMs: this.tuning.leaderTtlMs,
      logger: this.logger,
    });
    this.leader = leader;
    leader.on('elected', () => this.transition(() => this.startIntake()));
    leader.on('lost', () => this.transition(() => this.stopIntake()));
    await leader.start();
    await this.transitions; // when elected, start() returns once the subscription is up
    this.logger.info({ leader: leader.isLeader }, 'worker started (scaled mode)');
  }

  /** Stop intake, finish or hand back running jobs, flush, release the leader lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  async snapshot(): Promise<IngestionSnapshot> {
    if (this.stores)
      await this.stores.queue
        .depth()
        .then((depth) => this.metrics.observeDepth(depth))
        .catch(() => undefined);
    return this.metrics.snapshot();
  }

  async idle(): Promise<void> {
    await this.intake?.idle();
  }

  private buildStores(): Stores {
    const common: QueueCommon = {
      pacing: this.pacing,
      metrics: this.metrics,
      logger: this.logger,
      org: this.orgId,
      retry: this.tuning.retry,
      ...(this.options.errorSteps ? { errorSteps: this.options.errorSteps } : {}),
    };
    if (this.mode === 'embedded') return embeddedStores(this.config, this.orgId, common);
    this.redis = connectRedis(this.config);
    return scaledStores(this.config, this.orgId, common, this.redis, this.tuning);
  }

  private async startIntake(): Promise<void> {
    const { stores, config, options } = this;
    if (!stores || this.closing) return;
    const current = new Intake({
      queue: stores.queue,
      dedupe: stores.dedupe,
      checkpoints: stores.checkpoints,
      deadLetter: stores.deadLetter,
      ...(options.errorSteps ? { errorSteps: options.errorSteps } : {}),
      metrics: this.metrics,
      logger: this.logger,
      replayFrom: config.LOOM_REPLAY_FROM,
    });
    this.intake = current;
    const positions = await current.startPositions(INGEST_CHANNELS);
    this.subscriber = this.subscriberFor(current, positions);
    await this.subscriber.start();
  }

  /** The subscriber `LOOM_EVENT_API` names, delivering into `intake` from the stored replay positions. */
  private subscriberFor(
    intake: Intake,
    positions: Awaited<ReturnType<Intake['startPositions']>>,
  ): CometdSubscriber | PubSubSubscriber {
    const { config, tuning } = this;
    const common = {
      channels: INGEST_CHANNELS,
      session: this.options.session,
      positions,
      logger: this.logger,
      metrics: this.metrics,
      restartBaseMs: tuning.restartBaseMs,
      ...(tuning.restartMaxMs === undefined ? {} : { restartMaxMs: tuning.restartMaxMs }),
    };
    if (config.LOOM_EVENT_API === 'pubsub') {
      // Pull flow control: never more delivered-and-unfinished events than the window (free worker slots).
      const window = config.LOOM_PUBSUB_WINDOW ?? config.LOOM_CONCURRENCY * 2;
      return new PubSubSubscriber({
        ...common,
        endpoint: config.LOOM_PUBSUB_URL,
        capacity: () => window - intake.outstanding(),
        onEvent: (channel, data) => intake.accept(channel, data),
      });
    }
    return new CometdSubscriber({
      ...common,
      apiVersion: config.SF_API_VERSION,
      onEvent: (channel, data) => intake.accept(channel, data),
      retrySeconds: tuning.fayeRetrySeconds,
    });
  }

  /** Stops the subscription and lets accepted events reach the queue before intake closes. */
  private async stopIntake(): Promise<void> {
    const current = this.intake;
    await this.subscriber?.stop();
    this.subscriber = undefined;
    if (!current) return;
    await Promise.race([current.drain(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    if (this.mode === 'scaled') {
      await current.flush();
      current.close();
      this.intake = undefined;
    }
  }

  /** Leadership changes run one after another so a quick lost/elected pair cannot overlap. */
  private transition(step: () => Promise<void>): void {
    this.transitions = this.transitions
      .then(step)
      .catch((err: unknown) => this.logger.error({ err }, 'intake transition failed'));
  }

  private async shutDown(): Promise<void> {
    this.logger.info('worker shutting down');
    this.transition(() => this.stopIntake());
    await this.transitions;
    await this.stores?.queue.close({ graceMs: this.tuning.shutdownGraceMs });
    await this.intake?.flush();
    this.intake?.close();
    this.pacing.close();
    if (this.options.flush)
      await this.options.flush().catch((err: unknown) => this.logger.error({ err }, 'audit flush failed'));
    // Last: until now this process still owned the subscription position; now another may take over.
    await this.leader?.stop();
    await this.redis?.quit().catch(() => undefined);
    this.logger.info(this.metrics.snapshot().counters, 'worker stopped');
  }
}
