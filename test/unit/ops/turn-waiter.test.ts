import { describe, expect, it } from 'vitest';
import type { TurnWritten } from '../../../src/runtime/turn-handler.ts';
import { TurnWaiter } from '../../../src/ops/turn-waiter.ts';

const turn = (turnId: string): TurnWritten => ({
  executionId: 'a01000000000001AAA',
  turnId,
  status: 'Completed',
  responseText: 'hi',
  steps: [],
  totalTokens: 1,
  costUsd: 0,
});

describe('TurnWaiter', () => {
  it('resolves a waiting caller when its turn is written, and only that caller', async () => {
    const waiter = new TurnWaiter();
    const mine = waiter.wait('t1', 10_000);
    const other = waiter.wait('t2', 10_000);
    expect(waiter.waitingCount).toBe(2);
    waiter.notify(turn('t1'));
    await expect(mine).resolves.toMatchObject({ turnId: 't1' });
    expect(waiter.waitingCount).toBe(1);
    waiter.notify(turn('t2'));
    await expect(other).resolves.toMatchObject({ turnId: 't2' });
  });

  it('returns a turn written before the caller started waiting', async () => {
    const waiter = new TurnWaiter();
    waiter.notify(turn('early'));
    await expect(waiter.wait('early', 0)).resolves.toMatchObject({ turnId: 'early' });
  });

  it('gives up on timeout or abort and forgets the caller', async () => {
    const waiter = new TurnWaiter();
    await expect(waiter.wait('never', 5)).resolves.toBeUndefined();
    const controller = new AbortController();
    const pending = waiter.wait('never', 60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBeUndefined();
    expect(waiter.waitingCount).toBe(0);
  });

  it('forgets old results', async () => {
    let now = 0;
    const waiter = new TurnWaiter(() => now);
    waiter.notify(turn('old'));
    now = 10 * 60_000;
    waiter.notify(turn('new'));
    await expect(waiter.wait('old', 0)).resolves.toBeUndefined();
  });
});
