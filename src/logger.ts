/**
 * pino logger factory. Secrets and attendee PII are redacted by path wherever they could appear
 * in a logged object: API keys, authorization headers, webhook secrets, e-mail and phone numbers.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino replaces with "[redacted]" before a line is written. */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-cal-secret-key"]',
  'email',
  '*.email',
  '*.attendee.email',
  '*.attendee.phoneNumber',
  'phoneNumber',
  '*.phoneNumber',
];

export function createLogger(level: string, name = 'slotgraph'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
