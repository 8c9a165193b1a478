import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { FileDeadLetterStore, RedisDeadLetterStore, type DeadLetterEntry } from '../../ingestion/dead-letter.ts';
import { startService } from '../../ops/service.ts';
import { cli } from '../context.ts';
import { cliLogger } from '../logging.ts';

const ENV_HELP = `
Environment:
  SF_LOGIN_URL              login/token URL (e.g. https://login.salesforce.com or the emulator URL)
  SF_CLIENT_ID              consumer key of the connected app (JWT bearer)
  SF_INTEGRATION_USERNAME   the worker's integration user (subscribes to the events; needs Loom_Worker)
  SF_PRIVATE_KEY_FILE       PEM private key of the connected app certificate (or SF_PRIVATE_KEY inline)
  SF_API_VERSION            API version for REST and CometD (default 62.0)
  REDIS_URL                 set: scaled mode (BullMQ on Redis, leader-elected subscriber); unset: embedded mode
  LOOM_QUEUE_PREFIX         Redis key prefix (default loom)
  LOOM_STATE_DIR            embedded mode: checkpoints, de-dup and dead-letter files (default .loom)
  LOOM_REPLAY_FROM          start position without a checkpoint: -1 new events (default), -2 all retained
  LOOM_CONCURRENCY          jobs run at once by this process (default 4)
  LOOM_ORG_CONCURRENCY      scaled: jobs run at once across all processes of the org
  LOOM_ORG_JOBS_PER_MINUTE  scaled: job starts per minute across all processes of the org
  LOOM_JOB_ATTEMPTS         attempts for transient failures (default 5), LOOM_JOB_BACKOFF_MS first backoff (2000)
  LOOM_PACING_SLOW_ABOVE    share of the daily API allocation above which jobs slow down (default 0.85)
  LOOM_ALLOCATION_PAUSE_MS  pause after REQUEST_LIMIT_EXCEEDED (default 300000)
  LOOM_LEADER_TTL_MS        scaled: leader lock lifetime; a dead leader is replaced within about this (default 15000)
  LOOM_SHUTDOWN_GRACE_MS    on SIGTERM, how long running jobs may finish before being handed back (default 30000)
  LOOM_TRUSTED_PUBLISHERS   user IDs allowed to publish turns for executions they do not own
  LOOM_HITL_SIGNING_KEY     enables approvals (signed pending actions); without it gated tools are refused
  LOOM_HITL_DEFAULT_APPROVER, LOOM_HITL_SWEEP_MS   approver fallback; how often overdue approvals expire (default 60000)
  LOOM_HTTP_HOST/PORT/TOKEN HTTP surface: /v1/turns for Apex callouts, /healthz, /readyz, /metrics (default 127.0.0.1:8787)
  LOOM_SERVICE_IDENTITIES   Agent_Name=service.user@org pairs: the worker's half of the opt-in service identity
  LOOM_CALLOUT_ALLOWLIST    hosts HttpCallout tools may reach (empty: no callouts)
  LOOM_LLM_*, LOOM_VAULT_KEY, LOOM_LOG_LEVEL   see README (Configuration)
`;

/** The org folders under the state directory that hold dead letters (embedded mode keys its files by org ID). */
function orgsWithDeadLetters(stateDir: string): string[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stateDir, entry.name, 'dead-letter.jsonl')))
    .map((entry) => entry.name);
}

export function register(program: Command): void {
  const worker = program
    .command('worker')
    .description(
      'Run the Loom worker: subscribe to agent-turn and HITL-decision platform events and run each turn once, as its user',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const context = cli();
      const service = await startService({
        signals: true,
        env: context.io.env,
        logger: cliLogger(context, { level: context.io.env.LOOM_LOG_LEVEL ?? 'info', name: 'loom' }),
      });
      const http = service.url ? `; HTTP on ${service.url}` : '';
      const hitl = service.sweeper ? 'approvals on' : 'approvals off (set LOOM_HITL_SIGNING_KEY)';
      context.line(
        `loom worker running in ${service.worker.mode} mode for org ${service.worker.org()}${http}; ${hitl} (Ctrl+C to stop)`,
      );
      context.result({
        mode: service.worker.mode,
        orgId: service.worker.org(),
        url: service.url ?? null,
        approvals: Boolean(service.sweeper),
      });
      await service.stopped;
    });

  worker
    .command('dead-letter')
    .description(
      'List dead-lettered events (malformed payloads, security refusals, jobs that failed for good), newest last',
    )
    .option('-n, --limit <count>', 'how many entries to show', '50')
    .option('--org <orgId>', 'org ID (default: the only org with dead letters in LOOM_STATE_DIR; scaled mode needs it)')
    .action(async (options: { limit: string; org?: string }) => {
      const context = cli();
      const config = loadConfig(context.io.env);
      const limit = Math.max(1, Number.parseInt(options.limit, 10) || 50);
      let org = options.org;
      if (!org && !config.REDIS_URL) {
        const orgs = orgsWithDeadLetters(config.LOOM_STATE_DIR);
        if (orgs.length > 1)
          throw new ConfigError(`--org is required: ${config.LOOM_STATE_DIR} holds dead letters of ${orgs.join(', ')}`);
        org = orgs[0];
      }
      let entries: DeadLetterEntry[] = [];
      if (!org) {
        if (config.REDIS_URL) throw new ConfigError('--org is required (the org ID the worker logged at start)');
      } else if (config.REDIS_URL) {
        const { Redis } = await import('ioredis');
        const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
        try {
          entries = await new RedisDeadLetterStore(redis, `${config.LOOM_QUEUE_PREFIX}:${org}:dead-letter`).list(limit);
        } finally {
          redis.disconnect();
        }
      } else {
        entries = await new FileDeadLetterStore(join(config.LOOM_STATE_DIR, org, 'dead-letter.jsonl')).list(limit);
      }
      if (entries.length === 0)
        context.line(`no dead-lettered entries${org ? ` for org ${org}` : ` in ${config.LOOM_STATE_DIR}`}`);
      for (const entry of entries) {
        context.line(
          `${entry.at}  ${entry.reason.padEnd(24)} ${entry.eventUuid ?? entry.jobId ?? '-'}  ${entry.executionId ?? ''}  ${entry.detail.split('\n')[0]}`,
        );
      }
      context.result(entries);
    });
}
