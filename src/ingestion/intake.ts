import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { JobQueue } from '../queue/types.ts';
import { jobIdFor, type TurnJob } from '../runtime/jobs.ts';
import { sleep } from '../queue/pacing.ts';
import type { CheckpointStore } from './checkpoints.ts';
import type { DeadLetterEntry, DeadLetterStore } from './dead-letter.ts';
import { dedupeKeys, type DedupeStore } from './dedupe.ts';
import type { ErrorStepWriter } from './error-step.ts';
import { DeliveredData, jobContext, parseDelivered, secondaryKeys } from './events.ts';
import type { IngestionMetrics } from './metrics.ts';
import { Watermark } from './watermark.ts';

export interface IntakeOptions {
  queue: JobQueue;
  dedupe: DedupeStore;
  checkpoints: CheckpointStore;
  deadLetter: DeadLetterStore;
  /** Writes the Error step of a malformed event that names an execution (absent: dead letter only). */
  errorSteps?: ErrorStepWriter;
  metrics: IngestionMetrics;
  logger: Logger;
  /** Where to start a channel without a checkpoint: -1 new events only, -2 everything retained. */
  replayFrom: number;
  /** Backoff bounds while a store or the queue is unavailable (intake waits; it never skips an event). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

class IntakeClosed extends Error {}

/**
 * Event → job. Per channel, events are handled one at a time in delivery order: validate (malformed → dead letter),
 * de-duplicate, enqueue, and only once the queue says the job is safe, commit the de-dup entry and let the
 * checkpoint advance past it.
 */
export class Intake {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly watermark = new Watermark();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly settling = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly logger: Logger;

  constructor(private readonly options: IntakeOptions) {
    this.logger = options.logger.child({ component: 'intake' });
  }

  /** Resume positions: the stored checkpoint of each channel, or `replayFrom` when there is none. */
  async startPositions(channels: readonly string[]): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    for (const channel of channels) {
      const stored = await this.options.checkpoints.load(channel);
      if (stored !== undefined) this.watermark.seed(channel, stored);
      positions.set(channel, stored ?? this.options.replayFrom);
      this.logger.info(
        { channel, replayId: stored ?? this.options.replayFrom, fromCheckpoint: stored !== undefined },
        'resume position',
      );
    }
    return positions;
  }

  /** Called by the subscriber for every delivered message, in order. Never throws. */
  accept(channel: string, data: unknown): void {
    const previous = this.chains.get(channel) ?? Promise.resolve();
    const next = previous
      .then(() => this.process(channel, data))
      .catch((err: unknown) => {
        if (!(err instanceof IntakeClosed)) this.logger.error({ err, channel }, 'event intake failed');
      });
    this.chains.set(channel, next);
  }

  /** Waits until every accepted event has been enqueued (or dead-lettered, or skipped as a duplicate). */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Waits until every enqueued job is settled and its checkpoint written (tests, graceful shutdown). */
  async idle(): Promise<void> {
    await this.drain();
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    await Promise.all([...this.saving.values()]);
  }

