/** The readiness probes' logic with a controlled clock and a fake worker: nothing here waits on wall-clock time. */
import { describe, expect, it } from 'vitest';
import {
  cachedCheck,
  injectionModelCheck,
  subscriptionCheck,
  type SubscriptionSource,
} from '../../../src/ops/readiness.ts';

describe('cachedCheck', () => {
  it('reuses an answer within the TTL and asks again after it, failures included', async () => {
    let clock = 0;
    let calls = 0;
    let healthy = true;
    const check = cachedCheck(
      5_000,
      async () => {
        calls++;
        if (!healthy) throw new Error('INVALID_SESSION_ID');
        return { ok: true };
      },
      () => clock,
    );
    expect(await check()).toEqual({ ok: true });
    healthy = false;
    clock = 4_999;
    expect(await check()).toEqual({ ok: true });
    expect(calls).toBe(1);
    clock = 5_000;
    expect(await check()).toEqual({ ok: false, detail: 'INVALID_SESSION_ID' });
    expect(calls).toBe(2);
  });
});

describe('subscriptionCheck', () => {
  const worker = (
    mode: 'embedded' | 'scaled',
    leader: boolean,
    state: { state: string; detail: string } | undefined,
  ): SubscriptionSource => ({
    mode,
    isLeader: () => leader,
    subscription: () => state,
  });

  it('is ready only when the CometD client says connected (or for a scaled standby)', async () => {
    expect(
      await subscriptionCheck(worker('embedded', true, { state: 'connected', detail: 'subscribed' }), () => true)(),
    ).toMatchObject({ ok: true });
    for (const state of ['connecting', 'reconnecting', 'transport-down', 'stopped']) {
      expect(
        await subscriptionCheck(worker('embedded', true, { state, detail: 'x' }), () => true)(),
        state,
      ).toMatchObject({ ok: false, detail: expect.stringContaining(state) });
    }
    expect(await subscriptionCheck(worker('scaled', false, undefined), () => true)()).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/standby/),
    });
    expect(await subscriptionCheck(worker('embedded', true, undefined), () => true)()).toMatchObject({ ok: false });
    expect(
      await subscriptionCheck(worker('embedded', true, { state: 'connected', detail: '' }), () => false)(),
    ).toMatchObject({ ok: false, detail: 'the worker has not started' });
  });
});

describe('injectionModelCheck', () => {
  it('is ready only when the learned injection weights loaded', async () => {
    expect(await injectionModelCheck(() => true)()).toEqual({ ok: true, detail: 'learned weights loaded' });
    const failed = await injectionModelCheck(() => false)();
    expect(failed.ok).toBe(false);
    expect(failed.detail).toContain('every text is flagged');
  });
});
