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

describe('verifySignature', () => {
  const key = 'k'.repeat(32);
  const now = 1_750_000_000_000;
  const ts = Math.floor(now / 1000);

  it('passes when no key is configured', () => {
    expect(verifySignature({ signature: undefined, timestamp: undefined }, '{}', undefined)).toEqual({ ok: true });
  });

  it('accepts a correct signature inside the window and refuses tampering, age and garbage', () => {
    const body = '{"a":1}';
    expect(verifySignature({ signature: signBody(key, ts, body), timestamp: String(ts) }, body, key, now)).toEqual({ ok: true });
    expect(verifySignature({ signature: signBody(key, ts, body), timestamp: String(ts) }, '{"a":2}', key, now).ok).toBe(false);
    expect(verifySignature({ signature: signBody('x'.repeat(32), ts, body), timestamp: String(ts) }, body, key, now).ok).toBe(false);
    expect(verifySignature({ signature: signBody(key, ts - 301, body), timestamp: String(ts - 301) }, body, key, now).reason).toMatch(/window/);
    expect(verifySignature({ signature: signBody(key, ts, body), timestamp: 'yesterday' }, body, key, now).reason).toMatch(/epoch seconds/);
    expect(verifySignature({ signature: undefined, timestamp: String(ts) }, body, key, now).reason).toMatch(/Missing/);
  });
});
