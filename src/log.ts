// Logs go to stderr, so that stdout stays clean for the CLI's machine-readable output. pino's
// conventions: JSON lines for machines (a file, journald, a log shipper), readable lines through
// pino-pretty for a person at a terminal. LOG_FORMAT overrides the choice.
import { createRequire } from 'node:module';
import pino from 'pino';
import { LOG_FORMATS, type LogFormat } from './config.ts';

export type Logger = pino.Logger;

/** LOG_FORMAT when it names a format; otherwise readable on a terminal, JSON elsewhere. */
export function chooseFormat(format: string | undefined = process.env.LOG_FORMAT, stderrIsTTY = process.stderr.isTTY === true): LogFormat {
  const named = LOG_FORMATS.find((f) => f === format?.trim().toLowerCase());
  return named ?? (stderrIsTTY ? 'pretty' : 'json');
}

/**
 * `format` unset: LOG_FORMAT, else by whether stderr is a terminal. Both write synchronously, so a
 * line logged just before `process.exit` is not lost.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', format?: LogFormat): Logger {
  const options = { level, base: undefined };
  if (chooseFormat(format) === 'json') return pino(options, pino.destination(2));
  // Loaded only for a terminal: it costs 35 ms of start-up that a service's JSON logs do not need.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
  return pino(
    options,
    pretty({
      destination: 2,
      sync: true,
      colorize: colour,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
      // One line per message, its fields ({url}, {err}, …) after the text.
      singleLine: true,
    }),
  );
}

/** A logger that drops everything, for tests and batch runs. */
export const silentLogger: Logger = pino({ level: 'silent' });
