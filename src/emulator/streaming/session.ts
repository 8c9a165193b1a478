import { randomBytes } from 'node:crypto';
import type { UserAccess } from '../org/model.ts';
import type { BusSubscription, DeliveredEvent } from './event-bus.ts';

/** Why a held `/meta/connect` was answered. */
export type WakeReason = 'event' | 'timeout' | 'superseded' | 'evicted' | 'disconnected' | 'revoked' | 'closed';

interface HeldConnect {
  wake(reason: WakeReason): void;
}

/**
 * One Bayeux client (a handshake): its user, channel subscriptions, the queue of events waiting for the next
 * `/meta/connect`, the connect being held, and the timer that drops it when it stops reconnecting.
 */
export class ClientSession {
  readonly clientId = newClientId();
  readonly createdAt = Date.now();
  readonly subscriptions = new Map<string, BusSubscription>();
  readonly queue: DeliveredEvent[] = [];
  connectedOnce = false;
  /** Set once the session is gone (evicted, disconnected, revoked): late callbacks must not touch it. */
  ended: WakeReason | undefined;
  private held: HeldConnect | undefined;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    public token: string,
    readonly userId: string,
    public access: UserAccess,
  ) {}

  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Queues a delivered event and wakes a held connect (on the next tick, so a burst travels in one response). */
  enqueue(event: DeliveredEvent): void {
    if (this.ended) return;
    this.queue.push(event);
    if (this.held) setImmediate(() => this.wake('event'));
  }

  drain(): DeliveredEvent[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Holds a connect until an event, `timeoutMs`, or an end of the session; resolves with the reason. */
  hold(timeoutMs: number): Promise<WakeReason> {
    this.wake('superseded');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake('timeout'), timeoutMs);
      this.held = {
        wake: (reason) => {
          clearTimeout(timer);
          resolve(reason);
        },
      };
    });
  }

  wake(reason: WakeReason): void {
    const held = this.held;
    this.held = undefined;
    held?.wake(reason);
  }

  /** Starts the reconnect window; `onExpire` runs if no connect arrives in time. */
  armExpiry(windowMs: number, onExpire: () => void): void {
    this.disarmExpiry();
    if (this.ended) return;
    this.expiry = setTimeout(onExpire, windowMs);
    this.expiry.unref();
  }

  disarmExpiry(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = undefined;
  }

  /** Ends the session: unsubscribes everywhere and answers a held connect with `reason`. */
  end(reason: WakeReason): void {
    if (this.ended) return;
    this.ended = reason;
    this.disarmExpiry();
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
    this.queue.length = 0;
    this.wake(reason);
  }
}

/** Salesforce client ids are long lowercase base-36 strings, e.g. `1kz1ffn7rn9kcol1b6e5y9ktxh4l`. */
function newClientId(): string {
  return BigInt(`0x${randomBytes(18).toString('hex')}`).toString(36);
}
