import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { salesforceErrorSteps } from '../ingestion/error-step.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { JobHandler } from '../runtime/jobs.ts';
import { ApiMeter } from '../salesforce/api-meter.ts';
import { SalesforceClient } from '../salesforce/rest-client.ts';
import { SessionPool } from '../salesforce/session-pool.ts';
import { createWorkerRuntime, type RuntimeTuning, type WorkerRuntime } from './runtime.ts';

export interface StartWorkerOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** What runs each job (the benchmarks' instrumented turn handler, tests). */
  handler: JobHandler;
  tuning?: Partial<RuntimeTuning>;
  /** Install SIGTERM/SIGINT handlers (default true). */
  signals?: boolean;
}

export interface RunningWorker {
  runtime: WorkerRuntime;
  config: Config;
  /** Resolves once the worker has shut down (signal or `close`). */
  stopped: Promise<void>;
  close(): Promise<void>;
}

/** Reads the integration user's private key from SF_PRIVATE_KEY (PEM, `\n` escapes allowed) or SF_PRIVATE_KEY_FILE. */
export function integrationKey(config: Config): string {
  if (config.SF_PRIVATE_KEY) return config.SF_PRIVATE_KEY.replace(/\\n/g, '\n');
  if (config.SF_PRIVATE_KEY_FILE) {
    try {
      return readFileSync(config.SF_PRIVATE_KEY_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `SF_PRIVATE_KEY_FILE: cannot read ${config.SF_PRIVATE_KEY_FILE} (${(error as Error).message})`,
      );
    }
  }
  throw new ConfigError(
    'SF_PRIVATE_KEY_FILE or SF_PRIVATE_KEY: the integration user needs a private key for the JWT bearer flow',
  );
}

function required(config: Config): { loginUrl: string; clientId: string; username: string } {
  const missing = (['SF_LOGIN_URL', 'SF_CLIENT_ID', 'SF_INTEGRATION_USERNAME'] as const).filter(
    (name) => !config[name],
  );
  if (missing.length > 0)
    throw new ConfigError(`Missing configuration: ${missing.join(', ')} (see loom worker --help)`);
  return {
    loginUrl: config.SF_LOGIN_URL as string,
    clientId: config.SF_CLIENT_ID as string,
    username: config.SF_INTEGRATION_USERNAME as string,
  };
}

/**
 * Ingestion with a caller-supplied handler: config → SessionPool (integration user, JWT) → subscriber → queue → handler.
 * `loom worker` runs the full service instead (src/ops/service.ts); this is the lighter rig the benchmarks fork.
 * SIGTERM/SIGINT close it gracefully: intake stops, running jobs finish or are handed back, audit writes flush and the
 * leader lock is released.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const config = loadConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: config.LOOM_LOG_LEVEL });
  const { loginUrl, clientId, username } = required(config);
  const pool = new SessionPool({ loginUrl, clientId, privateKeyPem: integrationKey(config), logger });
  const meter = new ApiMeter();
  const integration = new SalesforceClient(username, { pool, apiVersion: config.SF_API_VERSION, meter, logger });
  const runtime = createWorkerRuntime({
    config,
    logger,
    handler: options.handler,
    meter,
    errorSteps: salesforceErrorSteps(integration),
    session: async ({ refresh }) => pool.session(username, { forceRefresh: refresh }),
    ...(options.tuning ? { tuning: options.tuning } : {}),
  });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received; shutting down');
    void close();
  };
  const close = async (): Promise<void> => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await runtime.close();
    resolveStopped();
  };
  if (options.signals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  try {
    await runtime.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { runtime, config, stopped, close };
}
