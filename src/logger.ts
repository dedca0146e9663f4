import { pino, type Logger } from 'pino';

export type { Logger };

/** One structured logger (JSON lines on stderr); level from LOG_LEVEL. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'double-random' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}
