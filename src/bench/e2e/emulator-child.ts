/**
 * The org emulator in its own process for the end-to-end benchmarks (forked by cluster.ts). Sends its URL and the seed's
 * dev JWT key to the parent, lifts the daily API and event-delivery allocations so long runs (the memory benchmark's
 * 10,000+ turns) are neither refused nor silently left undelivered, and exits when the parent goes.
 */
import { findDevPrivateKey } from '../../emulator/http/dev-keys.ts';
import { DEFAULT_SEED_PATH, startEmulator } from '../../emulator/server.ts';
import { silentLogger } from '../../logger.ts';
import type { EmulatorReady } from './protocol.ts';

const handle = await startEmulator({
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger(),
  dailyDeliveryLimit: 1_000_000_000,
});
const app = handle.org.connectedApps()[0];
const key = app ? findDevPrivateKey(DEFAULT_SEED_PATH, app) : undefined;
if (!app || !key) throw new Error('the default seed has no connected app with a dev key');
handle.admin.setApiLimit(1_000_000_000);
const ready: EmulatorReady = {
  type: 'emulator-ready',
  url: handle.url,
  pubsubUrl: handle.pubsubUrl,
  consumerKey: app.consumerKey,
  privateKeyPem: key.pem,
};
process.send?.(ready);
const stop = (): void => void handle.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
