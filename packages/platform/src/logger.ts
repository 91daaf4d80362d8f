import pino, { type Logger } from 'pino';

/** JSON logs (pino); every line of a request carries its `reqId`, set by the HTTP kit. */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...base, pid: process.pid },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'], censor: '[redacted]' },
  });
}

export type { Logger };
