import 'server-only';
import type { Logger } from '../logger';
import { type CronSpec, toNodeCronExpression } from './cron-expression';
import { type Wake, startCronTask } from './cron-tasks';

/**
 * The runner's time: what "now" is for schedules and how node-cron wakes it. Production uses
 * `realClock`. Tests pass their own clock (an explicit runner option, never configuration) that
 * runs schedule time faster than real time, so that a `* * * * *` schedule fires every few seconds
 * through the same claim, misfire and reload paths.
 */
export interface ScheduleClock {
  /** Schedule time now. */
  now(): Date;
  /** Schedule time of a real instant (timestamps the database wrote, such as updated_at). */
  fromReal(real: Date): Date;
  /** The real instant of a schedule time. */
  toReal(at: Date): Date;
  /** Starts a node-cron task that wakes the runner at (or before) each of the schedule's slots. */
  wakeUps(spec: CronSpec, timezone: string, wake: () => void, logger: Logger, name: string): Wake;
}

export const realClock: ScheduleClock = {
  now: () => new Date(),
  fromReal: (real) => real,
  toReal: (at) => at,
  wakeUps: (spec, timezone, wake, logger, name) => startCronTask(toNodeCronExpression(spec), timezone, wake, logger, name),
};
