import type { CronSpec } from '@/server/scheduling/cron-expression';
import { startCronTask } from '@/server/scheduling/cron-tasks';
import type { ScheduleClock } from '@/server/scheduling/schedule-clock';

export type AcceleratedClockOptions = {
  /** Real seconds per schedule minute; divides 60 so that minutes line up with node-cron's seconds field. */
  secondsPerMinute: number;
  /** A real instant on a multiple of `secondsPerMinute` seconds (see `alignedOrigin`), shared by every process of a test. */
  origin: Date;
  /** The schedule time at `origin` (a whole minute; default: `origin` rounded down to one). */
  startAt?: Date;
};

/**
 * Tests only: schedule time that runs `60 / secondsPerMinute` times faster than real time, from
 * `startAt` at the real instant `origin`. node-cron wakes the runner once per schedule minute (a
 * seconds-field task: `*\/3 * * * * *` for 3 s a minute) and the runner decides, by the same slot
 * rule as in production, which slots are due; claims, misfires and reloads run unchanged. Every
 * duration of a schedule (grace window, late window) is in schedule time.
 */
export function acceleratedClock(options: AcceleratedClockOptions): ScheduleClock {
  const { secondsPerMinute: s, origin } = options;
  if (!Number.isInteger(s) || s < 1 || 60 % s !== 0) throw new Error(`secondsPerMinute must divide 60, got ${s}`);
  if (origin.getTime() % (s * 1000) !== 0) throw new Error(`origin must be on a multiple of ${s} s, got ${origin.toISOString()}`);
  const startAt = options.startAt?.getTime() ?? Math.floor(origin.getTime() / 60_000) * 60_000;
  if (startAt % 60_000 !== 0) throw new Error(`startAt must be on a whole minute, got ${new Date(startAt).toISOString()}`);
  const scale = 60 / s;
  const toSchedule = (real: number) => new Date(startAt + (real - origin.getTime()) * scale);
  const seconds = Array.from({ length: 60 / s }, (_, i) => i * s).join(',');
  return {
    now: () => toSchedule(Date.now()),
    fromReal: (real) => toSchedule(real.getTime()),
    toReal: (at) => new Date(origin.getTime() + (at.getTime() - startAt) / scale),
    wakeUps: (_spec: CronSpec, _timezone, wake, logger, name) => {
      const task = startCronTask(`${seconds} * * * * *`, 'UTC', wake, logger, name);
      return { stop: task.stop, nextWake: () => (task.nextWake() ? toSchedule(task.nextWake()!.getTime()) : null) };
    },
  };
}

/** The first real instant after `at` that can be an origin for `secondsPerMinute`. */
export function alignedOrigin(secondsPerMinute: number, at: Date = new Date()): Date {
  const step = secondsPerMinute * 1000;
  return new Date(Math.floor(at.getTime() / step) * step + step);
}
