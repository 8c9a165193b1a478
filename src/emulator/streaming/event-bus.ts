import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import { silentLogger } from '../../logger.ts';
import { ApiError } from '../org/model.ts';
import type { EventSink, ObjectDef, Schema } from '../org/model.ts';
import { RollingAllocation } from './allocation.ts';
import { BayeuxError, StreamingErrors } from './errors.ts';
import { eventSchemaDocument } from './event-schema.ts';

export const DEFAULT_RETENTION_MS = 72 * 60 * 60 * 1000;
/** Developer Edition allocations (wire protocol §4). */
export const DEFAULT_DAILY_DELIVERY_LIMIT = 10_000;
export const DEFAULT_HOURLY_PUBLISH_LIMIT = 50_000;
/** Replay ids are opaque; starting far from 0 keeps clients from assuming they are small or contiguous. */
export const DEFAULT_FIRST_REPLAY_ID = 4711;
const MAX_EVENT_BYTES = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Replay position of a subscription: -1 new events only, -2 all retained then new, N everything after N. */
export const REPLAY_NEW = -1;
export const REPLAY_ALL = -2;

/** The Bayeux data message Salesforce delivers for a platform event. */
export type DeliveredEvent = {
  channel: string;
  data: {
    schema: string;
    payload: Readonly<Record<string, unknown>>;
    event: { replayId: number; EventUuid: string };
  };
};

export type EventListener = (event: DeliveredEvent) => void;

export interface BusSubscription {
  readonly channel: string;
  /** Replay id of the last event handed to the listener (or the starting position). */
  readonly lastReplayId: number;
  unsubscribe(): void;
}

export interface EventBusOptions {
  schema: Schema;
  retentionMs?: number;
  dailyDeliveryLimit?: number;
  hourlyPublishLimit?: number;
  firstReplayId?: number;
  now?: () => number;
  logger?: Logger;
}

export interface ChannelStats {
  eventObject: string;
  channel: string;
  schemaId: string;
  retained: number;
  published: number;
  delivered: number;
  subscribers: number;
  /** Replay ids at or below this are expired: replaying from a smaller N is refused. */
  expiredThrough: number;
}

interface StoredEvent {
  createdAt: number;
  message: DeliveredEvent;
}

interface Subscriber {
  listener: EventListener;
  lastReplayId: number;
  active: boolean;
}

interface ChannelState {
  object: ObjectDef;
  channel: string;
  schemaId: string;
  events: StoredEvent[];
  subscribers: Set<Subscriber>;
  expiredThrough: number;
  published: number;
  delivered: number;
}

/** Fields the platform stamps on every event; publishers can never set them. */
const PLATFORM_FIELDS = new Set(['replayid', 'eventuuid', 'createddate', 'createdbyid']);

/**
 * The org's event bus: stores published platform events with replay ids for the retention window and fans them out
 * to subscribers. Implements the org's `EventSink`.
 */
export class EventBus implements EventSink {
  private readonly channels = new Map<string, ChannelState>();
  private readonly schema: Schema;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly firstReplayId: number;
  private retentionMs: number;
  private lastReplayId: number;
  private skippedByLimit = 0;
  readonly deliveries: RollingAllocation;
  readonly publishes: RollingAllocation;

  constructor(options: EventBusOptions) {
    this.schema = options.schema;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.firstReplayId = options.firstReplayId ?? DEFAULT_FIRST_REPLAY_ID;
    this.lastReplayId = this.firstReplayId - 1;
    this.deliveries = new RollingAllocation(
      options.dailyDeliveryLimit ?? DEFAULT_DAILY_DELIVERY_LIMIT,
      DAY_MS,
      this.now,
    );
    this.publishes = new RollingAllocation(
      options.hourlyPublishLimit ?? DEFAULT_HOURLY_PUBLISH_LIMIT,
      HOUR_MS,
      this.now,
    );
  }

