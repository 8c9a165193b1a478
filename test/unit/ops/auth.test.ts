import { describe, expect, it } from 'vitest';
import { safeEqual, signBody, verifyBearer, verifySignature } from '../../../src/ops/auth.ts';

const TOKEN = 'a'.repeat(40);

describe('verifyBearer', () => {
  it('accepts exactly the configured token', () => {
    expect(verifyBearer(`Bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
    expect(verifyBearer(`bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
  });

  it('refuses missing, malformed, wrong and prefix tokens, and everything when none is configured', () => {
    expect(verifyBearer(undefined, TOKEN).ok).toBe(false);
    expect(verifyBearer(TOKEN, TOKEN).reason).toMatch(/not a Bearer token/);
    expect(verifyBearer(`Bearer ${TOKEN.slice(1)}`, TOKEN).reason).toBe('Invalid bearer token.');
    expect(verifyBearer(`Bearer ${TOKEN}a`, TOKEN).ok).toBe(false);
    expect(verifyBearer(`Bearer ${TOKEN}`, undefined).reason).toMatch(/LOOM_HTTP_TOKEN is not set/);
    expect(verifyBearer('Bearer ', '').ok).toBe(false);
  });

  it('compares without revealing length through an exception', () => {
    expect(safeEqual('short', 'a much longer secret')).toBe(false);
    expect(safeEqual('same', 'same')).toBe(true);
  });
});

describe('signBody', () => {
  it('matches the vector the Apex client (AgentWorkerClient.signature) is tested against', () => {
    expect(
      signBody('loom-test-signing-key-0123456789abcdef', 1700000000, '{"requestingUserId":"005000000000001AAA"}'),
    ).toBe('sha256=71bd0b9ff6c8b00320d6aba98409f9f00bcd33d43e79537ccf0b6853631382a2');
  });

  it('refuses unsigned requests without a key unless explicitly allowed', () => {
    expect(verifySignature({ signature: undefined, timestamp: undefined }, '{}', undefined)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/LOOM_HTTP_SIGNING_KEY/),
    });
    expect(verifySignature({ signature: undefined, timestamp: undefined }, '{}', undefined, Date.now(), true)).toEqual({
      ok: true,
    });
  });
});

describe('verifySignature', () => {
  const key = 'k'.repeat(32);
  const now = 1_750_000_000_000;
  const ts = Math.floor(now / 1000);

  it('accepts a correct signature inside the window and refuses tampering, age and garbage', () => {
    const body = '{"a":1}';
    expect(verifySignature({ signature: signBody(key, ts, body), timestamp: String(ts) }, body, key, now)).toEqual({
      ok: true,
    });
    expect(verifySignature({ signature: signBody(key, ts, body), timestamp: String(ts) }, '{"a":2}', key, now).ok).toBe(
      false,
    );
    expect(
      verifySignature({ signature: signBody('x'.repeat(32), ts, body), timestamp: String(ts) }, body, key, now).ok,
    ).toBe(false);
    expect(
      verifySignature({ signature: signBody(key, ts - 301, body), timestamp: String(ts - 301) }, body, key, now).reason,
    ).toMatch(/window/);
    expect(
      verifySignature({ signature: signBody(key, ts, body), timestamp: 'yesterday' }, body, key, now).reason,
    ).toMatch(/epoch seconds/);
    expect(verifySignature({ signature: undefined, timestamp: String(ts) }, body, key, now).reason).toMatch(/Missing/);
  });
});
