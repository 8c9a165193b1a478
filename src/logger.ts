import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactedError } from './log-redaction.ts';

export type { Logger } from 'pino';

/** Paths never written to logs: credentials, authorization headers and conversation content. */
export const REDACT_PATHS = [
  'accessToken',
  'access_token',
  'token',
  'assertion',
  'privateKey',
  'apiKey',
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  '*.accessToken',
  '*.access_token',
  '*.authorization',
  '*.apiKey',
  'content',
  'message',
  'messageText',
  '*.content',
  '*.messageText',
];

/**
 * Keys every line logged by the work in the current async scope carries, whichever logger writes it: the job runner
 * sets `org`, `executionId`, `turnId` and `jobId` around each job, so the loop, the HITL gate, the model adapters and the
 * clients need not thread them. A key a child logger already binds is not repeated.
 */
const logContext = new AsyncLocalStorage<Record<string, string>>();

export function withLogContext<T>(fields: Record<string, string>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

function contextFields(_object: object, _level: number, instance: Logger): Record<string, string> {
  const store = logContext.getStore();
  if (!store) return {};
  const bound = instance.bindings();
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(store)) if (!(key in bound)) fields[key] = value;
  return fields;
}

/**
 * Human-readable lines for a person at a terminal (pino-pretty, loaded only then); JSON lines for everything else.
 * Written synchronously to the given file descriptor, like pino's own destination.
 */
function prettyStream(fd: 1 | 2, colorize: boolean): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream;
  return pretty({ destination: fd, sync: true, colorize, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' });
}

/** Pretty when `stream` is a terminal (file descriptor 1 or 2) and not asked for JSON; `undefined` keeps pino's JSON. */
export function terminalDestination(
  stream: { isTTY?: boolean; fd?: number },
  options: { json?: boolean; color?: boolean } = {},
): DestinationStream | undefined {
  if (options.json || stream.isTTY !== true || (stream.fd !== 1 && stream.fd !== 2)) return undefined;
  return prettyStream(stream.fd, options.color !== false && !process.env.NO_COLOR);
}

/** Builds the one logger a process uses; callers pass it down and derive children with context keys. */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOOM_LOG_LEVEL ?? 'info',
    name: options.name ?? 'loom',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // An error's message and stack can echo field values: see log-redaction.ts.
    serializers: { err: redactedError, error: redactedError },
    mixin: contextFields as NonNullable<LoggerOptions['mixin']>,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that discards everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
