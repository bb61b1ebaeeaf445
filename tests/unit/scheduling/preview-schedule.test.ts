import { describe, expect, it } from 'vitest';
import { AppError } from '@/server/errors';
import { previewSchedule } from '@/server/scheduling/preview-schedule';

const BERLIN = 'Europe/Berlin';
const local = (cron: string, from: string, timezone = BERLIN) => previewSchedule(cron, timezone, new Date(from)).nextFireTimes.map((t) => t.local);

describe('previewing a schedule', () => {
  it('describes the expression in words and lists its next five fire times, in UTC and local time', () => {
    const preview = previewSchedule(' 30  8 * * * ', BERLIN, new Date('2026-06-01T12:00:00Z'));
    expect(preview.cron).toBe('30 8 * * *');
    expect(preview.timezone).toBe(BERLIN);
    expect(preview.description).toBe('At 08:30');
    expect(preview.nextFireTimes).toEqual([
      { at: '2026-06-02T06:30:00.000Z', local: '2026-06-02T08:30:00+02:00' },
      { at: '2026-06-03T06:30:00.000Z', local: '2026-06-03T08:30:00+02:00' },
      { at: '2026-06-04T06:30:00.000Z', local: '2026-06-04T08:30:00+02:00' },
      { at: '2026-06-05T06:30:00.000Z', local: '2026-06-05T08:30:00+02:00' },
      { at: '2026-06-06T06:30:00.000Z', local: '2026-06-06T08:30:00+02:00' },
    ]);
  });

  it('refuses a bad expression or time zone with the validation error', () => {
    expect(() => previewSchedule('61 * * * *', BERLIN)).toThrow(AppError);
    expect(() => previewSchedule('61 * * * *', BERLIN)).toThrow(/61 is out of range for the minute field/);
    try {
      previewSchedule('0 * * * *', 'Mars/Phobos');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ field: 'timezone', message: expect.stringMatching(/Unknown time zone "Mars\/Phobos"/) });
    }
  });

  it('names the time zone by its IANA spelling', () => {
    expect(previewSchedule('0 0 * * *', 'europe/berlin').timezone).toBe(BERLIN);
  });
});

describe('a schedule across the daylight-saving change of 29 March 2026 in Berlin (02:00 -> 03:00)', () => {
  it('fires a daily 02:30, which does not exist that night, once at 03:30, then at 02:30 again', () => {
    const preview = previewSchedule('30 2 * * *', BERLIN, new Date('2026-03-27T12:00:00Z'));
    expect(preview.nextFireTimes.map((t) => t.local)).toEqual([
      '2026-03-28T02:30:00+01:00',
      '2026-03-29T03:30:00+02:00',
      '2026-03-30T02:30:00+02:00',
      '2026-03-31T02:30:00+02:00',
      '2026-04-01T02:30:00+02:00',
    ]);
    expect(preview.nextFireTimes[1]).toEqual({
      at: '2026-03-29T01:30:00.000Z',
      local: '2026-03-29T03:30:00+02:00',
      note: '02:30 does not exist on 2026-03-29 (clocks go forward): fires at 03:30 instead',
    });
  });

  it('fires the nightly 02:00 at 03:00, once, next to a schedule at 03:00', () => {
    expect(local('0 2 * * *', '2026-03-28T12:00:00Z').slice(0, 2)).toEqual(['2026-03-29T03:00:00+02:00', '2026-03-30T02:00:00+02:00']);
    expect(local('0 2,3 * * *', '2026-03-28T12:00:00Z').slice(0, 3)).toEqual(['2026-03-29T03:00:00+02:00', '2026-03-30T02:00:00+02:00', '2026-03-30T03:00:00+02:00']);
  });

  it('keeps an hourly schedule hourly by real time: 01:00, then 03:00 (one hour later)', () => {
    const preview = previewSchedule('0 * * * *', BERLIN, new Date('2026-03-28T23:30:00Z'));
    expect(preview.nextFireTimes.map((t) => t.at)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
    ]);
    expect(preview.nextFireTimes.slice(0, 2).map((t) => t.local)).toEqual(['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00']);
    expect(preview.nextFireTimes.every((t) => t.note === undefined)).toBe(true);
  });
});

describe('a schedule across the daylight-saving change of 25 October 2026 in Berlin (03:00 -> 02:00)', () => {
  it('fires a daily 02:30, which happens twice that night, once: the first time', () => {
    expect(local('30 2 * * *', '2026-10-24T12:00:00Z').slice(0, 3)).toEqual([
      '2026-10-25T02:30:00+02:00',
      '2026-10-26T02:30:00+01:00',
      '2026-10-27T02:30:00+01:00',
    ]);
  });

  it('does not fire the daily 02:30 in the second pass, even when asked from inside it', () => {
    // 01:10 UTC is 02:10 CET, after the first 02:30 (CEST) went by.
    expect(local('30 2 * * *', '2026-10-25T01:10:00Z')[0]).toBe('2026-10-26T02:30:00+01:00');
  });

  it('keeps an hourly schedule hourly by real time: 02:00 fires in both passes, an hour apart', () => {
    const preview = previewSchedule('0 * * * *', BERLIN, new Date('2026-10-24T23:30:00Z'));
    expect(preview.nextFireTimes.map((t) => t.local)).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
      '2026-10-25T04:00:00+01:00',
      '2026-10-25T05:00:00+01:00',
    ]);
    expect(preview.nextFireTimes[1]!.note).toBe('02:00 happens twice on 2026-10-25 (clocks go back): an every-hour expression fires in both passes');
  });
});

describe('a schedule in UTC', () => {
  it('has no daylight-saving changes to adjust for', () => {
    expect(local('30 2 * * *', '2026-03-28T12:00:00Z', 'UTC').slice(0, 2)).toEqual(['2026-03-29T02:30:00+00:00', '2026-03-30T02:30:00+00:00']);
    expect(local('30 2 * * *', '2026-10-24T12:00:00Z', 'UTC').slice(0, 2)).toEqual(['2026-10-25T02:30:00+00:00', '2026-10-26T02:30:00+00:00']);
  });
});