  /**
   * Shutdown: lets already-finished jobs commit and checkpoint (bounded by `timeoutMs`; jobs handed back never settle)
   * and waits for checkpoint writes.
   */
  async flush(timeoutMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.settling]), timeout]);
    clearTimeout(timer);
    await Promise.all([...this.saving.values()]);
  }

  /** Stops retry loops; events not yet enqueued stay unacknowledged and are replayed from the checkpoint next time. */
  close(): void {
    this.abort.abort(new IntakeClosed('intake closed'));
  }

  /**
   * A turn job the worker synthesised because its event never arrived (the reconciliation sweep): the same de-dup claim
   * and queue as a delivered event, so if the event turns up after all (or is already on its way) only one of them runs.
   * It has no replay position, so it never holds back or moves a checkpoint. Tries once: a failure is thrown (the claim
   * released) and the next sweep tries again.
   */
  async submitReconciled(job: TurnJob): Promise<'enqueued' | 'duplicate'> {
    if (this.abort.signal.aborted) throw new IntakeClosed('intake closed');
    const { dedupe, queue, metrics } = this.options;
    const keys = dedupeKeys(job.eventUuid, secondaryKeys(job));
    const log = this.logger.child(jobContext(job, jobIdFor(job)));
    const claim = await dedupe.claim(job.eventUuid, keys);
    if (claim === 'duplicate') return 'duplicate';
    let result: Awaited<ReturnType<typeof queue.enqueue>>;
    try {
      result = await queue.enqueue(job);
    } catch (error) {
      // An embedded claim left behind would block the real event and every later sweep; a Redis one is resumed anyway.
      await dedupe
        .release(job.eventUuid, keys)
        .catch((err: unknown) => log.warn({ err }, 'could not release the claim of a reconciled turn'));
      throw error;
    }
    if (result.status === 'enqueued') metrics.inc(job.reconciled ? 'reconciled' : 'startedOverHttp');
    const settle = result.settled
      .then(() => this.retrying('de-duplication commit', () => dedupe.commit(job.eventUuid, keys)))
      .catch((err: unknown) => {
        if (!(err instanceof IntakeClosed))
          log.error(
            { err },
            'committing a reconciled turn failed; the next sweep may enqueue it again (its job ID is the same)',
          );
      })
      .finally(() => this.settling.delete(settle));
    this.settling.add(settle);
    return result.status;
  }

  /** Delivered events whose jobs are not yet safe (the checkpoint lags behind them). */
  outstanding(): number {
    return this.watermark.outstanding();
  }

  private async process(channel: string, raw: unknown): Promise<void> {
    const { metrics } = this.options;
    if (this.abort.signal.aborted) return;
    metrics.inc('received');
    const envelope = DeliveredData.safeParse(raw);
    if (!envelope.success) {
      // Without a replay ID the event cannot hold back the checkpoint; the dead letter keeps it for operators.
      await this.deadLetter({ reason: 'malformed:envelope', detail: z.prettifyError(envelope.error), channel, raw });
      return;
    }
    const data = envelope.data;
    const done = this.watermark.track(channel, data.event.replayId, (ch, replayId) =>
      this.saveCheckpoint(ch, replayId),
    );
    const parsed = parseDelivered(channel, data, new Date());
    if (!parsed.ok) {
      await this.malformed(channel, data, parsed.reason, parsed.detail, parsed.executionId);
      done();
      return;
    }
    const { job } = parsed;
    const jobId = jobIdFor(job);
    const log = this.logger.child(jobContext(job, jobId));
    if (parsed.ignoredKeys.length > 0) {
      log.warn(
        { ignoredKeys: parsed.ignoredKeys, requestingUser: job.event.CreatedById },
        'payload keys outside the event schema ignored; the requesting user is CreatedById',
      );
    }
    const keys = dedupeKeys(job.eventUuid, secondaryKeys(job));
    const claim = await this.retrying('de-duplication claim', () => this.options.dedupe.claim(job.eventUuid, keys));
    if (claim === 'duplicate') {
      metrics.inc('duplicates');
      log.info({ replayId: job.replayId }, 'duplicate event skipped');
      done();
      return;
    }
    const result = await this.retrying('enqueue', () => this.options.queue.enqueue(job));
    metrics.inc(result.status === 'duplicate' ? 'duplicates' : 'enqueued');
    metrics.observeLag(Date.now() - Date.parse(job.event.CreatedDate));
    log.info({ replayId: job.replayId, status: result.status }, 'event enqueued');
    const settle = result.settled
      .then(() => this.retrying('de-duplication commit', () => this.options.dedupe.commit(job.eventUuid, keys)))
      .then(done)
      .catch((err: unknown) => {
        if (!(err instanceof IntakeClosed)) log.error({ err }, 'settling event failed; it will be replayed');
      })
      .finally(() => this.settling.delete(settle));
    this.settling.add(settle);
  }

  private async malformed(
    channel: string,
    data: DeliveredData,
    reason: string,
    detail: string,
    executionId: string | undefined,
  ): Promise<void> {
    const log = this.logger.child({ eventUuid: data.event.EventUuid, ...(executionId ? { executionId } : {}) });
    let errorStep: DeadLetterEntry['errorStep'] = 'not-applicable';
    if (executionId && this.options.errorSteps) {
      try {
        await this.options.errorSteps.malformedEvent({ executionId, eventUuid: data.event.EventUuid, reason: detail });
        errorStep = 'written';
      } catch (err) {
        errorStep = 'failed';
        log.error({ err }, 'could not write the Error step of a malformed event');
      }
    }
    log.warn({ reason, channel, replayId: data.event.replayId }, 'malformed event dead-lettered');
    await this.deadLetter({
      reason,
      detail,
      channel,
      replayId: data.event.replayId,
      eventUuid: data.event.EventUuid,
      ...(executionId ? { executionId } : {}),
      raw: data,
      errorStep,
    });
  }

  private async deadLetter(entry: Omit<DeadLetterEntry, 'at'>): Promise<void> {
    await this.retrying('dead letter', () => this.options.deadLetter.add({ at: new Date().toISOString(), ...entry }));
    this.options.metrics.inc('deadLettered');
  }

  /** Checkpoints are written one at a time per channel, always the newest mark. */
  private saveCheckpoint(channel: string, replayId: number): void {
    const previous = this.saving.get(channel) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        if (this.watermark.mark(channel) !== replayId) return; // a newer mark superseded this one
        await this.options.checkpoints.save(channel, replayId);
        this.options.metrics.inc('checkpointsSaved');
      })
      .catch((err: unknown) =>
        this.logger.warn({ err, channel, replayId }, 'checkpoint not saved; a restart replays a little more'),
      );
    this.saving.set(channel, next);
  }

  /** Retries a store/queue call with capped exponential backoff until it works or intake closes. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const base = this.options.retryBaseMs ?? 200;
    const max = this.options.retryMaxMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      if (this.abort.signal.aborted) throw new IntakeClosed('intake closed');
      try {
        return await fn();
      } catch (err) {
        const delay = Math.min(max, base * 2 ** (attempt - 1));
        this.logger.error({ err, attempt, retryInMs: delay }, `${what} failed; retrying`);
        await sleep(delay, this.abort.signal).catch(() => undefined);
      }
    }
  }
}
