import 'server-only';
import os from 'node:os';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout (one line per event), written synchronously so a crash loses none. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid, host: os.hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
