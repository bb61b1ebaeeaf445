import 'server-only';
import cron, { type Logger as CronLogger } from 'node-cron';
import type { Logger } from '../logger';

/** A node-cron task that wakes the runner; `nextWake` is when it will next do so. */
export type Wake = { stop(): void; nextWake(): Date | null };

/**
 * Wakes `onTick` at an expression's times in a zone with node-cron. node-cron reports a tick it
 * was too late for (a blocked event loop) as missed instead of running it; that wakes the runner
 * too, which then works out the slots due itself. Tasks do not keep the process alive.
 */
export function startCronTask(expression: string, timezone: string, onTick: () => void, logger: Logger, name: string): Wake {
  const task = cron.schedule(expression, () => onTick(), { timezone, name, unref: true, logger: cronLogger(logger) });
  task.on('execution:missed', () => onTick());
  return { stop: () => void task.destroy(), nextWake: () => task.getNextRun() };
}

/** Wakes `onTick` once, at a real instant (to the second). */
export function startOneShot(at: Date, onTick: () => void, logger: Logger, name: string): Wake {
  const expression = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`;
  const task = cron.schedule(expression, () => onTick(), { timezone: 'UTC', name, maxExecutions: 1, unref: true, logger: cronLogger(logger) });
  task.on('execution:missed', () => onTick());
  return { stop: () => void task.destroy(), nextWake: () => task.getNextRun() };
}

function cronLogger(logger: Logger): CronLogger {
  return {
    info: (message) => logger.debug({ source: 'node-cron' }, message),
    warn: (message) => logger.debug({ source: 'node-cron' }, message),
    error: (message, err) => logger.error({ source: 'node-cron', err: err ?? message }, String(message)),
    debug: (message) => logger.trace({ source: 'node-cron' }, String(message)),
  };
}
