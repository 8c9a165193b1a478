import { readdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadDotEnv } from '../config.ts';
import { LoomError } from '../errors.ts';

/**
 * `loom` entry point. Each file in ./commands exports `register(program)`, so a command is added by adding a file.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('loom')
    .description('Loom: a governed AI-agent runtime for Salesforce')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as { register?: (program: Command) => void };
    mod.register?.(program);
  }
  return program;
}

async function main(): Promise<void> {
  // `loom … | head` closes our stdout early; that ends the output, it is not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  loadDotEnv();
  const program = await buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof LoomError) {
      console.error(`loom: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

await main();
