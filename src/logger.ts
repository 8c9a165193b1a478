import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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

/** Builds the one logger a process uses; callers pass it down and derive children with context keys. */
export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOOM_LOG_LEVEL ?? 'info',
    name: options.name ?? 'loom',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that discards everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
