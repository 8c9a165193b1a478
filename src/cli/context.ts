import type { Writable } from 'node:stream';
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Where a `loom` run reads and writes: the process's own streams, or captured ones in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * What every command shares: the global flags and the output conventions. Human output goes through `line`, which
 * `--json` silences; the command hands its machine-readable answer to `result`, printed once in the sf CLI's shape.
 */
export class CliContext {
  readonly colors: Colors;
  /** Set by `result` once the JSON answer has been written (long-running commands write it as soon as they are ready). */
  resultWritten = false;
  private value: unknown = undefined;
  /** Non-zero makes the run fail (a checklist with failures), with this message in the JSON error. */
  failure: { name: string; message: string } | undefined;

  constructor(
    readonly io: CliIo,
    readonly flags: { json: boolean; color: boolean; debug: boolean },
  ) {
    this.colors = pc.createColors(flags.color && !flags.json && io.stdout.isTTY === true && !io.env.NO_COLOR);
  }

  get json(): boolean {
    return this.flags.json;
  }

  /** Colour for stderr (progress, logs); `--no-color`/NO_COLOR turn it off too. */
  get stderrColor(): boolean {
    return this.flags.color && this.io.stderr.isTTY === true && !this.io.env.NO_COLOR;
  }

  /** One line of human output on stdout (nothing with `--json`). */
  line(text = ''): void {
    if (!this.flags.json) this.io.stdout.write(`${text}\n`);
  }

  /** The command's answer. With `--json` it is written now as `{status: 0, result}` (or the failure shape). */
  result(value: unknown): void {
    this.value = value;
    if (this.flags.json && !this.failure) this.writeJson({ status: 0, result: value, warnings: [] });
  }

  /** Marks the run as failed without throwing (the result, if any, travels in the error's `data`). */
  fail(name: string, message: string): void {
    this.failure = { name, message };
  }

  /** Writes the closing JSON for a run that did not write its result yet. */
  finish(): number {
    if (this.failure) {
      if (this.flags.json && !this.resultWritten) {
        this.writeJson({
          status: 1,
          name: this.failure.name,
          message: this.failure.message,
          exitCode: 1,
          ...(this.value === undefined ? {} : { data: this.value }),
          warnings: [],
        });
      }
      return 1;
    }
    if (this.flags.json && !this.resultWritten) this.writeJson({ status: 0, result: this.value ?? null, warnings: [] });
    return 0;
  }

  writeJson(body: Record<string, unknown>): void {
    this.resultWritten = true;
    this.io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
}

let current: CliContext | undefined;

/** The context of the running `loom` invocation (set by `runCli`). */
export function cli(): CliContext {
  if (!current)
    current = new CliContext(
      { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
      { json: false, color: true, debug: false },
    );
  return current;
}

export function setCli(context: CliContext | undefined): void {
  current = context;
}
