import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/** Settings of the worker's HTTP surface only (the rest lives in src/config.ts). */
export const OpsConfigSchema = z.object({
  /** HMAC key `/v1/turns` callers sign the body with (X-Loom-Signature, X-Loom-Timestamp); without it the endpoint refuses turns. */
  LOOM_HTTP_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Local development only: accept unsigned `/v1/turns` requests when no signing key is set (`loom dev` does). */
  LOOM_HTTP_ALLOW_UNSIGNED: z.stringbool().default(false),
  /** How long `/v1/turns/sync` waits for the answer; Apex allows at most 120 s of callouts per transaction. */
  LOOM_SYNC_WAIT_MS: z.coerce.number().int().min(1_000).max(110_000).default(100_000),
  /** Synchronous callers allowed to wait at once; more get 429 (Apex reports "busy"). */
  LOOM_HTTP_MAX_WAITING: z.coerce.number().int().min(1).max(10_000).default(64),
  /** Scaled mode: how often a waiting sync caller polls Salesforce for a turn another process ran. */
  LOOM_SYNC_POLL_MS: z.coerce.number().int().min(500).max(60_000).default(3_000),
  /** Set to false to start no HTTP server at all. */
  LOOM_HTTP: z.stringbool().default(true),
});
export type OpsConfig = Readonly<z.infer<typeof OpsConfigSchema>>;

export function loadOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const result = OpsConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}
