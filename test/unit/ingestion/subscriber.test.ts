/**
 * The CometD subscriber against the emulator with real faye: when the org answers long polls later than faye's request
 * timeout (1.2 × advice.timeout), events published meanwhile still arrive once the org is fast again. (Written while
 * chasing events the 20,000-turn soak never received; this path is not the cause, see docs/security.md.)
 */
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../../src/emulator/server.ts';
import { TURN_CHANNEL } from '../../../src/runtime/jobs.ts';
import { IngestionMetrics } from '../../../src/ingestion/metrics.ts';
import { CometdSubscriber } from '../../../src/ingestion/subscriber.ts';
import { silentLogger } from '../../../src/logger.ts';
import { SessionPool } from '../../../src/salesforce/session-pool.ts';
import { devCredentials, jsforceConnection, startTestEmulator } from '../../support/emulator.ts';

let emulator: EmulatorHandle;
let officer: jsforce.Connection;
let pool: SessionPool;

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 300 });
  const { app, privateKeyPem } = devCredentials(emulator);
  pool = new SessionPool({ loginUrl: emulator.url, clientId: app.consumerKey, privateKeyPem, logger: silentLogger() });
  officer = await jsforceConnection(emulator, 'officer@lending.test');
});
afterAll(async () => {
  await emulator.close();
});

async function publish(turn: string): Promise<void> {
  await officer.sobject('AgentTurnRequest__e').create({ AgentExecutionId__c: 'a01EM0000000001YAA', TurnIdentifier__c: turn });
}

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 600; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('CometdSubscriber', () => {
  it('gets back events whose long-poll response came too late for faye', async () => {
    const received: string[] = [];
    const subscriber = new CometdSubscriber({
      channels: [TURN_CHANNEL],
      apiVersion: '62.0',
      session: async ({ refresh }) => {
        const session = await pool.session('worker@lending.test', { forceRefresh: refresh });
        return { instanceUrl: session.instanceUrl, accessToken: session.accessToken };
      },
      positions: new Map([[TURN_CHANNEL, -1]]),
      onEvent: (_channel, data) => received.push(String((data as { payload: { TurnIdentifier__c: string } }).payload.TurnIdentifier__c)),
      logger: silentLogger(),
      metrics: new IngestionMetrics(),
      retrySeconds: 0.1,
      restartBaseMs: 50,
      restartMaxMs: 200,
    });
    await subscriber.start();
    try {
      await publish('before');
      await until(() => received.includes('before'), 'the first event');
      // Every answer now comes 500 ms late: after faye's 360 ms request timeout. Events published meanwhile go into
      // responses faye has already given up on.
      emulator.admin.setLatency(500);
      await new Promise((resolve) => setTimeout(resolve, 600));
      for (const turn of ['late-1', 'late-2', 'late-3']) await publish(turn);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      emulator.admin.setLatency(0);
      await until(() => ['late-1', 'late-2', 'late-3'].every((turn) => received.includes(turn)), 'the late events');
    } finally {
      emulator.admin.setLatency(0);
      await subscriber.stop();
    }
    expect(received.filter((turn) => turn.startsWith('late'))).toEqual(expect.arrayContaining(['late-1', 'late-2', 'late-3']));
  }, 30_000);
});
