/**
 * Every command registered from src/cli/commands answers `--help` with a description and usage, and so does each
 * subcommand. Commands are found the way the CLI finds them, so a new command file is covered automatically.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';

const COMMANDS_DIR = new URL('../../../src/cli/commands/', import.meta.url);

async function program(output: { out: string; err: string }): Promise<Command> {
  const root = new Command('loom')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output.out += text), writeErr: (text) => (output.err += text) });
  const files = readdirSync(COMMANDS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(new URL(file, COMMANDS_DIR).href)) as { register?: (program: Command) => void };
    expect(mod.register, `${file} exports register(program)`).toBeTypeOf('function');
    mod.register?.(root);
  }
  return root;
}

/** Every command path: ['demo'], ['worker'], ['worker', 'dead-letter'], … */
function paths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...paths(sub, [...prefix, sub.name()])]);
}

async function help(path: string[]): Promise<{ out: string; code: number }> {
  const output = { out: '', err: '' };
  const root = await program(output);
  try {
    await root.parseAsync(['node', 'loom', ...path, '--help']);
    return { out: output.out, code: -1 };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { out: output.out, code: error.exitCode };
  }
}

const root = await program({ out: '', err: '' });
const all = paths(root);

describe('loom --help', () => {
  it('registers one or more commands from every file in src/cli/commands', () => {
    const files = readdirSync(COMMANDS_DIR).filter((file) => file.endsWith('.ts'));
    expect(root.commands.length).toBeGreaterThanOrEqual(files.length);
    for (const name of ['demo', 'dev', 'doctor', 'replay', 'executions', 'worker', 'emulator'])
      expect(root.commands.map((c) => c.name())).toContain(name);
  });

  it.each(all.map((path) => [path.join(' '), path]))(
    'loom %s --help prints usage and a description',
    async (_name, path) => {
      const command = path.reduce<Command>(
        (parent, name) => parent.commands.find((c) => c.name() === name) as Command,
        root,
      );
      expect(command.description().length, `${path.join(' ')} needs a description`).toBeGreaterThan(20);
      const { out, code } = await help(path as string[]);
      expect(code).toBe(0);
      expect(out).toContain(`Usage: loom ${path.join(' ')}`);
      expect(out).toContain(command.description().slice(0, 40));
      expect(out).toMatch(/-h, --help/);
    },
  );

  it('the real entry point prints the command list and exits 0', () => {
    const bin = fileURLToPath(new URL('../../../src/bin/loom.js', import.meta.url));
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    for (const name of ['demo', 'dev', 'doctor', 'replay', 'executions'])
      expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});
