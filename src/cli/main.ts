import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadDotEnv } from '../config.ts';
import { LoomError } from '../errors.ts';
import { CliContext, setCli, type CliIo } from './context.ts';

/**
 * `loom` entry point. Each file in ./commands exports `register(program)`. Only the module of the command being run is
 * imported (a trust-layer check in a pipeline must not pay for the emulator, the worker and the benchmarks); `--help`
 * without a command loads them all for the list.
 */
export const COMMAND_MODULES: Readonly<Record<string, string>> = {
  bench: 'bench',
  config: 'config',
  demo: 'demo',
  dev: 'dev',
  doctor: 'doctor',
  emulator: 'emulator',
  executions: 'executions',
  'pii-mask': 'pii-mask',
  replay: 'replay',
  'safety-check': 'safety-check',
  'soql-check': 'soql-check',
  worker: 'worker',
};

/** `.ts` when run from source (tsx, vitest), `.js` from the build in dist/. */
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

type CommandModule = { register?: (program: Command) => void };

/** The modules `argv` needs: the named command's, or all of them (help, unknown command). */
function modulesFor(argv: readonly string[]): string[] {
  const name = argv.find((arg) => !arg.startsWith('-'));
  if (name === undefined && (argv.includes('--version') || argv.includes('-V'))) return [];
  const module = name === undefined ? undefined : COMMAND_MODULES[name];
  return module ? [module] : [...new Set(Object.values(COMMAND_MODULES))];
}

/** The program with the commands `argv` needs registered (all of them by default). */
export async function buildProgram(argv: readonly string[] = [], io?: CliIo): Promise<Command> {
  const program = new Command('loom')
    .description('Loom: a governed AI-agent runtime for Salesforce')
    .version('0.1.0')
    .option(
      '--json',
      'print one JSON object on stdout in the sf CLI shape: {"status": 0, "result"} or {"status": 1, "name", "message"}',
    )
    .option('--no-color', 'plain output without colours (also when NO_COLOR is set or output is not a terminal)')
    .option('--debug', 'print the stack trace of an error')
    .showHelpAfterError()
    .exitOverride();
  if (io)
    program.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const modules = await Promise.all(
    modulesFor(argv).map(
      (name) => import(new URL(`./commands/${name}${EXT}`, import.meta.url).href) as Promise<CommandModule>,
    ),
  );
  for (const mod of modules) mod.register?.(program);
  // Subcommands write through the same streams and stop instead of exiting the process.
  const configure = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride();
      if (io)
        sub.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
      configure(sub);
    }
  };
  configure(program);
  return program;
}

/** A user-facing one-liner for errors a person can fix without reading a stack. */
export function describeError(error: unknown): { name: string; message: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    const { port, address } = error as { port?: number; address?: string };
    return {
      name: 'PortInUse',
      message: `port ${port ?? '?'} on ${address ?? 'the host'} is in use: choose another with --port (0 picks a free one) or stop what holds it`,
    };
  }
  if (error instanceof LoomError) return { name: error.name, message: error.message };
  if (error instanceof Error)
    return { name: error.name === 'Error' ? 'LoomCliError' : error.name, message: error.message };
  return { name: 'LoomCliError', message: String(error) };
}

/** Runs one `loom` invocation against `io`; resolves with the exit code. Commands stay importable for in-process tests. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const context = new CliContext(io, { json, color: !args.includes('--no-color'), debug: args.includes('--debug') });
  setCli(context);
  const program = await buildProgram(args, io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return context.finish();
  } catch (error) {
    if (
      error instanceof CommanderError &&
      ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)
    )
      return error.exitCode;
    // Commander already printed its own usage errors; an InvalidArgumentError thrown by an action it did not.
    const printed = error instanceof CommanderError && !(error instanceof InvalidArgumentError);
    const { name, message } = describeError(error);
    const text = message.replace(/^error: /, '');
    if (json && !context.resultWritten)
      context.writeJson({
        status: 1,
        name,
        message: text,
        exitCode: 1,
        ...(context.flags.debug && error instanceof Error ? { stack: error.stack } : {}),
        warnings: [],
      });
    else if (!printed) io.stderr.write(`loom: ${text}\n`);
    if (context.flags.debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  } finally {
    setCli(undefined);
  }
}

/** The process entry (src/bin/loom.js): real streams, `.env`, EPIPE as a normal end. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  // `loom … | head` closes our stdout early; that ends the output, it is not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  loadDotEnv();
  process.exitCode = await runCli(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
}
