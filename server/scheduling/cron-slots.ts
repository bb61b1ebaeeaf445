import 'server-only';
import { type CronSpec, matchesDay } from './cron-expression';
import { offsetMinutes, wallClock } from './time-zone';

/**
 * When a schedule fires: the one rule the runner, the misfire catch-up and the preview share.
 *
 * A slot is an instant (a whole minute) at which the expression's local wall time comes round in
 * the schedule's time zone. Daylight-saving changes follow classic (Vixie) cron:
 * - a wall time that does not exist (clocks go forward, 02:00 -> 03:00) fires once, shifted by the
 *   gap: 02:30 fires at 03:30 of the new time;
 * - a wall time that happens twice (clocks go back, 03:00 -> 02:00) fires once, the first time;
 * - an expression that covers every hour (`0 * * * *`, `*\/30 * * * *`) runs by real time instead:
 *   it skips the wall times that do not exist and fires in both passes of a repeated hour, so an
 *   hourly schedule fires every hour of a 23- or 25-hour day.
 * The rule depends only on the instant, never on where a computation started, so every process
 * (and a process started in the middle of a change) agrees on the slots.
 */
export type SlotKind = 'regular' | 'shifted' | 'repeated';
export type Slot = {
  at: Date;
  /** `shifted`: its wall time did not exist that day; `repeated`: the second pass of a repeated hour. */
  kind: SlotKind;
  /** For shifted and repeated slots, the wall time the expression names (`02:30`). */
  nominal?: string;
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 29 February can be eight years from the next one (2096 -> 2104). */
const MAX_DAYS_WITHOUT_SLOT = 366 * 8 + 2;

/** The slots strictly after `after`, in order. */
export function* slotsAfter(spec: CronSpec, timezone: string, after: Date): Generator<Slot> {
  const start = wallClock(after.getTime(), timezone);
  // From the local day before: a shifted or repeated slot can fall after midnight.
  let day = Date.UTC(start.year, start.month - 1, start.day) - DAY;
  let idleDays = 0;
  while (idleDays < MAX_DAYS_WITHOUT_SLOT) {
    const date = new Date(day);
    idleDays++;
    if (matchesDay(spec, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay())) {
      for (const slot of daySlots(spec, timezone, day)) {
        if (slot.at.getTime() <= after.getTime()) continue;
        idleDays = 0;
        yield slot;
      }
    }
    day += DAY;
  }
}

export function nextSlots(spec: CronSpec, timezone: string, after: Date, count: number): Slot[] {
  const slots: Slot[] = [];
  if (count <= 0) return slots;
  for (const slot of slotsAfter(spec, timezone, after)) {
    slots.push(slot);
    if (slots.length >= count) break;
  }
  return slots;
}

/** The slots in (after, until], oldest first. */
export function slotsBetween(spec: CronSpec, timezone: string, after: Date, until: Date): Date[] {
  const slots: Date[] = [];
  for (const slot of slotsAfter(spec, timezone, after)) {
    if (slot.at.getTime() > until.getTime()) break;
    slots.push(slot.at);
  }
  return slots;
}

export function isSlot(spec: CronSpec, timezone: string, at: Date): boolean {
  const [next] = nextSlots(spec, timezone, new Date(at.getTime() - 1), 1);
  return next?.at.getTime() === at.getTime();
}

/** The slots of one local day (`day`: its date at 00:00 UTC), in order. */
function daySlots(spec: CronSpec, timezone: string, day: number): Slot[] {
  // The zone's offsets on either side of the local day; they differ only on a day with a change.
  const before = offsetMinutes(day - 14 * HOUR, timezone);
  const after = offsetMinutes(day + 38 * HOUR, timezone);
  const slots: Slot[] = [];
  for (const hour of spec.hours) {
    for (const minute of spec.minutes) {
      const wall = day + hour * HOUR + minute * MINUTE;
      if (before === after) {
        slots.push({ at: new Date(wall - before * MINUTE), kind: 'regular' });
        continue;
      }
      const nominal = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
      const passes = [...new Set([before, after])]
        .map((offset) => wall - offset * MINUTE)
        .filter((t) => t + offsetMinutes(t, timezone) * MINUTE === wall)
        .sort((a, b) => a - b);
      if (passes.length === 2) {
        slots.push({ at: new Date(passes[0]!), kind: 'regular' });
        if (spec.everyHour) slots.push({ at: new Date(passes[1]!), kind: 'repeated', nominal });
      } else if (passes.length === 1) {
        slots.push({ at: new Date(passes[0]!), kind: 'regular' });
      } else if (!spec.everyHour) {
        // Read with the offset in force before the change: 02:30 CET is 03:30 CEST.
        slots.push({ at: new Date(wall - before * MINUTE), kind: 'shifted', nominal });
      }
    }
  }
  // A shifted slot may land on a regular one (02:30 and 03:30 both named): it fires once.
  slots.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.kind === 'regular' ? -1 : 1));
  return slots.filter((s, i) => i === 0 || s.at.getTime() !== slots[i - 1]!.at.getTime());
}
