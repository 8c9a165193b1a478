import { describe, expect, it } from 'vitest';
import { reconciledEventUuid, reconciledTurnJob } from '../../../src/ingestion/reconcile.ts';
import { secondaryKeys } from '../../../src/ingestion/events.ts';
import { jobIdFor, LoomJob } from '../../../src/runtime/jobs.ts';

const turn = {
  executionId: 'a05EM0000000001YAA',
  turnId: 'a free-text turn: with colons, spaces and ünïcode',
  messageId: 'a07EM0000000001YAA',
  requestedBy: '005EM0000000002YAA',
  requestedAt: '2026-01-01T10:00:00.000Z',
  status: 'Pending',
};

describe('reconciled turn jobs', () => {
  it('have one EventUuid per execution and turn, whichever process or sweep builds them (so one BullMQ job ID)', () => {
    const a = reconciledTurnJob(turn, new Date('2026-01-01T10:10:00Z'));
    const b = reconciledTurnJob(
      { ...turn, executionId: turn.executionId.slice(0, 15) },
      new Date('2026-01-02T00:00:00Z'),
    );
    expect(a.eventUuid).toBe(b.eventUuid);
    expect(jobIdFor(a)).toBe(jobIdFor(b));
    expect(jobIdFor(a)).toMatch(/^turn-reconcile-[0-9a-f]{32}$/); // no ':' and not an integer: BullMQ accepts it
    expect(reconciledEventUuid(turn.executionId, 'other turn')).not.toBe(a.eventUuid);
  });

  it('share the de-dup turn key with the event they stand in for, carry the message creator and survive the queue', () => {
    const job = reconciledTurnJob(turn, new Date());
    expect(secondaryKeys(job)).toEqual([`turn:${turn.executionId.slice(0, 15)}:${turn.turnId}`]);
    expect(job.event).toMatchObject({
      CreatedById: turn.requestedBy,
      InteractionMessageId__c: turn.messageId,
      TurnIdentifier__c: turn.turnId,
    });
    const roundTrip = LoomJob.parse(JSON.parse(JSON.stringify(job)));
    expect(roundTrip).toMatchObject({ kind: 'turn', reconciled: true });
  });
});
