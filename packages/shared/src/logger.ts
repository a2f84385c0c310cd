import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Properties of a logged `err` that can hold ticket data: a failed TypeORM query carries
 * its bound values in `parameters`, and mysql2 copies the SQL text with the values
 * filled in to `sql`.
 */
const REDACTED_ERROR_FIELDS = ['err.parameters', 'err.sql', 'err.driverError.sql'];

/**
 * Creates the process logger. Request bodies and API keys are never passed to it, and
 * the SQL values of a failed query are replaced by "[Redacted]". A `destination` stream
 * receives JSON lines whatever `format` is set to. Without one, logs go to standard output.
 */
export function createLogger(options: {
  level: string;
  format: 'json' | 'pretty';
  name: string;
  destination?: DestinationStream;
}): Logger {
  const redact = ['req.headers["x-api-key"]', 'req.headers.authorization', ...REDACTED_ERROR_FIELDS];
  if (options.destination) {
    return pino({ name: options.name, level: options.level, redact }, options.destination);
  }
  return pino({
    name: options.name,
    level: options.level,
    redact,
    transport: options.format === 'pretty' ? { target: 'pino-pretty', options: { colorize: true } } : undefined,
  });
}
