import { checkWorkerConfig, formatProblems, type ConfigProblem } from '../../config-check.ts';
import { loadConfig, type Config } from '../../config.ts';
import { silentLogger } from '../../logger.ts';
import { ApiMeter } from '../../salesforce/api-meter.ts';
import { SalesforceClient } from '../../salesforce/rest-client.ts';
import { SessionPool } from '../../salesforce/session-pool.ts';
import { integrationKey } from '../../worker/start.ts';
import type { Colors } from '../../demo/print.ts';
import { checkLlm, checkRedis } from './external-checks.ts';
import { LOOM_PERMISSIONS } from '../../salesforce/custom-permissions.ts';
import { checkCustomPermission, checkLogin, checkObjects, checkSubscription } from './salesforce-checks.ts';
import { fail, pass, skip, type DoctorCheck } from './types.ts';

export type { DoctorCheck } from './types.ts';

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** A user who will talk to agents (needs Loom_StartAgentTurns, from Loom_User, and pre-authorization); skipped when absent. */
  sampleUser?: string;
  /** Bound for each network check (default 10 s). */
  timeoutMs?: number;
  /** Called as each check finishes (progress output). */
  onCheck?: (check: DoctorCheck) => void;
}

/**
 * Checks a real configuration end to end: configuration, JWT logins, package objects, permission sets, the event
 * subscription, Redis and the model endpoint. Never throws; every problem becomes a failed check with its fix.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: DoctorCheck[] = [];
  const add = (check: DoctorCheck): DoctorCheck => {
    results.push(check);
    options.onCheck?.(check);
    return check;
  };
  const env = options.env ?? process.env;
  // The worker's own start-up check: doctor and worker agree on what is required.
  const { problems } = checkWorkerConfig(env);
  let config: Config;
  try {
    config = loadConfig(env);
  } catch {
    add(
      fail(
        'Configuration',
        formatProblems(problems),
        'Fix each variable as its line says (see docs/configuration.md).',
      ),
    );
    return results;
  }
  const salesforce = await salesforceChecks(config, problems, options, timeoutMs, add);
  if (!salesforce) add(skip('Salesforce checks', 'skipped until the configuration above is complete'));
  add(await checkRedis(config, timeoutMs));
  add(await checkLlm(config, timeoutMs));
  return results;
}

async function salesforceChecks(
  config: Config,
  allProblems: readonly ConfigProblem[],
  options: DoctorOptions,
  timeoutMs: number,
  add: (check: DoctorCheck) => DoctorCheck,
): Promise<boolean> {
  const problems = allProblems.filter((problem) => problem.variable.startsWith('SF_'));
  if (problems.length > 0) {
    add(
      fail(
        'Configuration',
        formatProblems(problems),
        'Set them in the environment or .env (copy scripts/dev/example.env; see docs/configuration.md).',
      ),
    );
    return false;
  }
  const privateKeyPem = integrationKey(config);
  add(
    pass(
      'Configuration',
      `org login ${config.SF_LOGIN_URL}, API v${config.SF_API_VERSION}, ${config.REDIS_URL ? 'scaled mode (Redis)' : 'embedded mode'}`,
    ),
  );
  const logger = silentLogger();
  const pool = new SessionPool({
    loginUrl: config.SF_LOGIN_URL as string,
    clientId: config.SF_CLIENT_ID as string,
    privateKeyPem,
    logger,
  });
  const integrationName = config.SF_INTEGRATION_USERNAME as string;
  const integration = await checkLogin(pool, integrationName, 'integration');
  add(integration.check);
  const sample = options.sampleUser ? await checkLogin(pool, options.sampleUser, 'sample') : undefined;
  if (sample) add(sample.check);
  if (!integration.session) {
    add(skip('Package, permission set and subscription checks', 'need a working integration login'));
    return true;
  }
  const client = new SalesforceClient(integrationName, {
    pool,
    apiVersion: config.SF_API_VERSION,
    meter: new ApiMeter(),
    logger,
  });
  add(await checkObjects(client));
  // Loom_Worker itself shows in the object and subscription checks: the integration user cannot read permission set
  // assignments without View Setup, which it must not have.
  if (sample?.session && options.sampleUser) {
    const sampleClient = new SalesforceClient(options.sampleUser, {
      pool,
      apiVersion: config.SF_API_VERSION,
      meter: new ApiMeter(),
      logger,
    });
    add(await checkCustomPermission(sampleClient, options.sampleUser, LOOM_PERMISSIONS.startTurns, 'Loom_User'));
  }
  add(await checkSubscription(integration.session, config.SF_API_VERSION, timeoutMs));
  return true;
}

const MARKS = { pass: '✔', fail: '✖', warn: '!', skip: '-' } as const;

/** The checklist as text lines, each failure followed by its fix. */
export function formatDoctor(checks: readonly DoctorCheck[], c: Colors): string[] {
  const lines: string[] = [];
  for (const check of checks) lines.push(...formatCheck(check, c));
  const failed = checks.filter((check) => check.status === 'fail').length;
  const warned = checks.filter((check) => check.status === 'warn').length;
  lines.push('');
  lines.push(
    failed === 0
      ? c.green(`All checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.`)
      : c.red(`${failed} check${failed > 1 ? 's' : ''} failed.`),
  );
  return lines;
}

export function formatCheck(check: DoctorCheck, c: Colors): string[] {
  const colour = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim };
  const lines = [`${colour[check.status](MARKS[check.status])} ${check.name} ${c.dim(`— ${check.detail}`)}`];
  if (check.fix && check.status !== 'pass') lines.push(`    ${c.bold('fix:')} ${check.fix}`);
  return lines;
}
