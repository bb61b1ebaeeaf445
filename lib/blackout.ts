/**
 * Blackout windows of a schedule: times, in the schedule's zone, when it must not fire and its
 * strategies are not run by hand without confirmation. "Not 11:00-14:00 Mon-Fri" is
 * `{ days: [1, 2, 3, 4, 5], start: '11:00', end: '14:00' }`. Days are 0 (Sunday) to 6 as in cron.
 * A window covers [start, end) of each listed day; an end at or before its start runs past
 * midnight into the next day (`22:00`-`02:00` on Friday covers Friday 22:00 to Saturday 02:00);
 * `00:00`-`24:00` is the whole day. Wall-clock times: across a DST change a window keeps its local
 * hours (11:00-14:00 is 11:00-14:00 on both sides of it).
 */
export type BlackoutWindow = { days: number[]; start: string; end: string };

export const MAX_BLACKOUT_WINDOWS = 20;
export const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** `HH:MM` to minutes since midnight (24:00 -> 1440); null when it is not such a time. */
export function minutesOf(time: string): number | null {
  const m = TIME.exec(time);
  if (!m) return null;
  return time === '24:00' ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

export type BlackoutProblem = { field: string; message: string };

/**
 * Checks a list of windows as an API request sends it. Returns the normalized windows (days sorted
 * and deduplicated), or the first problem with the field it is about (`blackoutWindows[1].start`).
 */
export function parseBlackoutWindows(input: unknown): { windows: BlackoutWindow[] } | { problem: BlackoutProblem } {
  const field = 'blackoutWindows';
  if (input === undefined || input === null) return { windows: [] };
  if (!Array.isArray(input)) return { problem: { field, message: 'Expected a list of windows such as [{"days": [1,2,3,4,5], "start": "11:00", "end": "14:00"}]' } };
  if (input.length > MAX_BLACKOUT_WINDOWS) return { problem: { field, message: `At most ${MAX_BLACKOUT_WINDOWS} blackout windows; got ${input.length}` } };
  const windows: BlackoutWindow[] = [];
  for (const [i, raw] of input.entries()) {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: { field: at, message: 'Expected {"days": [...], "start": "HH:MM", "end": "HH:MM"}' } };
    const o = raw as Record<string, unknown>;
    const extra = Object.keys(o).find((k) => !['days', 'start', 'end'].includes(k));
    if (extra !== undefined) return { problem: { field: `${at}.${extra}`, message: `Unknown field "${extra.slice(0, 40)}" (a window has days, start and end)` } };
    if (!Array.isArray(o.days) || o.days.length === 0 || o.days.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 6)) {
      return { problem: { field: `${at}.days`, message: 'Expected at least one day of the week, 0 (Sunday) to 6 (Saturday)' } };
    }
    for (const key of ['start', 'end'] as const) {
      const value = o[key];
      if (typeof value !== 'string' || minutesOf(value) === null || (key === 'start' && value === '24:00')) {
        return { problem: { field: `${at}.${key}`, message: `Expected a time HH:MM from 00:00 to ${key === 'end' ? '24:00' : '23:59'}` } };
      }
    }
    if (o.start === o.end) return { problem: { field: `${at}.end`, message: 'The window ends when it starts: it covers no time (00:00-24:00 is the whole day)' } };
    windows.push({ days: [...new Set(o.days as number[])].sort((a, b) => a - b), start: o.start as string, end: o.end as string });
  }
  return { windows };
}

/** The weekday (0-6) and minute of the day of an instant on the wall clock of a zone. */
export function wallClock(at: Date, timezone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAY_NAMES.indexOf(get('weekday') as (typeof DAY_NAMES)[number]);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** The first window that covers the instant, in the zone; null when none does. */
export function blackoutAt(windows: readonly BlackoutWindow[], timezone: string, at: Date): BlackoutWindow | null {
  if (windows.length === 0) return null;
  const { day, minute } = wallClock(at, timezone);
  const yesterday = (day + 6) % 7;
  for (const window of windows) {
    const start = minutesOf(window.start);
    const end = minutesOf(window.end);
    if (start === null || end === null) continue;
    if (end > start) {
      if (window.days.includes(day) && minute >= start && minute < end) return window;
    } else if ((window.days.includes(day) && minute >= start) || (window.days.includes(yesterday) && minute < end)) {
      return window; // past midnight: the evening of a listed day, or the early hours after one
    }
  }
  return null;
}

/** `Mon-Fri 11:00-14:00`, `Sat, Sun 00:00-24:00`. */
export function describeBlackout(window: BlackoutWindow): string {
  return `${describeDays(window.days)} ${window.start}-${window.end}`;
}

function describeDays(days: readonly number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  // Runs of consecutive days read as ranges: Mon-Fri.
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${DAY_NAMES[sorted[i]!]}-${DAY_NAMES[sorted[j]!]}` : sorted.slice(i, j + 1).map((d) => DAY_NAMES[d]).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}
