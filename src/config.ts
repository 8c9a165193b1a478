import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const apiVersion = z.string().regex(/^\d{2,3}\.0$/, 'must look like 62.0');
const csv = z
  .string()
  .optional()
  .transform((value) =>
    value
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : [],
  );
const flag = z.stringbool().optional();
/** An http(s) URL: `localhost:8080/v1` parses as a URL with scheme `localhost:` and would only fail at the first call. */
const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, message: `must be an http(s) URL such as ${example}` });

/** Every environment variable Loom reads, with its default. Documented in README (Configuration). */
export const ConfigSchema = z.object({
  SF_LOGIN_URL: httpUrl('https://login.salesforce.com').optional(),
  SF_INSTANCE_URL: httpUrl('https://example.my.salesforce.com').optional(),
  SF_CLIENT_ID: z.string().min(1).optional(),
  SF_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  SF_PRIVATE_KEY: z.string().min(1).optional(),
  SF_INTEGRATION_USERNAME: z.string().min(1).optional(),
  SF_API_VERSION: apiVersion.default('62.0'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
  LOOM_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('loom'),
  LOOM_STATE_DIR: z.string().min(1).default('.loom'),
  LOOM_REPLAY_FROM: z.coerce.number().int().min(-2).default(-1),
  LOOM_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  /** Which event API receives turns and decisions: CometD (Streaming API, the default) or the gRPC Pub/Sub API. */
  LOOM_EVENT_API: z.enum(['cometd', 'pubsub']).default('cometd'),
  LOOM_PUBSUB_URL: z.url().default('https://api.pubsub.salesforce.com:7443'),
  /** Pub/Sub flow control: events delivered and not yet finished at most (default 2 × LOOM_CONCURRENCY). */
  LOOM_PUBSUB_WINDOW: z.coerce.number().int().min(1).max(10_000).optional(),
  LOOM_TRUSTED_PUBLISHERS: csv,
  /** `AgentDeveloperName=service.user@org` pairs: the worker's half of the opt-in service identity. */
  LOOM_SERVICE_IDENTITIES: csv.pipe(
    z.array(
      z.string().regex(/^[A-Za-z0-9_]+=[^\s=]+@[^\s=]+$/, 'each entry must look like Agent_Name=user@example.com'),
    ),
  ),
  /** Hosts HttpCallout tools may reach (exact host names or IP literals); empty = no callouts at all. */
  LOOM_CALLOUT_ALLOWLIST: csv.pipe(
    z.array(
      z
        .string()
        .refine(
          (host) =>
            /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host) ||
            isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0,
          'each entry must be a host name or IP address, without scheme, port or path',
        ),
    ),
  ),
  LOOM_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  LOOM_JOB_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(2_000),
  LOOM_ORG_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).optional(),
  LOOM_ORG_JOBS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  LOOM_LEADER_TTL_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  LOOM_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /**
   * How often the subscribing process looks for started turns no job ever claimed (their event never arrived) and runs
   * them (ms); 0 disables the sweep.
   */
  LOOM_RECONCILE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .refine((ms) => ms === 0 || ms >= 1_000, 'must be 0 (off) or at least 1000')
    .default(300_000),
  /** A turn younger than this is never touched by the reconciliation sweep: its event may still be on its way (ms). */
  LOOM_RECONCILE_GRACE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  LOOM_PACING_SLOW_ABOVE: z.coerce.number().min(0).max(1).default(0.85),
  LOOM_ALLOCATION_PAUSE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  LOOM_VAULT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOOM_HITL_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Approver username for capabilities whose BackendConfiguration__c names no approval routing. */
  LOOM_HITL_DEFAULT_APPROVER: z.string().min(3).optional(),
  /** How often overdue pending approvals are expired (ms). */
  LOOM_HITL_SWEEP_MS: z.coerce.number().int().min(1_000).default(60_000),
  LOOM_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  LOOM_HTTP_HOST: z.string().default('127.0.0.1'),
  LOOM_HTTP_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOOM_LLM_BASE_URL: httpUrl('https://api.openai.com/v1').optional(),
  LOOM_LLM_API_KEY: z.string().min(1).optional(),
  LOOM_LLM_MODEL: z.string().min(1).optional(),
  LOOM_LLM_ADAPTER: z.enum(['openai', 'anthropic', 'scripted']).default('openai'),
  LOOM_LLM_SCRIPT: z.string().min(1).optional(),
  LOOM_LLM_TIMEOUT_MS: z.coerce.number().int().positive().max(900_000).default(60_000),
  LOOM_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  LOOM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOOM_METRICS: flag,
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Parses the environment once. Fails with one readable message naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/** Loads `.env` from the working directory when present (Node's own parser; real environment variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
