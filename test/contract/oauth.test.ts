import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsforce from 'jsforce';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../src/emulator/org/org.ts';
import { DEFAULT_SEED_PATH, type EmulatorHandle } from '../../src/emulator/server.ts';
import { assertionFor, jwtToken, requestToken, startTestEmulator } from '../support/emulator.ts';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const INACTIVE = 'inactive@lending.test';

/** The lending seed plus one deactivated (but pre-authorized) user. */
function seedWithInactiveUser(): Record<string, unknown> {
  const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as { users: Array<Record<string, unknown>> };
  seed.users.push({ key: 'inactive', username: INACTIVE, lastName: 'Gone', profile: 'Loan Officer', active: false });
  return seed;
}

let emu: EmulatorHandle;

beforeAll(async () => {
  const org = createOrg({ seed: seedWithInactiveUser() as never, baseDir: path.dirname(DEFAULT_SEED_PATH) });
  emu = await startTestEmulator({ org });
});
afterAll(async () => emu.close());

const restGet = (token: string, suffix = '/limits'): Promise<Response> =>
  fetch(`${emu.url}/services/data/v62.0${suffix}`, { headers: { Authorization: `Bearer ${token}` } });

describe('JWT bearer token endpoint', () => {
  it('returns exactly the five keys with a Salesforce-shaped token and id URL', async () => {
    const { status, body } = await requestToken(emu, assertionFor(emu, 'officer@lending.test'));
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'scope', 'token_type']);
    expect(body.access_token).toMatch(/^00D\w{12}![A-Za-z0-9._]+$/);
    expect(String(body.access_token).slice(0, 15)).toBe(emu.org.orgId.slice(0, 15));
    const user = emu.org.userByUsername('officer@lending.test');
    expect(body).toMatchObject({ scope: 'api', token_type: 'Bearer', instance_url: emu.url });
    expect(body.id).toBe(`${emu.url}/id/${emu.org.orgId}/${user?.id}`);
  });

  it('accepts a chunked form body and exp in milliseconds (what @salesforce/core sends)', async () => {
    const assertion = assertionFor(emu, 'worker@lending.test', { exp: Date.now() + 300 });
    const form = `grant_type=${encodeURIComponent(JWT_GRANT)}&assertion=${assertion}`;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const url = new URL('/services/oauth2/token', emu.url);
      const req = request(
        url,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < form.length; i += 100) req.write(form.slice(i, i + 100));
      req.end();
    });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toHaveProperty('access_token');
  });

  it.each([
    [
      'a signature from another key',
      () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString();
        return assertionFor(emu, 'officer@lending.test', {}, other);
      },
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'a foreign audience',
      () => assertionFor(emu, 'officer@lending.test', { aud: 'https://evil.example' }),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'an expired assertion',
      () => assertionFor(emu, 'officer@lending.test', { exp: Math.floor(Date.now() / 1000) - 60 }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an unknown user',
      () => assertionFor(emu, 'ghost@lending.test'),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    [
      'a user who is not pre-authorized',
      () => assertionFor(emu, 'unapproved@lending.test'),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    ['an inactive user', () => assertionFor(emu, INACTIVE), 'invalid_grant', 'inactive user'],
    [
      'an unknown consumer key',
      () => assertionFor(emu, 'officer@lending.test', { iss: 'nope' }),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'a tampered payload',
      () => {
        const [h, , s] = assertionFor(emu, 'officer@lending.test').split('.');
        const forged = Buffer.from(
          JSON.stringify({
            iss: emu.org.connectedApps()[0]?.consumerKey,
            sub: 'admin@lending.test',
            aud: emu.url,
            exp: 9e9,
          }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      'invalid_grant',
      'invalid assertion',
    ],
  ])('refuses %s with HTTP 400 {error, error_description}', async (_name, assertion, error, description) => {
    const { status, body } = await requestToken(emu, assertion());
    expect(status).toBe(400);
    expect(body).toEqual({ error, error_description: description });
  });

  it('refuses other grant types and surfaces errors through jsforce', async () => {
    const response = await fetch(`${emu.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=a&password=b',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'grant type not supported',
    });
    const oauth2 = new jsforce.OAuth2({ loginUrl: emu.url, clientId: 'x' });
    await expect(
      oauth2.requestToken({ grant_type: JWT_GRANT, assertion: assertionFor(emu, 'unapproved@lending.test') }),
    ).rejects.toMatchObject({
      name: 'invalid_grant',
      message: "user hasn't approved this consumer",
    });
  });
});

describe('identity, userinfo, revoke, introspect', () => {
  it('serves userinfo and the identity URL, and answers bad tokens with 403 Bad_OAuth_Token', async () => {
    const token = await jwtToken(emu, 'officer@lending.test');
    const user = emu.org.userByUsername('officer@lending.test');
    const info = await fetch(`${emu.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
    expect(info.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await info.json()).toMatchObject({
      user_id: user?.id,
      organization_id: emu.org.orgId,
      preferred_username: 'officer@lending.test',
    });

    const conn = new jsforce.Connection({ instanceUrl: emu.url, accessToken: token, version: '62.0' });
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      user_id: user?.id,
      organization_id: emu.org.orgId,
      username: 'officer@lending.test',
    });
    const byQuery = await fetch(
      `${emu.url}/id/${emu.org.orgId}/${user?.id}?format=json&oauth_token=${encodeURIComponent(token)}`,
    );
    expect(byQuery.status).toBe(200);

    for (const url of [`${emu.url}/services/oauth2/userinfo`, `${emu.url}/id/${emu.org.orgId}/${user?.id}`]) {
      const bad = await fetch(url, { headers: { Authorization: 'Bearer 00Dnope!nope' } });
      expect(bad.status).toBe(403);
      expect(await bad.text()).toBe('Bad_OAuth_Token');
    }
  });

  it('revokes a token: REST answers 401 INVALID_SESSION_ID and introspection reports it inactive', async () => {
    const token = await jwtToken(emu, 'underwriter@lending.test');
    const clientId = emu.org.connectedApps()[0]?.consumerKey ?? '';
    const introspect = async (): Promise<Record<string, unknown>> => {
      const response = await fetch(`${emu.url}/services/oauth2/introspect`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token', client_id: clientId, client_secret: 'x' }),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    expect(await introspect()).toMatchObject({
      active: true,
      scope: 'api',
      client_id: clientId,
      username: 'underwriter@lending.test',
      token_type: 'access_token',
    });
    expect((await restGet(token)).status).toBe(200);

    await new jsforce.OAuth2({ loginUrl: emu.url, clientId }).revokeToken(token);
    const after = await restGet(token);
    expect(after.status).toBe(401);
    expect(after.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
    expect(await after.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect(await introspect()).toEqual({ active: false });
  });

  it('expires tokens by admin action and by idle timeout, per token and per user', async () => {
    const a = await jwtToken(emu, 'approver@lending.test');
    const b = await jwtToken(emu, 'approver@lending.test');
    const c = await jwtToken(emu, 'nobody@lending.test');
    expect(emu.admin.expireToken(a)).toBe(true);
    expect((await restGet(a)).status).toBe(401);
    expect((await restGet(b)).status).toBe(200);
    expect(emu.admin.revokeTokens({ username: 'approver@lending.test' })).toBe(1);
    expect((await restGet(b)).status).toBe(401);

    // Idle timeout: activity restarts the clock, silence past the timeout kills the token.
    emu.admin.setSessionTimeout(600);
    emu.admin.advanceClock(500_000);
    expect((await restGet(c)).status).toBe(200);
    emu.admin.advanceClock(500_000);
    expect((await restGet(c)).status).toBe(200);
    emu.admin.advanceClock(601_000);
    expect((await restGet(c)).status).toBe(401);
    emu.admin.setSessionTimeout(7200);
  });

  it('rejects malformed Authorization headers with INVALID_AUTH_HEADER', async () => {
    const response = await fetch(`${emu.url}/services/data/v62.0/limits`, {
      headers: { Authorization: 'Basic abc def' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual([{ message: 'INVALID_HEADER_TYPE', errorCode: 'INVALID_AUTH_HEADER' }]);
  });
});