  /**
   * Publishes one event. `CreatedById` is the publishing user: pass it as `publisher` (preferred) or as the payload's
   * `CreatedById` set by the org; when both are present they must agree, so a publisher cannot spoof it.
   */
  publish(
    eventObject: string,
    payload: Record<string, unknown>,
    publisher?: { userId: string },
  ): { replayId: number; eventUuid: string } {
    const object = this.schema.object(eventObject);
    if (!object || object.kind !== 'event') {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `The requested resource does not exist: ${eventObject} is not a platform event`,
      );
    }
    const createdById = this.publisherId(payload, publisher);
    const fields = this.eventFields(object, payload);
    if (!this.publishes.tryConsume()) {
      throw new ApiError(403, 'LIMIT_EXCEEDED', 'You have exceeded the hourly limit for publishing platform events.');
    }
    this.purgeExpired();
    const state = this.state(object);
    const createdAt = this.now();
    const replayId = ++this.lastReplayId;
    const eventUuid = randomUUID();
    const message: DeliveredEvent = deepFreeze({
      channel: state.channel,
      data: {
        schema: state.schemaId,
        payload: { ...fields, CreatedDate: new Date(createdAt).toISOString(), CreatedById: createdById },
        event: { replayId, EventUuid: eventUuid },
      },
    });
    if (Buffer.byteLength(JSON.stringify(message)) > MAX_EVENT_BYTES) {
      this.lastReplayId--;
      throw new ApiError(400, 'LIMIT_EXCEEDED', 'The event message exceeds the maximum size of 1 MB.');
    }
    state.events.push({ createdAt, message });
    state.published++;
    for (const subscriber of state.subscribers) this.deliver(state, subscriber, message);
    return { replayId, eventUuid };
  }

  /** The event object behind `/event/Name__e`; the name is case-sensitive, as on Salesforce. */
  eventObjectForChannel(channel: string): ObjectDef | undefined {
    const match = /^\/event\/([A-Za-z0-9_]+__e)$/.exec(channel);
    if (!match) return undefined;
    const object = this.schema.object(match[1] ?? '');
    return object && object.kind === 'event' && object.name === match[1] ? object : undefined;
  }

  /** Schema id of an event object: a hash of its field layout, so it changes when fields change. */
  schemaId(eventObject: string): string | undefined {
    const object = this.schema.object(eventObject);
    return object && object.kind === 'event' ? this.state(object).schemaId : undefined;
  }

  /** The Avro schema document for a schema id or an event object name; undefined when neither matches. */
  eventSchema(idOrEventObject: string): Record<string, unknown> | undefined {
    for (const object of this.schema.objects()) {
      if (object.kind !== 'event') continue;
      const state = this.state(object);
      if (state.schemaId === idOrEventObject || object.name.toLowerCase() === idOrEventObject.toLowerCase()) {
        return eventSchemaDocument(object, state.schemaId);
      }
    }
    return undefined;
  }

  /**
   * Subscribes from a replay position; retained events after it are handed to the listener synchronously before this
   * returns. Throws BayeuxError with Salesforce's text for unknown channels, spent allocations and invalid replay ids.
   */
  subscribe(channel: string, fromReplayId: number, listener: EventListener): BusSubscription {
    const object = this.eventObjectForChannel(channel);
    if (!object) throw new BayeuxError(StreamingErrors.unknownChannel(channel));
    if (this.deliveries.remaining() === 0) throw new BayeuxError(StreamingErrors.dailyDeliveryLimit);
    this.purgeExpired();
    const state = this.state(object);
    const start = this.startPosition(state, fromReplayId);
    const subscriber: Subscriber = { listener, lastReplayId: start, active: true };
    state.subscribers.add(subscriber);
    for (const stored of state.events) {
      if (stored.message.data.event.replayId > start) this.deliver(state, subscriber, stored.message);
    }
    return {
      channel: state.channel,
      get lastReplayId() {
        return subscriber.lastReplayId;
      },
      unsubscribe: () => {
        subscriber.active = false;
        state.subscribers.delete(subscriber);
      },
    };
  }

  /**
   * Drops events created at or before `cutoff`; returns how many were removed. Inclusive, so a purge "older than 0
   * hours" also drops an event published in the same millisecond.
   */
  purgeOlderThan(cutoff: Date | number): number {
    const limit = typeof cutoff === 'number' ? cutoff : cutoff.getTime();
    return this.expireWhere((stored) => stored.createdAt <= limit);
  }

  /** Admin: expire every event whose replay id is below `replayId` (on one event object, or all). */
  expireBefore(replayId: number, eventObject?: string): number {
    let removed = 0;
    for (const state of this.selectStates(eventObject)) {
      removed += this.expireIn(state, (stored) => stored.message.data.event.replayId < replayId);
      state.expiredThrough = Math.max(state.expiredThrough, replayId - 1);
    }
    return removed;
  }

  setRetentionMs(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`retention must be a positive number of ms, got ${ms}`);
    this.retentionMs = ms;
  }

  /** `/limits` entries for platform events. */
  limits(): Record<string, { Max: number; Remaining: number }> {
    return {
      DailyDeliveredPlatformEvents: { Max: this.deliveries.limit, Remaining: this.deliveries.remaining() },
      HourlyPublishedPlatformEvents: { Max: this.publishes.limit, Remaining: this.publishes.remaining() },
    };
  }

  stats(): { channels: ChannelStats[]; skippedByLimit: number; lastReplayId: number } {
    const channels = [...this.channels.values()].map((state) => ({
      eventObject: state.object.name,
      channel: state.channel,
      schemaId: state.schemaId,
      retained: state.events.length,
      published: state.published,
      delivered: state.delivered,
      subscribers: state.subscribers.size,
      expiredThrough: state.expiredThrough,
    }));
    return { channels, skippedByLimit: this.skippedByLimit, lastReplayId: this.lastReplayId };
  }

  /** Forgets every event and subscriber; replay ids keep increasing so stale client positions stay invalid. */
  reset(): void {
    for (const state of this.channels.values()) for (const subscriber of state.subscribers) subscriber.active = false;
    this.channels.clear();
    this.deliveries.reset();
    this.publishes.reset();
    this.skippedByLimit = 0;
  }

  private publisherId(payload: Record<string, unknown>, publisher: { userId: string } | undefined): string {
    const key = Object.keys(payload).find((name) => name.toLowerCase() === 'createdbyid');
    const claimed = key === undefined ? undefined : payload[key];
    if (publisher && claimed !== undefined && claimed !== publisher.userId) {
      throw new ApiError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'Unable to create/update fields: CreatedById. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
        ['CreatedById'],
      );
    }
    const userId = publisher?.userId ?? claimed;
    if (typeof userId !== 'string' || !/^005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/.test(userId)) {
      throw new Error('EventBus.publish needs the publishing user id (publisher.userId or the org-set CreatedById)');
    }
    return userId;
  }

  /** Every custom field of the event (null when not set); unknown names are refused rather than dropped. */
  private eventFields(object: ObjectDef, payload: Record<string, unknown>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const field of object.fields) if (field.custom) fields[field.name] = null;
    for (const [name, value] of Object.entries(payload)) {
      if (PLATFORM_FIELDS.has(name.toLowerCase())) continue; // stamped by the bus below
      const field = this.schema.field(object.name, name);
      if (!field || !field.custom) {
        throw new ApiError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`, [name]);
      }
      fields[field.name] = value === undefined ? null : value;
    }
    return fields;
  }

  private startPosition(state: ChannelState, fromReplayId: number): number {
    if (fromReplayId === REPLAY_NEW) return this.lastReplayId;
    if (fromReplayId === REPLAY_ALL) return state.expiredThrough;
    const valid =
      Number.isSafeInteger(fromReplayId) && fromReplayId >= state.expiredThrough && fromReplayId <= this.lastReplayId;
    if (!valid) throw new BayeuxError(StreamingErrors.invalidReplayId(fromReplayId));
    return fromReplayId;
  }

  private deliver(state: ChannelState, subscriber: Subscriber, message: DeliveredEvent): void {
    if (!subscriber.active) return;
    const replayId = message.data.event.replayId;
    subscriber.lastReplayId = Math.max(subscriber.lastReplayId, replayId);
    if (!this.deliveries.tryConsume()) {
      this.skippedByLimit++;
      this.logger.warn(
        { channel: state.channel, replayId },
        'daily delivered-events allocation spent; event not delivered',
      );
      return;
    }
    state.delivered++;
    try {
      subscriber.listener(message);
    } catch (err) {
      this.logger.error({ err, channel: state.channel, replayId }, 'event listener threw');
    }
  }

  private purgeExpired(): void {
    this.purgeOlderThan(this.now() - this.retentionMs);
  }

  private expireWhere(predicate: (stored: StoredEvent) => boolean): number {
    let removed = 0;
    for (const state of this.channels.values()) removed += this.expireIn(state, predicate);
    return removed;
  }

  /** Events are stored in replay order, so expiry always removes a prefix. */
  private expireIn(state: ChannelState, predicate: (stored: StoredEvent) => boolean): number {
    let count = 0;
    while (count < state.events.length && predicate(state.events[count] as StoredEvent)) count++;
    if (count === 0) return 0;
    const removed = state.events.splice(0, count);
    const last = removed[removed.length - 1] as StoredEvent;
    state.expiredThrough = Math.max(state.expiredThrough, last.message.data.event.replayId);
    return count;
  }

  private selectStates(eventObject: string | undefined): ChannelState[] {
    if (eventObject === undefined) {
      for (const object of this.schema.objects()) if (object.kind === 'event') this.state(object);
      return [...this.channels.values()];
    }
    const object = this.schema.object(eventObject);
    if (!object || object.kind !== 'event') throw new RangeError(`${eventObject} is not a platform event`);
    return [this.state(object)];
  }

  private state(object: ObjectDef): ChannelState {
    let state = this.channels.get(object.name);
    if (!state) {
      state = {
        object,
        channel: `/event/${object.name}`,
        schemaId: schemaIdOf(object),
        events: [],
        subscribers: new Set(),
        expiredThrough: this.firstReplayId - 1,
        published: 0,
        delivered: 0,
      };
      this.channels.set(object.name, state);
    }
    return state;
  }
}

function schemaIdOf(object: ObjectDef): string {
  const layout = object.fields
    .map((field) => `${field.name}:${field.type}`)
    .sort()
    .join(',');
  return createHash('sha256').update(`${object.name}|${layout}`).digest('base64url').slice(0, 22);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
