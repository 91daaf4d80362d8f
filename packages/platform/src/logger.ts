import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** `json` for machines (files, collectors, production); `pretty` for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Logs (pino); every line of a request carries its `reqId`, set by the HTTP kit. `pretty` writes
 * one coloured line per entry (pino-pretty); `json` one JSON object per line.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { ...base, pid: process.pid },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'], censor: '[redacted]' },
  };
  if (format === 'json') return pino(options);
  // A stream in this thread rather than a transport's worker: every kind of process (a service, the
  // gateway, the all-in-one process) gets it the same way, and synchronous writes keep the last
  // lines before an exit. Pretty output is for terminals, where that cost does not matter.
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

export type { Logger };
