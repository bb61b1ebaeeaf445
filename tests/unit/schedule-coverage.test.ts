import { describe, expect, it } from 'vitest';
import { coverageGaps, suggestSchedule } from '@/lib/schedule-coverage';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Fire times of a cron that runs at the given minutes of a day, over `days` days from 0. */
const daily = (days: number, ...minutes: number[]) => Array.from({ length: days }, (_, d) => minutes.map((m) => d * DAY + m * MIN)).flat();

describe('schedule coverage', () => {
  it('finds that the default schedules leave sessions (TTL 15 min) uncovered most of the day', () => {
    // Nightly 02:00 and pre-peak 08:30 do not name sessions; "all" at 02:00 does: 15 minutes a day.
    const result = coverageGaps(daily(1, 120), 900, 0, DAY);
    expect(result.gaps).toEqual([
      { fromMs: 0, toMs: 120 * MIN },
      { fromMs: 135 * MIN, toMs: DAY },
    ]);
    expect(result.uncoveredMs).toBe(DAY - 15 * MIN);
    expect(result.coveredFraction).toBeCloseTo(15 / 1440, 6);
    expect(result.longestGapMs).toBe(DAY - 135 * MIN);
  });

  it('counts overlapping runs once and a run before the window for what reaches into it', () => {
    // Recommendations (TTL 30 min) at 02:00 and 08:30, plus a run at 23:50 the day before.
    const result = coverageGaps([510 * MIN, -10 * MIN, 120 * MIN, 130 * MIN], 1800, 0, DAY);
    expect(result.gaps).toEqual([
      { fromMs: 20 * MIN, toMs: 120 * MIN },
      { fromMs: 160 * MIN, toMs: 510 * MIN },
      { fromMs: 540 * MIN, toMs: DAY },
    ]);
  });

  it('has no gap when runs come at least every TTL, and the whole window without runs', () => {
    const everyTen = Array.from({ length: 145 }, (_, i) => i * 10 * MIN);
    expect(coverageGaps(everyTen, 900, 0, DAY)).toMatchObject({ gaps: [], coveredFraction: 1, longestGapMs: 0 });
    expect(coverageGaps([], 900, 0, DAY)).toMatchObject({ gaps: [{ fromMs: 0, toMs: DAY }], coveredFraction: 0 });
  });

  it('suggests the longest even period that leaves the run time to finish before the keys expire, and it closes the gaps', () => {
    expect(suggestSchedule(900)).toEqual({ cron: '*/10 * * * *', everyMinutes: 10, description: 'every 10 minutes' });
    expect(suggestSchedule(1800)).toEqual({ cron: '*/20 * * * *', everyMinutes: 20, description: 'every 20 minutes' });
    expect(suggestSchedule(7200)).toMatchObject({ cron: '0 * * * *', everyMinutes: 60 });
    expect(suggestSchedule(14400)).toMatchObject({ cron: '0 */3 * * *', everyMinutes: 180 });
    expect(suggestSchedule(86400 * 2)).toMatchObject({ cron: '0 0 * * *', everyMinutes: 1440 });
    expect(suggestSchedule(300)).toBeNull();
    for (const ttl of [900, 1800, 7200, 14400]) {
      const every = suggestSchedule(ttl)!.everyMinutes;
      const fires = Array.from({ length: DAY / (every * MIN) + 1 }, (_, i) => i * every * MIN);
      expect(coverageGaps(fires, ttl, 0, DAY).gaps, `TTL ${ttl}`).toEqual([]);
    }
  });
});
