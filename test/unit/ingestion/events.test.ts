import { describe, expect, it } from 'vitest';
import { DeliveredData, jobContext, parseDelivered, secondaryKeys } from '../../../src/ingestion/events.ts';
import { DECISION_CHANNEL, TURN_CHANNEL, jobIdFor } from '../../../src/runtime/jobs.ts';

const OFFICER = '005EM0000000002YAB';
const OTHER = '005EM0000000009YAB';
const EXECUTION = 'a01EM0000000001YAA';

function delivered(payload: Record<string, unknown>, replayId = 4711): DeliveredData {
  return DeliveredData.parse({
    schema: 'x',
    payload: { CreatedById: OFFICER, CreatedDate: '2026-03-01T12:00:00.000Z', ...payload },
    event: { replayId, EventUuid: '6f1c2d3e-1111-4222-8333-944455556666' },
  });
}

describe('parseDelivered', () => {
  it('builds a turn job whose requesting user is CreatedById, ignoring keys that claim another user', () => {
    const parsed = parseDelivered(
      TURN_CHANNEL,
      delivered({ AgentExecutionId__c: EXECUTION, TurnIdentifier__c: 't1', RequestingUser__c: OTHER, UserId: OTHER }),
      new Date(0),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.job.event.CreatedById).toBe(OFFICER);
    expect(JSON.stringify(parsed.job)).not.toContain(OTHER);
    expect(parsed.ignoredKeys.sort()).toEqual(['RequestingUser__c', 'UserId']);
    expect(jobIdFor(parsed.job)).toBe('turn-6f1c2d3e-1111-4222-8333-944455556666');
    expect(jobContext(parsed.job)).toMatchObject({ executionId: EXECUTION, turnId: 't1' });
  });

  it('reports a malformed turn with the execution it names so an Error step can be written', () => {
    const parsed = parseDelivered(
      TURN_CHANNEL,
      delivered({ AgentExecutionId__c: EXECUTION, TurnIdentifier__c: '' }),
      new Date(0),
    );
    expect(parsed).toMatchObject({ ok: false, reason: 'malformed:payload', executionId: EXECUTION });
  });

  it('reports a malformed turn without an execution when the ID is not a Salesforce ID', () => {
    const parsed = parseDelivered(
      TURN_CHANNEL,
      delivered({ AgentExecutionId__c: "x' OR 1=1", TurnIdentifier__c: 't' }),
      new Date(0),
    );
    expect(parsed.ok).toBe(false);
    expect(parsed).not.toHaveProperty('executionId');
  });

  it('refuses a payload whose CreatedById is not a user ID', () => {
    const parsed = parseDelivered(
      TURN_CHANNEL,
      delivered({ AgentExecutionId__c: EXECUTION, TurnIdentifier__c: 't', CreatedById: 'me' }),
      new Date(0),
    );
    expect(parsed.ok).toBe(false);
  });

  it('builds decision jobs and validates the decision value', () => {
    const ok = parseDelivered(
      DECISION_CHANNEL,
      delivered({ PendingActionId__c: 'a05EM0000000001YAA', Decision__c: 'Approve' }),
      new Date(0),
    );
    expect(ok).toMatchObject({ ok: true, job: { kind: 'decision' } });
    const bad = parseDelivered(
      DECISION_CHANNEL,
      delivered({ PendingActionId__c: 'a05EM0000000001YAA', Decision__c: 'Maybe' }),
      new Date(0),
    );
    expect(bad).toMatchObject({ ok: false, reason: 'malformed:payload' });
  });

  it('keys turns by execution (15-character form) and turn identifier', () => {
    const parsed = parseDelivered(
      TURN_CHANNEL,
      delivered({ AgentExecutionId__c: EXECUTION, TurnIdentifier__c: 't9' }),
      new Date(0),
    );
    if (!parsed.ok) throw new Error('expected a job');
    expect(secondaryKeys(parsed.job)).toEqual([`turn:${EXECUTION.slice(0, 15)}:t9`]);
  });

  it('rejects envelopes without a numeric replay ID', () => {
    expect(DeliveredData.safeParse({ payload: {}, event: { replayId: '1', EventUuid: 'u' } }).success).toBe(false);
  });
});
