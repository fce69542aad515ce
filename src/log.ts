import { type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Paths whose values never reach a log line: credentials, tokens and bind values.
 * Wildcards cover the same keys nested one level down (request bodies, headers).
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'masterToken',
  'sessionToken',
  'authorization',
  'privateKey',
  'passphrase',
  'binds',
  'bindings',
  '*.password',
  '*.token',
  '*.masterToken',
  '*.sessionToken',
  '*.authorization',
  '*.privateKey',
  '*.passphrase',
  '*.binds',
  '*.bindings',
  '*.PASSWORD',
  '*.TOKEN',
  'headers.authorization',
  'req.headers.authorization',
];

export type { Logger };

export interface LogOptions {
  /** pino level; defaults to `TOLLGATE_LOG_LEVEL` or `info`. */
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect what was logged. */
  destination?: NodeJS.WritableStream;
  name?: string;
}

/** The one place where loggers are made, so redaction applies everywhere. */
export function createLogger(options: LogOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.TOLLGATE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { name: options.name ?? 'tollgate' },
  };
  const destination = options.destination ?? pino.destination({ fd: 1, sync: false });
  return pino(config, destination as pino.DestinationStream);
}

/** A logger that drops everything, for library use where the caller passed none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
