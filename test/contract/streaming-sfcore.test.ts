/**
 * @salesforce/core's StreamingClient (faye at `cometd/<apiVersion>`, websocket disabled) against the emulator:
 * a JWT-authenticated org connection subscribes to a platform event channel and receives a REST-published event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { devCredentials, jsforceConnection, startTestEmulator, TEST_API_VERSION } from '../support/emulator.ts';

// @salesforce/core writes state under HOME: point it at a throwaway directory before it loads.
const home = mkdtempSync(path.join(tmpdir(), 'loom-sfcore-streaming-'));
process.env.HOME = home;
process.env.USERPROFILE = home;
process.env.SF_DISABLE_DNS_CHECK = 'true';
process.env.SF_DISABLE_TELEMETRY = 'true';
process.env.SF_DISABLE_LOG_FILE = 'true';
const { AuthInfo, Connection, Org, StreamingClient } = await import('@salesforce/core');

const CHANNEL = '/event/AgentTurnRequest__e';
let emulator: EmulatorHandle;

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 2_000 });
});

afterAll(async () => {
  await emulator.close();
  rmSync(home, { recursive: true, force: true });
});

// core refuses a second AuthInfo for the same username in one HOME, so each user's org is built once.
const orgs = new Map<string, Promise<InstanceType<typeof Org>>>();

async function orgFor(username: string): Promise<InstanceType<typeof Org>> {
  const { app, privateKeyFile } = devCredentials(emulator);
  const authInfo = await AuthInfo.create({
    username,
    oauth2Options: { clientId: app.consumerKey, loginUrl: emulator.url, privateKeyFile },
  });
  const connection = await Connection.create({ authInfo });
  connection.setApiVersion(TEST_API_VERSION);
  return Org.create({ connection });
}

type StreamProcessor = ConstructorParameters<typeof StreamingClient.DefaultOptions>[2];

async function streamingClient(username: string, processor: StreamProcessor) {
  if (!orgs.has(username)) orgs.set(username, orgFor(username));
  const org = await (orgs.get(username) as Promise<InstanceType<typeof Org>>);
  return StreamingClient.create(new StreamingClient.DefaultOptions(org, CHANNEL, processor));
}

describe('@salesforce/core StreamingClient', () => {
  it('handshakes, subscribes and completes on a REST-published platform event', async () => {
    // Users hold no Create on the request event; the admin's Modify All Data reaches platform events.
    const publisher = await jsforceConnection(emulator, 'admin@lending.test');
    const client = await streamingClient('worker@lending.test', (message) => ({ completed: true, payload: message }));
    await client.handshake();
    const result = (await client.subscribe(async () => {
      await publisher.sobject('AgentTurnRequest__e').create({ TurnIdentifier__c: 'sfcore-1' });
    })) as { payload: Record<string, unknown>; event: { replayId: number } };
    expect(result.payload.TurnIdentifier__c).toBe('sfcore-1');
    expect(result.event.replayId).toBeGreaterThan(0);
  });

  it('replays retained events with replay(-2)', async () => {
    const client = await streamingClient('worker@lending.test', (message) => ({
      completed: (message as { payload: Record<string, unknown> }).payload.TurnIdentifier__c === 'sfcore-1',
      payload: message,
    }));
    client.replay(-2);
    await client.handshake();
    const result = (await client.subscribe()) as { payload: Record<string, unknown> };
    expect(result.payload.TurnIdentifier__c).toBe('sfcore-1');
  });

  it('rejects the subscription of a user without read access with Restricted channel', async () => {
    const client = await streamingClient('nobody@lending.test', () => ({ completed: true }));
    await client.handshake();
    await expect(client.subscribe()).rejects.toMatchObject({ message: 'Restricted channel' });
  });
});
