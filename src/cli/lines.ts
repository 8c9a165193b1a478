import { createInterface } from 'node:readline';
import type { CliContext } from './context.ts';

/**
 * One JSON object per stdin line on stdout, in order, honouring backpressure; with `--json` the verdicts are collected
 * into the one sf-shaped result instead.
 */
export async function eachLine(context: CliContext, verdict: (line: string) => unknown): Promise<void> {
  const lines = createInterface({ input: context.io.stdin, crlfDelay: Infinity });
  const all: unknown[] = [];
  const { stdout } = context.io;
  for await (const line of lines) {
    const value = verdict(line);
    if (context.json) all.push(value);
    else if (!stdout.write(`${JSON.stringify(value)}\n`))
      await new Promise<void>((resolve) => stdout.once('drain', () => resolve()));
  }
  if (context.json) context.result(all);
}
