/**
 * Shared test helpers: a real emulator on a random port, real JWT bearer logins with the seed's dev key,
 * and unmodified jsforce connections.
 */
import jsforce from 'jsforce';
import {
  DEFAULT_SEED_PATH,
  startEmulator,
  type EmulatorHandle,
  type EmulatorOptions,
} from '../../src/emulator/server.ts';
import { findDevPrivateKey } from '../../src/emulator/http/dev-keys.ts';
import { signAssertion } from '../../src/emulator/http/jwt.ts';
import type { ConnectedAppDef } from '../../src/emulator/org/model.ts';

export const TEST_API_VERSION = '62.0';

const seedPaths = new WeakMap<EmulatorHandle, string>();

/** Starts an emulator on 127.0.0.1 with a random port and the lending seed unless told otherwise. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  seedPaths.set(handle, options.seedPath ?? DEFAULT_SEED_PATH);
  return handle;
}

/** The seed's (first) connected app and its dev private key. */
export function devCredentials(handle: EmulatorHandle): {
  app: ConnectedAppDef;
  privateKeyPem: string;
  privateKeyFile: string;
} {
  const app = handle.org.connectedApps()[0];
  if (!app) throw new Error('the seed defines no connected app');
  const key = findDevPrivateKey(seedPaths.get(handle) ?? DEFAULT_SEED_PATH, app);
  if (!key) throw new Error(`no dev private key matches connected app ${app.name}`);
  return { app, privateKeyPem: key.pem, privateKeyFile: key.file };
}

/** A signed assertion for `username`; `claims` overrides any claim (tests of the refusal paths). */
export function assertionFor(
  handle: EmulatorHandle,
  username: string,
  claims: Record<string, unknown> = {},
  privateKeyPem?: string,
): string {
  const { app, privateKeyPem: devKey } = devCredentials(handle);
  return signAssertion({ iss: app.consumerKey, sub: username, aud: handle.url, ...claims }, privateKeyPem ?? devKey);
}

/** Raw POST to the token endpoint: status and parsed JSON body. */
export async function requestToken(
  handle: EmulatorHandle,
  assertion: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${handle.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The real JWT bearer flow: an access token for `username`. */
export async function jwtToken(handle: EmulatorHandle, username: string): Promise<string> {
  const { status, body } = await requestToken(handle, assertionFor(handle, username));
  if (status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`JWT login for ${username} failed (${status}): ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

/** An unmodified jsforce Connection (API 62.0) logged in as `username` through the JWT bearer flow. */
export async function jsforceConnection(handle: EmulatorHandle, username: string): Promise<jsforce.Connection> {
  const accessToken = await jwtToken(handle, username);
  return new jsforce.Connection({ instanceUrl: handle.url, accessToken, version: TEST_API_VERSION });
}

/** Seeded usernames by role, read from the org so tests follow the seed. */
export function seededUser(handle: EmulatorHandle, match: (username: string) => boolean): string {
  const user = handle.org.users().find((u) => match(u.username));
  if (!user) throw new Error('no seeded user matches');
  return user.username;
}
