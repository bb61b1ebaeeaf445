import 'server-only';
import cronstrue from 'cronstrue';
import type { FireTimePreview, SchedulePreview } from '@/lib/api/schedules';
import { type CronSpec, parseCron } from './cron-expression';
import { nextSlots } from './cron-slots';
import { formatLocal, validateTimezone } from './time-zone';

export type { FireTimePreview, SchedulePreview } from '@/lib/api/schedules';

/**
 * What an expression means in a time zone: a description in words and its next five fire times
 * after `from`, computed by the same rule the runner fires by. Throws the validation's AppError
 * (field `cron` or `timezone`) for a bad expression or zone.
 */
export function previewSchedule(cron: unknown, timezone: unknown, from: Date = new Date(), count = 5): SchedulePreview {
  const spec = parseCron(cron);
  const zone = validateTimezone(timezone);
  return {
    cron: spec.text,
    timezone: zone,
    description: describeCron(spec),
    nextFireTimes: nextSlots(spec, zone, from, count).map((slot) => {
      const local = formatLocal(slot.at, zone);
      const day = local.slice(0, 10);
      const time: FireTimePreview = { at: slot.at.toISOString(), local };
      if (slot.kind === 'shifted') time.note = `${slot.nominal} does not exist on ${day} (clocks go forward): fires at ${local.slice(11, 16)} instead`;
      if (slot.kind === 'repeated') time.note = `${slot.nominal} happens twice on ${day} (clocks go back): an every-hour expression fires in both passes`;
      return time;
    }),
  };
}

export function describeCron(spec: CronSpec): string {
  try {
    return cronstrue.toString(spec.text, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    // cronstrue reads a few valid forms differently; the expression itself is still a description.
    return spec.text;
  }
}
