/**
 * A worker service (embedded mode, no HTTP server) started in this process against a running emulator, for an entry
 * point that plays turns itself (the demo). It is handed back as what a driver needs from outside: a REST client as
 * any user of the org (a session from the worker's JWT pool) and a way to stop it; the service's parts stay inside.
 */
import type { LlmProvider } from '../llm/types.ts';
import type { Logger } from '../logger.ts';
import { startService, type ServiceOptions } from '../ops/service.ts';
import type { TurnWritten } from '../runtime/turn-handler.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

export interface LocalWorkerOptions {
  /** The worker's configuration (SF_*, LOOM_*), exactly as `loom worker` reads it from the environment. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  provider: LlmProvider;
  /** Shorter timeouts and retries than production (a local run wants a fast shutdown and reconnect). */
  tuning?: ServiceOptions['tuning'];
  /** Each written turn, as the worker records it in the org. */
  onTurnWritten: (turn: TurnWritten) => void;
}

export interface LocalWorker {
  /** A REST client as `username`, with that user's own session (their CRUD, FLS and sharing apply). */
  clientFor(username: string): SalesforceClient;
  close(): Promise<void>;
}

export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const service = await startService({
    env: options.env,
    logger: options.logger,
    provider: options.provider,
    http: false,
    ...(options.tuning ? { tuning: options.tuning } : {}),
    onTurnWritten: options.onTurnWritten,
  });
  return {
    clientFor: (username) => service.runtime.clientFor(username),
    close: () => service.close(),
  };
}
