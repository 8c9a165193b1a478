import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** Extends the lock only while it is still ours (a late renewal after a takeover must not steal it back). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Compare-and-delete: releasing never removes another process's lock. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaderOptions {
  redis: Redis;
  /** e.g. `loom:00D…:leader`: one lock per org. */
  key: string;
  /** Lock lifetime; a dead leader is replaced within about ttlMs + retryMs. */
  ttlMs?: number;
  /** Renewal period (default ttl/3, so two renewals may fail before the lock lapses). */
  renewMs?: number;
  /** How often a follower tries to take the lock (default ttl/3). */
  retryMs?: number;
  /** Identity written into the lock (default a random UUID). */
  id?: string;
  logger: Logger;
}

/**
 * Leader election on one Redis key: `SET key id NX PX ttl`, renewed with a compare-and-pexpire, released with a
 * compare-and-delete. Emits `elected` when this process takes the lock and `lost` when it no longer holds it
 * (renewal found another owner or Redis failed for longer than the lock lives).
 */
export class LeaderElection extends EventEmitter {
  readonly id: string;
  readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = true;
  private lastRenewedAt = 0;

  constructor(private readonly options: LeaderOptions) {
    super();
    this.id = options.id ?? randomUUID();
    this.ttlMs = options.ttlMs ?? 15_000;
    this.renewMs = options.renewMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
    this.retryMs = options.retryMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning; resolves after the first attempt (elected or not). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.tick();
  }

  /** Stops campaigning and releases the lock if held. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.leading) return;
    this.leading = false;
    try {
      await this.options.redis.eval(RELEASE, 1, this.options.key, this.id);
      this.options.logger.info({ leaderKey: this.options.key }, 'leader lock released');
    } catch (err) {
      this.options.logger.warn(
        { err, leaderKey: this.options.key },
        'leader lock release failed; it expires on its own',
      );
    }
    this.emit('lost', 'stopped');
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { redis, key, logger } = this.options;
    try {
      if (this.leading) {
        const renewed = Number(await redis.eval(RENEW, 1, key, this.id, String(this.ttlMs)));
        if (this.stopped) return;
        if (renewed === 1) this.lastRenewedAt = Date.now();
        else this.demote('lock taken by another process');
      } else {
        const taken = await redis.set(key, this.id, 'PX', this.ttlMs, 'NX');
        if (this.stopped) {
          if (taken === 'OK') await redis.eval(RELEASE, 1, key, this.id);
          return;
        }
        if (taken === 'OK') {
          this.leading = true;
          this.lastRenewedAt = Date.now();
          logger.info({ leaderKey: key, leaderId: this.id }, 'elected leader');
          this.emit('elected');
        }
      }
    } catch (err) {
      logger.warn({ err, leaderKey: key }, 'leader lock check failed');
      // Without a successful renewal the lock may already belong to someone else: step down before it lapses.
      if (this.leading && Date.now() - this.lastRenewedAt >= this.ttlMs - this.renewMs) this.demote('renewal failed');
    }
    this.schedule(this.leading ? this.renewMs : this.retryMs);
  }

  private demote(reason: string): void {
    this.leading = false;
    this.options.logger.warn({ leaderKey: this.options.key, reason }, 'leadership lost');
    this.emit('lost', reason);
  }
}
