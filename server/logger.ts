import 'server-only';
import os from 'node:os';
import pino, { type Logger } from 'pino';
import { getConfig } from './config';
import { requestLogFields } from './http/request-context';

export type { Logger };

/**
 * Structured JSON logs on stdout (one line per event), written synchronously so a crash loses none.
 * A line written while a request is handled carries its `requestId` (the one its audit rows and a
 * 500's body show).
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid, host: os.hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: requestLogFields,
  });
}

// On globalThis: Next.js loads instrumentation and route handlers as separate module graphs.
const holder = globalThis as { __kilnProcessLogger?: Logger };

/**
 * The logger of this process, for code that runs outside any use case (the route wrapper's last
 * line of defence, signal handlers). The runtime builder installs its own; before that, a default
 * at `info` so nothing is lost while the process starts.
 */
export function processLogger(): Logger {
  return (holder.__kilnProcessLogger ??= createLogger(configuredLevel()));
}

/** Makes `logger` the process logger (the runtime builder calls it). */
export function installProcessLogger(logger: Logger): void {
  holder.__kilnProcessLogger = logger;
}

function configuredLevel(): string {
  try {
    return getConfig().logLevel;
  } catch {
    return 'info'; // a bad configuration is reported (and stops the process) where it is parsed
  }
}
