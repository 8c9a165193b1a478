/**
 * A scaled-mode worker in its own process, so a test can kill it with SIGKILL (no cleanup, lock not released).
 * argv[2] is JSON: { emulatorUrl, clientId, privateKeyFile, redisUrl, prefix, outFile }. Every handled job's EventUuid
 * is appended to outFile; "ready" is printed once started.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { SessionPool } from '../../src/salesforce/session-pool.ts';
import { createWorkerRuntime } from '../../src/worker/runtime.ts';
import { FAST } from './ingestion-harness.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const pool = new SessionPool({
  loginUrl: args.emulatorUrl as string,
  clientId: args.clientId as string,
  privateKeyPem: readFileSync(args.privateKeyFile as string, 'utf8'),
  logger: silentLogger(),
});
const runtime = createWorkerRuntime({
  config: loadConfig({
    REDIS_URL: args.redisUrl,
    LOOM_QUEUE_PREFIX: args.prefix,
    LOOM_CONCURRENCY: '1',
    SF_API_VERSION: '62.0',
    LOOM_EVENT_API: process.env.LOOM_TEST_EVENT_API === 'pubsub' ? 'pubsub' : 'cometd',
    LOOM_PUBSUB_URL: args.pubsubUrl,
  }),
  logger: silentLogger(),
  handler: {
    async handle(job) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (job.kind !== 'sweep') appendFileSync(args.outFile as string, `${job.eventUuid}\n`);
      return { status: 'completed' };
    },
  },
  session: async ({ refresh }) => pool.session('worker@lending.test', { forceRefresh: refresh }),
  tuning: FAST,
});
await runtime.start();
process.stdout.write(`ready ${runtime.isLeader() ? 'leader' : 'follower'}\n`);
