import type { DestinationStream } from 'pino';
import { createLogger, terminalDestination, type Logger } from '../logger.ts';
import type { CliContext } from './context.ts';

/** A command's logger on stderr: pretty lines at a terminal (unless `--json`), JSON lines otherwise. */
export function cliLogger(context: CliContext, options: { level: string; name: string }): Logger {
  const stderr = context.io.stderr as typeof context.io.stderr & { fd?: number };
  const destination =
    terminalDestination(stderr, { json: context.json, color: context.flags.color }) ??
    (stderr as unknown as DestinationStream);
  return createLogger({ level: options.level, name: options.name, destination });
}
