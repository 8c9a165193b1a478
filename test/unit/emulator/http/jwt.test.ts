import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeAssertion,
  isExpired,
  OAuthError,
  signAssertion,
  verifyRs256,
} from '../../../../src/emulator/http/jwt.ts';

// A self-signed certificate needs an external tool; verifyRs256 is exercised against the seed's real certificate in the
// OAuth contract tests. Here: assertion structure, claim schema and exp handling.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('JWT assertions', () => {
  it('round-trips claims through signAssertion and decodeAssertion', () => {
    const assertion = signAssertion({ iss: 'client', sub: 'a@b.test', aud: 'http://127.0.0.1:1' }, pem);
    const decoded = decodeAssertion(assertion);
    expect(decoded.claims).toMatchObject({ iss: 'client', sub: 'a@b.test', aud: 'http://127.0.0.1:1' });
    expect(decoded.signingInput.split('.')).toHaveLength(2);
  });

  it('refuses non-RS256 headers, missing claims and garbage', () => {
    const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const none = `${b64({ alg: 'none' })}.${b64({ iss: 'x', sub: 'y', aud: 'z', exp: 1 })}.`;
    const noSub = `${b64({ alg: 'RS256' })}.${b64({ iss: 'x', aud: 'z', exp: 1 })}.sig`;
    for (const bad of [none, noSub, 'a.b', 'not-a-jwt', '%%%.%%%.%%%']) {
      expect(() => decodeAssertion(bad)).toThrowError(OAuthError);
    }
  });

  it('treats exp as seconds or milliseconds and only rejects the past', () => {
    const now = Date.UTC(2025, 0, 1);
    expect(isExpired(now / 1000 + 60, now)).toBe(false);
    expect(isExpired(now + 300, now)).toBe(false);
    expect(isExpired(now / 1000 - 1, now)).toBe(true);
    expect(isExpired(now - 1, now)).toBe(true);
    expect(isExpired(now / 1000 + 10 * 365 * 86400, now)).toBe(false);
  });

  it('does not verify a signature against a malformed certificate', () => {
    const assertion = signAssertion({ iss: 'client', sub: 'a@b.test', aud: 'x' }, pem);
    const { signingInput, signature } = decodeAssertion(assertion);
    expect(verifyRs256(signingInput, signature, 'not a certificate')).toBe(false);
  });
});
