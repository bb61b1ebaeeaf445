import { describe, expect, it } from 'vitest';
import type { Stats, StatsBucket } from '@/lib/api/runs';
import { logAxis, successAxisFloor, toSeries, totalsByStrategy } from '@/lib/ui/stats-series';

const bucket = (strategy: string, bucketStart: string, o: Partial<StatsBucket> = {}): StatsBucket => ({
  strategy,
  bucketStart,
  runs: 2,
  successRate: 1,
  total: 100,
  warmed: 100,
  skipped: 0,
  failed: 0,
  p50DurationMs: 40,
  p95DurationMs: 90,
  ...o,
});

const stats: Stats = {
  from: '2026-11-21T00:00:00.000Z',
  to: '2026-11-21T04:00:00.000Z',
  bucket: '1h',
  buckets: [
    bucket('hot_products', '2026-11-21T00:00:00Z', { successRate: 0.9, warmed: 90, failed: 10 }),
    bucket('sessions', '2026-11-21T00:00:00Z', { total: 10, warmed: 10, p95DurationMs: 2000 }),
    bucket('hot_products', '2026-11-21T02:00:00Z'),
  ],
};

describe('history chart series', () => {
  it('has a row for every bucket of the range, with null where a strategy did not run', () => {
    const rows = toSeries(stats, ['hot_products', 'sessions'], (b) => b.successRate);
    expect(rows.map((r) => new Date(r.t).toISOString())).toEqual(['2026-11-21T00:00:00.000Z', '2026-11-21T01:00:00.000Z', '2026-11-21T02:00:00.000Z', '2026-11-21T03:00:00.000Z']);
    expect(rows.map((r) => r.hot_products)).toEqual([0.9, null, 1, null]);
    expect(rows.map((r) => r.sessions)).toEqual([1, null, null, null]);
    expect(toSeries(stats, ['hot_products'], (b) => b.failed, 0).map((r) => r.hot_products)).toEqual([10, 0, 0, 0]);
  });

  it('totals each strategy over the range, its success rate weighted by keys', () => {
    const [hot, sessions] = totalsByStrategy(stats, ['hot_products', 'sessions']);
    expect(hot).toMatchObject({ runs: 4, total: 200, warmed: 190, failed: 10, worstP95: 90 });
    expect(hot!.successRate).toBeCloseTo(190 / 200);
    expect(sessions).toMatchObject({ total: 10, successRate: 1, worstP95: 2000 });
    expect(totalsByStrategy(stats, ['categories'])[0]).toMatchObject({ runs: 0, successRate: null, worstP95: null });
  });

  it('starts the success axis under both the lowest rate and the alert threshold', () => {
    expect(successAxisFloor(stats, 0.95)).toBe(0.85);
    expect(successAxisFloor({ ...stats, buckets: [bucket('x', stats.from)] }, 0.95)).toBe(0.9);
  });

  it('puts a duration log axis on 1-2-5 steps around the data', () => {
    expect(logAxis(40, 2000)).toEqual({ domain: [20, 2000], ticks: [20, 50, 100, 200, 500, 1000, 2000] });
    expect(logAxis(3, 900_000).ticks).toEqual([1, 10, 100, 1000, 10_000, 100_000, 1_000_000]);
    expect(logAxis(0, 0).domain).toEqual([1, 1]);
  });
});
