import { describe, expect, it } from 'vitest';
import { blackoutAt, describeBlackout, parseBlackoutWindows, wallClock } from '@/lib/blackout';

const WEEKDAYS_11_14 = { days: [1, 2, 3, 4, 5], start: '11:00', end: '14:00' };
const at = (iso: string) => new Date(iso);

describe('blackout window matching', () => {
  it('reads the wall clock of the schedule\'s zone, not UTC', () => {
    // Monday 1 June 2026 10:30 UTC is 12:30 in Berlin (CEST), 06:30 in New York (EDT), 22:30 in Auckland (NZST).
    const instant = at('2026-06-01T10:30:00Z');
    expect(wallClock(instant, 'Europe/Berlin')).toEqual({ day: 1, minute: 12 * 60 + 30 });
    expect(blackoutAt([WEEKDAYS_11_14], 'Europe/Berlin', instant)).toEqual(WEEKDAYS_11_14);
    expect(blackoutAt([WEEKDAYS_11_14], 'America/New_York', instant)).toBeNull();
    expect(blackoutAt([WEEKDAYS_11_14], 'Pacific/Auckland', instant)).toBeNull();
    expect(blackoutAt([WEEKDAYS_11_14], 'UTC', instant)).toBeNull(); // 10:30 UTC
  });

  it('covers [start, end): the start minute in, the end minute out; other days out', () => {
    const w = [WEEKDAYS_11_14];
    expect(blackoutAt(w, 'UTC', at('2026-06-01T10:59:59Z'))).toBeNull();
    expect(blackoutAt(w, 'UTC', at('2026-06-01T11:00:00Z'))).not.toBeNull();
    expect(blackoutAt(w, 'UTC', at('2026-06-01T13:59:59Z'))).not.toBeNull();
    expect(blackoutAt(w, 'UTC', at('2026-06-01T14:00:00Z'))).toBeNull();
    expect(blackoutAt(w, 'UTC', at('2026-06-06T12:00:00Z'))).toBeNull(); // Saturday
  });

  it('keeps local hours across DST changes (Berlin: 29 March and 25 October 2026)', () => {
    // Winter (CET, UTC+1): 11:00 local is 10:00 UTC; summer (CEST, UTC+2): 09:00 UTC.
    expect(blackoutAt([WEEKDAYS_11_14], 'Europe/Berlin', at('2026-03-27T10:00:00Z'))).not.toBeNull(); // Fri 11:00 CET
    expect(blackoutAt([WEEKDAYS_11_14], 'Europe/Berlin', at('2026-03-27T09:30:00Z'))).toBeNull(); // Fri 10:30 CET
    expect(blackoutAt([WEEKDAYS_11_14], 'Europe/Berlin', at('2026-03-30T09:00:00Z'))).not.toBeNull(); // Mon 11:00 CEST
    expect(blackoutAt([WEEKDAYS_11_14], 'Europe/Berlin', at('2026-03-30T12:00:00Z'))).toBeNull(); // Mon 14:00 CEST
    // The night of the change itself: 02:00-03:00 local does not exist on 29 March, and 02:00-03:00 happens twice on 25 October.
    const night = { days: [0], start: '01:30', end: '03:30' };
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-03-29T00:45:00Z'))).not.toBeNull(); // 01:45 CET
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-03-29T01:15:00Z'))).not.toBeNull(); // 03:15 CEST
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-03-29T01:45:00Z'))).toBeNull(); // 03:45 CEST
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-10-25T00:30:00Z'))).not.toBeNull(); // 02:30 CEST, first pass
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-10-25T01:30:00Z'))).not.toBeNull(); // 02:30 CET, second pass
    expect(blackoutAt([night], 'Europe/Berlin', at('2026-10-25T02:45:00Z'))).toBeNull(); // 03:45 CET
  });

  it('runs a window whose end is at or before its start past midnight into the next day', () => {
    const fridayNight = { days: [5], start: '22:00', end: '02:00' };
    expect(blackoutAt([fridayNight], 'UTC', at('2026-06-05T21:59:00Z'))).toBeNull(); // Fri 21:59
    expect(blackoutAt([fridayNight], 'UTC', at('2026-06-05T23:00:00Z'))).not.toBeNull(); // Fri 23:00
    expect(blackoutAt([fridayNight], 'UTC', at('2026-06-06T01:59:00Z'))).not.toBeNull(); // Sat 01:59
    expect(blackoutAt([fridayNight], 'UTC', at('2026-06-06T02:00:00Z'))).toBeNull(); // Sat 02:00
    expect(blackoutAt([fridayNight], 'UTC', at('2026-06-05T01:00:00Z'))).toBeNull(); // Fri 01:00: after Thursday, not listed
    // Saturday night into Sunday: the week wraps.
    expect(blackoutAt([{ days: [6], start: '23:00', end: '01:00' }], 'UTC', at('2026-06-07T00:30:00Z'))).not.toBeNull();
    expect(blackoutAt([{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }], 'Asia/Kolkata', at('2026-06-07T00:30:00Z'))).not.toBeNull();
  });

  it('returns the first covering window of several, and describes windows for people', () => {
    const weekend = { days: [0, 6], start: '00:00', end: '24:00' };
    expect(blackoutAt([WEEKDAYS_11_14, weekend], 'UTC', at('2026-06-06T12:00:00Z'))).toBe(weekend);
    expect(describeBlackout(WEEKDAYS_11_14)).toBe('Mon-Fri 11:00-14:00');
    expect(describeBlackout(weekend)).toBe('Sun, Sat 00:00-24:00');
    expect(describeBlackout({ days: [1, 3, 4, 5], start: '08:00', end: '09:30' })).toBe('Mon, Wed-Fri 08:00-09:30');
    expect(describeBlackout({ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '02:00' })).toBe('every day 22:00-02:00');
  });
});

describe('parsing blackout windows', () => {
  it('accepts none, normalizes days and refuses bad input naming the field', () => {
    expect(parseBlackoutWindows(undefined)).toEqual({ windows: [] });
    expect(parseBlackoutWindows([{ days: [5, 1, 1], start: '11:00', end: '24:00' }])).toEqual({ windows: [{ days: [1, 5], start: '11:00', end: '24:00' }] });
    const field = (input: unknown) => ('problem' in parseBlackoutWindows(input) ? (parseBlackoutWindows(input) as { problem: { field: string } }).problem.field : null);
    expect(field('11:00-14:00')).toBe('blackoutWindows');
    expect(field(Array.from({ length: 21 }, () => WEEKDAYS_11_14))).toBe('blackoutWindows');
    expect(field([null])).toBe('blackoutWindows[0]');
    expect(field([{ days: [1.5], start: '11:00', end: '14:00' }])).toBe('blackoutWindows[0].days');
    expect(field([{ days: [1], start: '24:00', end: '14:00' }])).toBe('blackoutWindows[0].start');
    expect(field([{ days: [1], start: '9:00', end: '14:00' }])).toBe('blackoutWindows[0].start');
    expect(field([{ days: [1], start: '11:00', end: '14:60' }])).toBe('blackoutWindows[0].end');
    expect(field([{ days: [1], start: '11:00', end: '11:00' }])).toBe('blackoutWindows[0].end');
  });
});
