/**
 * The one logger factory of every credless process (server, webhook, CLI): pino with the secrets
 * redacted, whatever a caller happens to log.
 * @module
 */
import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export interface LoggerOptions {
  logLevel: LogLevel;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.logLevel,
    base: { service: 'credless' },
    // Belt and braces: no assertion, token or secret is ever logged, even by accident.
    redact: {
      paths: [
        '*.client_assertion',
        '*.access_token',
        '*.client_secret',
        'req.headers.authorization',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
