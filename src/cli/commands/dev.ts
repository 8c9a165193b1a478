import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SEED_PATH } from '../../emulator/server.ts';
import { LENDING_AGENT } from '../../dev/lending-agent.ts';
import {
  curlExample,
  DEFAULT_EMULATOR_PORT,
  DEFAULT_WORKER_PORT,
  jsforceExample,
  startDev,
  type DevHandle,
} from '../../dev/start-dev.ts';
import { cli, type CliContext } from '../context.ts';
import { cliLogger } from '../logging.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('must be an integer from 0 to 65535');
  return port;
}

interface DevCommandOptions {
  seed: string;
  script?: string;
  emulatorPort?: number;
  port?: number;
  sampleAgent: boolean;
  logLevel: string;
}

/** The sample agent's first question; your own agent gets a plain greeting (edit `message` in the printed request). */
const questionFor = (agent: string | undefined): string =>
  agent === LENDING_AGENT ? 'Which open applications do we have?' : 'Hello, what can you do?';

/** `loom dev`: the emulator and a worker together, for building agents locally against your own seed. */
export function register(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the org emulator and a worker (embedded mode, HTTP service included) together for agent development: ' +
        'your seed, your scripted model (--script or LOOM_LLM_SCRIPT; a real one with LOOM_LLM_BASE_URL/LOOM_LLM_API_KEY), logs on stderr',
    )
    .option(
      '--seed <file>',
      'emulator seed YAML (users, permissions, objects, records; docs/emulator-seed.md)',
      DEFAULT_SEED_PATH,
    )
    .option(
      '--script <file>',
      'scripted model (YAML or JSON, docs/providers.md); default LOOM_LLM_SCRIPT, else the sample lending script',
    )
    .option(
      '--emulator-port <n>',
      `emulator port (default ${DEFAULT_EMULATOR_PORT}, or a free one when taken; 0 picks a free one)`,
      parsePort,
    )
    .option(
      '--port <n>',
      `worker HTTP port for /v1/turns, /healthz, /readyz, /metrics (default ${DEFAULT_WORKER_PORT}, or a free one when taken)`,
      parsePort,
    )
    .option('--no-sample-agent', 'do not create the sample Lending_Assistant agent (lending seed only)')
    .option('--log-level <level>', 'log level (fatal, error, warn, info, debug, trace)', 'info')
    .addHelpText(
      'after',
      '\nA seed without a Loom_Worker user or a dev key gets both (and says so).\n\nExample:\n  $ loom dev --seed my-org.yaml --script my-agent.script.yaml\n  $ curl -s http://127.0.0.1:8787/readyz',
    )
    .action(runDev);
}

/** Starts the emulator and the worker, prints how to reach them, and runs until SIGINT or SIGTERM. */
async function runDev(options: DevCommandOptions): Promise<void> {
  const context = cli();
  const logger = cliLogger(context, { level: options.logLevel, name: 'loom-dev' });
  const dev = await startDev({
    seedPath: options.seed,
    scriptPath: options.script,
    emulatorPort: options.emulatorPort,
    port: options.port,
    sampleAgent: options.sampleAgent,
    logger,
    env: context.io.env,
  });
  const { info } = dev;
  printEndpoints(context, dev);
  const curl = curlExample(info, questionFor(info.agent));
  const jsforce = jsforceExample(info, questionFor(info.agent));
  printExamples(context, info, curl, jsforce);
  // Listen for the stop signal before the banner's last line: a supervisor may signal as soon as it reads it.
  const stopped = stopSignal();
  context.line(context.colors.dim('\nCtrl-C stops both.'));
  context.result({ ...info, curl: curl ?? null, jsforce: jsforce ?? null });
  await stopped;
  await dev.close();
  process.exit(0);
}

/** The org, what was added to the seed, and where the emulator, the worker, the model and the state are. */
function printEndpoints(context: CliContext, dev: DevHandle): void {
  const { info } = dev;
  const c = context.colors;
  context.line(`${c.bold('loom dev')} ${c.dim(`(${info.orgName}, org ${info.orgId})`)}`);
  for (const note of [...info.added.map((text) => `added ${text}`), ...info.portNotes])
    context.line(c.yellow(`  ${note}`));
  context.line(`  emulator   ${c.cyan(info.emulatorUrl)}   (loom emulator prints tokens for each user)`);
  context.line(
    `  worker     ${c.cyan(info.workerUrl)}   ${dev.service.worker.mode} mode, integration user ${info.integrationUser}`,
  );
  context.line(`  model      ${info.model}`);
  context.line(`  state      ${info.stateDir}/${info.orgId}  (loom worker dead-letter reads it)`);
}

/** A ready-made request to the agent (curl to the worker, or jsforce in the org), or how to get one. */
function printExamples(
  context: CliContext,
  info: DevHandle['info'],
  curl: string | undefined,
  jsforce: string | undefined,
): void {
  const c = context.colors;
  if (curl && jsforce && info.requester) {
    context.line(`\nAsk ${info.agent} as ${info.requester.username} (what the Apex sync callout sends):`);
    context.line(`  ${curl}`);
    context.line(
      `\nOr start the turn in the org as that user, the way a Flow does (Loom: Start Agent Turn), with jsforce:`,
    );
    context.line(`  SF_ACCESS_TOKEN=${info.requester.accessToken} node --input-type=module <<'EOF'\n${jsforce}\nEOF`);
  } else {
    context.line(
      c.yellow(
        '\nNo agent yet: add an AIAgentDefinition__c record to the seed (docs/develop-an-agent.md) to get a ready-made request.',
      ),
    );
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
