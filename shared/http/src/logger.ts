import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Requests are logged by id, route pattern, status and duration only:
 * never query strings, bodies or tokens, which can carry patient data (INS) or secrets.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: ['*.authorization', '*.headers.authorization', 'token'],
      censor: '[redacted]',
    },
  });
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
