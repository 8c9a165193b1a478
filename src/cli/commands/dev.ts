import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { LENDING_AGENT, LENDING_SCRIPT, provisionLendingAgent } from '../../dev/lending-agent.ts';
import { findDevPrivateKey } from '../../emulator/http/dev-keys.ts';
import { DEFAULT_SEED_PATH, startEmulator } from '../../emulator/server.ts';
import { ScriptedProvider } from '../../llm/scripted.ts';
import { createLogger } from '../../logger.ts';
import { startService } from '../../ops/service.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

interface DevOptions {
  seed: string;
  emulatorPort: number;
  port: number;
  sampleAgent: boolean;
  logLevel: string;
}

/** `loom dev`: the emulator and a worker together, for building agents locally against your own seed. */
export function register(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the org emulator and a worker (embedded mode, HTTP service included) together for agent development: ' +
        'your seed, the scripted model unless LOOM_LLM_BASE_URL/LOOM_LLM_API_KEY are set, logs on stderr',
    )
    .option('--seed <file>', 'emulator seed YAML (users, permissions, objects, records)', DEFAULT_SEED_PATH)
    .option('--emulator-port <n>', 'emulator port (0 picks a free one)', parsePort, 8443)
    .option('--port <n>', 'worker HTTP port (/v1/turns, /healthz, /readyz, /metrics)', parsePort, 8787)
    .option('--no-sample-agent', 'do not create the sample Lending_Assistant agent')
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace)', 'info')
    .addHelpText('after', '\nExample:\n  $ loom dev --seed my-org.yaml\n  $ curl -s http://127.0.0.1:8787/readyz')
    .action(async (options: DevOptions) => {
      const logger = createLogger({ level: options.logLevel, name: 'loom-dev', destination: process.stderr });
      const emulator = await startEmulator({ seedPath: options.seed, host: '127.0.0.1', port: options.emulatorPort, logger: logger.child({ component: 'emulator' }) });
      const app = emulator.org.connectedApps()[0];
      const key = app ? findDevPrivateKey(options.seed, app) : undefined;
      const worker = emulator.org.users().find((user) => user.permissionSets.includes('Loom_Worker'));
      if (!app || !key || !worker) {
        await emulator.close();
        throw new InvalidArgumentError('the seed needs a connected app with a dev key and a user holding Loom_Worker (see docs/emulator-seed.md)');
      }
      const stateDir = join(process.env.LOOM_STATE_DIR ?? '.loom', 'dev');
      mkdirSync(stateDir, { recursive: true });
      const token = process.env.LOOM_HTTP_TOKEN ?? randomBytes(24).toString('hex');
      const real = Boolean(process.env.LOOM_LLM_BASE_URL && process.env.LOOM_LLM_API_KEY);
      const service = await startService({
        env: {
          ...process.env,
          SF_LOGIN_URL: emulator.url,
          SF_CLIENT_ID: app.consumerKey,
          SF_PRIVATE_KEY_FILE: key.file,
          SF_INTEGRATION_USERNAME: worker.username,
          LOOM_STATE_DIR: stateDir,
          LOOM_HTTP_TOKEN: token,
          // Loopback only: the curl below needs no signature unless you set LOOM_HTTP_SIGNING_KEY yourself.
          LOOM_HTTP_ALLOW_UNSIGNED: process.env.LOOM_HTTP_ALLOW_UNSIGNED ?? 'true',
        },
        logger,
        ...(real ? {} : { provider: new ScriptedProvider(LENDING_SCRIPT) }),
        http: { host: '127.0.0.1', port: options.port },
      });
      if (options.sampleAgent && emulator.org.schema.object('Loan_Application__c')) {
        const admin = emulator.org.users().find((user) => user.permissionSets.includes('Loom_Admin'));
        if (admin) await provisionLendingAgent(service.runtime.clientFor(admin.username));
      }
      const c = pc.createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
      console.log(`${c.bold('loom dev')} ${c.dim(`(${emulator.org.orgName}, org ${emulator.org.orgId})`)}`);
      console.log(`  emulator   ${c.cyan(emulator.url)}   (loom emulator prints tokens for each user)`);
      console.log(`  worker     ${c.cyan(service.url ?? '')}   ${service.worker.mode} mode, integration user ${worker.username}`);
      console.log(`  model      ${real ? process.env.LOOM_LLM_BASE_URL : 'scripted (the sample lending script)'}`);
      const officer = emulator.org.users().find((user) => user.permissionSets.includes('Loom_User'));
      if (officer && options.sampleAgent) {
        const body = { agentDeveloperName: LENDING_AGENT, message: 'Which open applications do we have?', requestingUserId: officer.id, organizationId: emulator.org.orgId };
        console.log(`\nAsk the sample agent as ${officer.username} (what the Apex sync callout sends):`);
        console.log(`  curl -s -X POST ${service.url}/v1/turns/sync -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`);
      }
      console.log(c.dim('\nCtrl-C stops both.'));
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await service.close();
      await new Promise((resolve) => setTimeout(resolve, 300)); // let faye's disconnect reach the emulator
      await emulator.close();
      process.exit(0);
    });
}
