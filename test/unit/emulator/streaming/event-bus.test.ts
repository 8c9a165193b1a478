import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import { BayeuxError } from '../../../../src/emulator/streaming/errors.ts';
import { EventBus, type DeliveredEvent } from '../../../../src/emulator/streaming/event-bus.ts';
import { ALICE, BOB, testSchema } from './harness.ts';

const HOUR = 60 * 60 * 1000;

function newBus(options: { now?: () => number; dailyDeliveryLimit?: number } = {}): EventBus {
  return new EventBus({ schema: testSchema(), ...options });
}

function collect(bus: EventBus, channel: string, from: number): { events: DeliveredEvent[]; ids: () => number[] } {
  const events: DeliveredEvent[] = [];
  bus.subscribe(channel, from, (event) => events.push(event));
  return { events, ids: () => events.map((event) => event.data.event.replayId) };
}

describe('EventBus.publish', () => {
  it('stamps increasing replay ids, a UUID, CreatedDate and the publisher as CreatedById', () => {
    const bus = newBus({ now: () => Date.parse('2026-03-01T12:00:00.123Z') });
    const seen = collect(bus, '/event/AgentTurn__e', -1);
    const first = bus.publish('AgentTurn__e', { ExecutionId__c: 'a01', Attempt__c: 1 }, { userId: ALICE });
    const second = bus.publish('agentturn__e', { ExecutionId__c: 'a02' }, { userId: ALICE });
    expect(first.replayId).toBeGreaterThan(1000);
    expect(second.replayId).toBeGreaterThan(first.replayId);
    expect(first.eventUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seen.events[0]).toEqual({
      channel: '/event/AgentTurn__e',
      data: {
        schema: bus.schemaId('AgentTurn__e'),
        payload: { ExecutionId__c: 'a01', Attempt__c: 1, CreatedDate: '2026-03-01T12:00:00.123Z', CreatedById: ALICE },
        event: { replayId: first.replayId, EventUuid: first.eventUuid },
      },
    });
    // Unset custom fields are delivered as null, not left out.
    expect(seen.events[1]?.data.payload).toMatchObject({ ExecutionId__c: 'a02', Attempt__c: null });
  });

  it('refuses a payload CreatedById that differs from the publisher, and ignores stamped platform fields', () => {
    const bus = newBus();
    const seen = collect(bus, '/event/AgentTurn__e', -1);
    expect(() => bus.publish('AgentTurn__e', { CreatedById: BOB }, { userId: ALICE })).toThrow(ApiError);
    bus.publish(
      'AgentTurn__e',
      { CreatedById: ALICE, CreatedDate: '1999-01-01T00:00:00.000Z', ReplayId: '1' },
      { userId: ALICE },
    );
    expect(seen.events).toHaveLength(1);
    expect(seen.events[0]?.data.payload.CreatedById).toBe(ALICE);
    expect(seen.events[0]?.data.payload.CreatedDate).not.toBe('1999-01-01T00:00:00.000Z');
  });

  it('accepts the org-set CreatedById when no publisher is passed, and fails closed without either', () => {
    const bus = newBus();
    expect(bus.publish('AgentTurn__e', { CreatedById: BOB }).replayId).toBeGreaterThan(0);
    expect(() => bus.publish('AgentTurn__e', { ExecutionId__c: 'x' })).toThrow(/publishing user/);
    expect(() => bus.publish('AgentTurn__e', { CreatedById: 'not-an-id' })).toThrow(/publishing user/);
  });

  it('refuses unknown fields and non-event objects instead of dropping them', () => {
    const bus = newBus();
    expect(() => bus.publish('AgentTurn__e', { Bogus__c: 1 }, { userId: ALICE })).toThrow(/No such column 'Bogus__c'/);
    expect(() => bus.publish('Account', { Name: 'x' }, { userId: ALICE })).toThrow(ApiError);
    expect(() => bus.publish('Nope__e', {}, { userId: ALICE })).toThrow(ApiError);
  });

  it('refuses events over 1 MB without consuming a replay id', () => {
    const bus = newBus();
    const before = bus.stats().lastReplayId;
    expect(() => bus.publish('AgentTurn__e', { ExecutionId__c: 'x'.repeat(1024 * 1024) }, { userId: ALICE })).toThrow(
      /1 MB/,
    );
    expect(bus.stats().lastReplayId).toBe(before);
  });
});

