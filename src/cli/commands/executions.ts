import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import { cli } from '../context.ts';
import { cliLogger } from '../logging.ts';
import { formatExecution, loadExecution } from '../../ops/executions.ts';
import { ApiMeter } from '../../salesforce/api-meter.ts';
import { SalesforceClient } from '../../salesforce/rest-client.ts';
import { SessionPool } from '../../salesforce/session-pool.ts';
import { integrationKey } from '../../worker/start.ts';

/** `loom executions show <id>`: an execution and its audit trail, read from the org. */
export function register(program: Command): void {
  const executions = program
    .command('executions')
    .description('Inspect agent executions and their audit trail (ExecutionStep__c) in the org');
  executions
    .command('show')
    .description('Print one execution: status, totals, every step by turn, and its pending actions')
    .argument('<id>', 'AgentExecution__c record ID')
    .option('--as <username>', 'read as this user (their own JWT session and sharing) instead of the integration user')
    .addHelpText(
      'after',
      '\nUses SF_LOGIN_URL, SF_CLIENT_ID, SF_PRIVATE_KEY_FILE and SF_INTEGRATION_USERNAME.\n\nExample:\n  $ loom executions show a05EM0000000001YAA',
    )
    .action(async (id: string, options: { as?: string }) => {
      const context = cli();
      const config = loadConfig(context.io.env);
      if (!config.SF_LOGIN_URL || !config.SF_CLIENT_ID || !config.SF_INTEGRATION_USERNAME) {
        throw new ConfigError('SF_LOGIN_URL, SF_CLIENT_ID and SF_INTEGRATION_USERNAME are required (run loom doctor)');
      }
      const logger = cliLogger(context, { level: 'warn', name: 'loom' });
      const pool = new SessionPool({
        loginUrl: config.SF_LOGIN_URL,
        clientId: config.SF_CLIENT_ID,
        privateKeyPem: integrationKey(config),
        logger,
      });
      const client = new SalesforceClient(options.as ?? config.SF_INTEGRATION_USERNAME, {
        pool,
        apiVersion: config.SF_API_VERSION,
        meter: new ApiMeter(),
        logger,
      });
      const progress =
        context.io.stderr.isTTY && !context.json
          ? (loaded: number, total: number) => process.stderr.write(`\rloading steps ${loaded}/${total}…`)
          : undefined;
      const report = await loadExecution(client, id, progress);
      if (progress) process.stderr.write('\r\u001b[K');
      for (const line of formatExecution(report, context.colors)) context.line(line);
      context.result(report);
    });
}
