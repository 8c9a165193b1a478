/**
 * The CometD subscriber against the emulator with real faye: when the org answers long polls later than faye's request
 * timeout (1.2 × advice.timeout), events published meanwhile still arrive once the org is fast again; and events the org
 * put into a held long poll that faye had already given up on (the 20,000-turn soak's lost events, see
 * docs/security.md) are replayed by a fresh subscription.
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
  // The admin publishes (Modify All Data reaches platform events; users hold no Create on the request event).
  officer = await jsforceConnection(emulator, 'admin@lending.test');
});
afterAll(async () => {
  await emulator.close();
});

async function publish(turn: string): Promise<void> {
  await officer
    .sobject('AgentTurnRequest__e')
    .create({ AgentExecutionId__c: 'a01EM0000000001YAA', TurnIdentifier__c: turn });
}

/**
 * Polls `condition` with no deadline of its own: at load average 10 a reconnect with backoff can take many times longer
 * than on a quiet machine (a fixed budget of 600 × 25 ms failed there), so only the test's timeout bounds the wait.
 */
const until = async (condition: () => boolean, _what: string): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25));
};
/** Bounds only a hung test: every wait above is on an observed event. */
const TEST_TIMEOUT_MS = 180_000;

describe('CometdSubscriber', () => {
  it(
    'gets back events whose long-poll response came too late for faye',
    async () => {
      const received: string[] = [];
      const subscriber = new CometdSubscriber({
        channels: [TURN_CHANNEL],
        apiVersion: '62.0',
        session: async ({ refresh }) => {
          const session = await pool.session('worker@lending.test', { forceRefresh: refresh });
          return { instanceUrl: session.instanceUrl, accessToken: session.accessToken };
        },
        positions: new Map([[TURN_CHANNEL, -1]]),
        onEvent: (_channel, data) =>
          received.push(String((data as { payload: { TurnIdentifier__c: string } }).payload.TurnIdentifier__c)),
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
      expect(received.filter((turn) => turn.startsWith('late'))).toEqual(
        expect.arrayContaining(['late-1', 'late-2', 'late-3']),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'gets back events the org drained into a long poll faye had already abandoned (the soak loss)',
    async () => {
      // The emulator holds a long poll for 300 ms and faye gives up on it after 360 ms. A saturated org (the soak's
      // emulator at 17,000 turns: whole-table SOQL scans on its event loop) answers a held poll late: its 300 ms timer runs
      // after faye's 360 ms one is also due, takes the new event off the client's queue and writes it into a request faye
      // then aborts. faye retries the connect within 100 ms, well inside the org's 300 ms reconnect window, so the client
      // survives and nothing replays the event. Here the lag is a synchronous busy loop right after an in-process publish,
      // so the event is queued while the poll is held and both timers are due when the loop frees up.
      const received: string[] = [];
      const subscriber = new CometdSubscriber({
        channels: [TURN_CHANNEL],
        apiVersion: '62.0',
        session: async ({ refresh }) => {
          const session = await pool.session('worker@lending.test', { forceRefresh: refresh });
          return { instanceUrl: session.instanceUrl, accessToken: session.accessToken };
        },
        positions: new Map([[TURN_CHANNEL, -1]]),
        onEvent: (_channel, data) =>
          received.push(String((data as { payload: { TurnIdentifier__c: string } }).payload.TurnIdentifier__c)),
        logger: silentLogger(),
        metrics: new IngestionMetrics(),
        retrySeconds: 0.1,
        restartBaseMs: 50,
        restartMaxMs: 200,
      });
      const officerId = emulator.org.userByUsername('admin@lending.test')?.id ?? '';
      const publishNow = (turn: string): void => {
        emulator.org.create(emulator.org.access(officerId), 'AgentTurnRequest__e', {
          AgentExecutionId__c: 'a01EM0000000001YAA',
          TurnIdentifier__c: turn,
        });
      };
      const lagged = ['lagged-1', 'lagged-2', 'lagged-3'];
      await subscriber.start();
      try {
        publishNow('ready');
        await until(() => received.includes('ready'), 'the first event');
        for (const turn of lagged) {
          await new Promise((resolve) => setTimeout(resolve, 150)); // mid-way through a held poll
          publishNow(turn);
          const busyUntil = Date.now() + 600;
          while (Date.now() < busyUntil) {
            // the org's event loop is saturated; both timers fall due
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        publishNow('after');
        await until(() => received.includes('after'), 'a later event');
        await until(
          () => lagged.every((turn) => received.includes(turn)),
          'the events the org drained into abandoned polls',
        );
      } finally {
        await subscriber.stop();
      }
      expect(received).toEqual(expect.arrayContaining(lagged));
    },
    TEST_TIMEOUT_MS,
  );
});