describe('EventBus.subscribe replay positions', () => {
  function busWithThree(): { bus: EventBus; ids: number[] } {
    const bus = newBus();
    const ids = [1, 2, 3].map((n) => bus.publish('AgentTurn__e', { Attempt__c: n }, { userId: ALICE }).replayId);
    return { bus, ids };
  }

  it('-1 sees only new events, -2 everything retained then new, N everything after N', () => {
    const { bus, ids } = busWithThree();
    const fresh = collect(bus, '/event/AgentTurn__e', -1);
    const all = collect(bus, '/event/AgentTurn__e', -2);
    const after = collect(bus, '/event/AgentTurn__e', ids[0] as number);
    const next = bus.publish('AgentTurn__e', { Attempt__c: 4 }, { userId: ALICE }).replayId;
    expect(fresh.ids()).toEqual([next]);
    expect(all.ids()).toEqual([...ids, next]);
    expect(after.ids()).toEqual([ids[1], ids[2], next]);
  });

  it('keeps channels apart and matches channel names case-sensitively', () => {
    const { bus } = busWithThree();
    const secret = collect(bus, '/event/Secret__e', -2);
    expect(secret.events).toEqual([]);
    expect(() => bus.subscribe('/event/agentturn__e', -1, () => undefined)).toThrow(
      '400::The channel you requested to subscribe to does not exist {/event/agentturn__e}',
    );
    expect(() => bus.subscribe('/event/Account', -1, () => undefined)).toThrow(BayeuxError);
    expect(() => bus.subscribe('/topic/AgentTurn__e', -1, () => undefined)).toThrow(BayeuxError);
  });

  it('refuses replay ids from the future, below the window, or other negatives with the two-space text', () => {
    const { bus, ids } = busWithThree();
    const last = ids[2] as number;
    for (const bad of [last + 1, -3, 0, 1.5]) {
      expect(() => bus.subscribe('/event/AgentTurn__e', bad, () => undefined)).toThrow(
        `400::The replayId {${bad}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
      );
    }
  });

  it('expireBefore makes older positions invalid while later ones still replay', () => {
    const { bus, ids } = busWithThree();
    const [a, b, c] = ids as [number, number, number];
    expect(bus.expireBefore(c, 'AgentTurn__e')).toBe(2);
    expect(() => bus.subscribe('/event/AgentTurn__e', a, () => undefined)).toThrow(
      /replayId \{\d+\} you provided was invalid/,
    );
    expect(collect(bus, '/event/AgentTurn__e', b).ids()).toEqual([c]);
    expect(collect(bus, '/event/AgentTurn__e', -2).ids()).toEqual([c]);
  });

  it('purges events past the retention window on the bus clock', () => {
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const bus = new EventBus({ schema: testSchema(), now: () => now, retentionMs: 72 * HOUR });
    const old = bus.publish('AgentTurn__e', {}, { userId: ALICE }).replayId;
    now += 71 * HOUR;
    const recent = bus.publish('AgentTurn__e', {}, { userId: ALICE }).replayId;
    expect(collect(bus, '/event/AgentTurn__e', -2).ids()).toEqual([old, recent]);
    now += 2 * HOUR;
    expect(collect(bus, '/event/AgentTurn__e', -2).ids()).toEqual([recent]);
    expect(() => bus.subscribe('/event/AgentTurn__e', old - 1, () => undefined)).toThrow(BayeuxError);
    expect(bus.purgeOlderThan(now + 1)).toBe(1);
    expect(bus.stats().channels.find((c) => c.eventObject === 'AgentTurn__e')?.retained).toBe(0);
  });

  it('purges an event published in the same millisecond as the cutoff, so a checkpoint on an earlier event is refused', () => {
    const now = Date.parse('2026-03-01T00:00:00.000Z');
    const bus = new EventBus({ schema: testSchema(), now: () => now, retentionMs: 72 * HOUR });
    const seen = bus.publish('AgentTurn__e', {}, { userId: ALICE }).replayId;
    bus.publish('AgentTurn__e', {}, { userId: ALICE });
    expect(bus.purgeOlderThan(now)).toBe(2);
    expect(() => bus.subscribe('/event/AgentTurn__e', seen, () => undefined)).toThrow(
      /replayId \{\d+\} you provided was invalid/,
    );
  });
});

describe('EventBus allocations', () => {
  it('counts deliveries per subscriber and refuses subscribers once the daily allocation is spent', () => {
    const bus = newBus({ dailyDeliveryLimit: 3 });
    const one = collect(bus, '/event/AgentTurn__e', -1);
    const two = collect(bus, '/event/AgentTurn__e', -1);
    bus.publish('AgentTurn__e', {}, { userId: ALICE });
    expect(bus.limits().DailyDeliveredPlatformEvents).toEqual({ Max: 3, Remaining: 1 });
    bus.publish('AgentTurn__e', {}, { userId: ALICE });
    // Only one of the two deliveries fit: the other is counted as skipped, not lost silently.
    expect(one.events.length + two.events.length).toBe(3);
    expect(bus.stats().skippedByLimit).toBe(1);
    expect(() => bus.subscribe('/event/AgentTurn__e', -1, () => undefined)).toThrow(
      '403::Organization total events daily limit exceeded',
    );
  });

  it('reports hourly publishes and enforces the publish allocation', () => {
    const bus = new EventBus({ schema: testSchema(), hourlyPublishLimit: 1 });
    bus.publish('AgentTurn__e', {}, { userId: ALICE });
    expect(bus.limits().HourlyPublishedPlatformEvents).toEqual({ Max: 1, Remaining: 0 });
    expect(() => bus.publish('AgentTurn__e', {}, { userId: ALICE })).toThrow(
      expect.objectContaining({ errorCode: 'LIMIT_EXCEEDED' }),
    );
  });

  it('keeps a stable schema id per event layout and different ids per event object', () => {
    const bus = newBus();
    expect(bus.schemaId('AgentTurn__e')).toBe(newBus().schemaId('AgentTurn__e'));
    expect(bus.schemaId('AgentTurn__e')).not.toBe(bus.schemaId('Secret__e'));
    expect(bus.schemaId('Account')).toBeUndefined();
  });

  it('serves the Avro schema document by schema id or event name', () => {
    const bus = newBus();
    const id = bus.schemaId('AgentTurn__e') as string;
    const document = bus.eventSchema(id);
    expect(document).toEqual(bus.eventSchema('agentturn__e'));
    expect(document).toMatchObject({
      name: 'AgentTurn__e',
      namespace: 'com.sforce.eventbus',
      type: 'record',
      uuid: id,
    });
    expect((document?.fields as Array<{ name: string }>).map((f) => f.name)).toEqual([
      'CreatedDate',
      'CreatedById',
      'ExecutionId__c',
      'Attempt__c',
    ]);
    expect(bus.eventSchema('Account')).toBeUndefined();
  });
});
