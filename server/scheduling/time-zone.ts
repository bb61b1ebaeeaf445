import 'server-only';
import { AppError } from '../errors';

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Checks an IANA time zone name and returns it as the runtime spells it (`europe/berlin` becomes
 * `Europe/Berlin`). Offsets such as `+01:00` are refused: they do not follow daylight saving.
 */
export function validateTimezone(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new AppError('invalid_request', 'Enter an IANA time zone such as Europe/Berlin or UTC', { field: 'timezone' });
  }
  const name = input.trim();
  if (name.length <= 64 && IANA_NAME.test(name)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      // fall through to the refusal below
    }
  }
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  throw new AppError('invalid_request', `Unknown time zone "${shown}": expected an IANA name such as Europe/Berlin or UTC`, { field: 'timezone' });
}

/** The zone's offset from UTC at an instant, in minutes (Berlin in summer: 120). */
export function offsetMinutes(at: number, timezone: string): number {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    formatters.set(timezone, formatter);
  }
  const name = formatter.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0; // "GMT": UTC itself
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; weekday: number; offset: number };

/** The local date and time an instant shows in a zone. */
export function wallClock(at: number, timezone: string): WallClock {
  const offset = offsetMinutes(at, timezone);
  const d = new Date(at + offset * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
    offset,
  };
}

/** An instant as local ISO time with its offset: `2026-03-29T03:30:00+02:00`. */
export function formatLocal(at: Date, timezone: string): string {
  const w = wallClock(at.getTime(), timezone);
  const seconds = new Date(at.getTime() + w.offset * 60_000).getUTCSeconds();
  const abs = Math.abs(w.offset);
  const sign = w.offset < 0 ? '-' : '+';
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(seconds)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
