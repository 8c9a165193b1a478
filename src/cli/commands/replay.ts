import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { cli } from '../context.ts';
import { cliLogger } from '../logging.ts';
import { progressLine, rewindCheckpoints, untilQuiet } from '../../ops/replay.ts';
import { startService } from '../../ops/service.ts';
import { SessionPool } from '../../salesforce/session-pool.ts';
import { integrationKey } from '../../worker/start.ts';

function parseReplayId(value: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < -2)
    throw new InvalidArgumentError('must be a replay ID, or -2 for every retained event');
  return id;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return seconds;
}

/** `loom replay`: re-read the Loom platform events from a replay position and run what never ran. */
export function register(program: Command): void {
  program
    .command('replay')
    .description(
      'Re-read AgentTurnRequest__e and AgentHITLDecision__e from a replay position (after an outage longer than the ' +
        'checkpoint, or to recover dead-lettered work) and run every event that has not run yet; de-duplication skips the rest',
    )
    .requiredOption(
      '--from <replayId|-2>',
      'replay ID to resume after, or -2 for every event the org still retains (72 h)',
      parseReplayId,
    )
    .option(
      '--quiet-seconds <s>',
      'stop once nothing new arrived for this long and the queue is empty',
      parseSeconds,
      5,
    )
    .option('--max-seconds <s>', 'stop after this long in any case', parseSeconds, 900)
    .addHelpText(
      'after',
      '\nStop the running workers of this org first (in scaled mode a replay that is not leader waits as standby).\n' +
        'Uses the same environment as `loom worker`.\n\nExample:\n  $ loom replay --from -2',
    )
    .action(async (options: { from: number; quietSeconds: number; maxSeconds: number }) => {
      const context = cli();
      const config = loadConfig(context.io.env);
      const logger = cliLogger(context, {
        level: config.LOOM_LOG_LEVEL === 'info' ? 'warn' : config.LOOM_LOG_LEVEL,
        name: 'loom',
      });
      const pool = new SessionPool({
        loginUrl: config.SF_LOGIN_URL ?? '',
        clientId: config.SF_CLIENT_ID ?? '',
        privateKeyPem: integrationKey(config),
        logger,
      });
      const { orgId } = await pool.session(config.SF_INTEGRATION_USERNAME ?? '');
      for (const change of await rewindCheckpoints(config, orgId, options.from)) {
        context.line(`${change.channel}: position ${change.previous ?? '(none)'} → ${options.from}`);
      }
      const service = await startService({ env: context.io.env, logger, http: false });
      if (!service.worker.isLeader()) context.line('another worker holds the subscription; waiting as standby');
      const final = await untilQuiet(() => service.worker.snapshot(), {
        quietMs: options.quietSeconds * 1000,
        everyMs: 1000,
        maxMs: options.maxSeconds * 1000,
        onProgress: (snapshot) => context.line(progressLine(snapshot)),
      });
      await service.close();
      context.line(`replay finished: ${progressLine(final)}`);
      if (final.counters.failed + final.counters.deadLettered > 0)
        context.fail('ReplayIncomplete', `replay finished: ${progressLine(final)}`);
      context.result(final);
    });
}
