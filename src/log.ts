import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs to stderr, so that stdout stays clean for the CLI's machine-readable output. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

/** A logger that drops everything, for tests and batch runs. */
export const silentLogger: Logger = pino({ level: 'silent' });
