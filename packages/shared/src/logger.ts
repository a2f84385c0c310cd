import pino, { type Logger } from 'pino';

export type { Logger };

/** Creates the process logger. Request bodies and API keys are never passed to it. */
export function createLogger(options: { level: string; format: 'json' | 'pretty'; name: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    transport: options.format === 'pretty' ? { target: 'pino-pretty', options: { colorize: true } } : undefined,
  });
}
