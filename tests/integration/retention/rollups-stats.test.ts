import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as statsRoute from '@/app/api/stats/route';
import type { Stats } from '@/lib/api/runs';
import { successRate } from '@/lib/success-rate';
import type { Database } from '@/server/db/client';
import { pruneOnce } from '@/server/retention/prune';
import { getRunStats } from '@/server/runs/run-stats';
import { request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { seedRunHistory } from '../../support/run-history';
import { useTestRuntime } from '../../support/runtime';

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

type DayFigures = { runs: number; warmed: number; failed: number; skipped: number; total: number; rate: number | null };

/** Per UTC day and strategy, straight from the raw rows, the rate by lib/success-rate.ts. */
async function rawByDay(database: Database, trigger?: string): Promise<Map<string, DayFigures>> {
  const rows = await database.rows<{ day: string; strategy: string; runs: number; warmed: number; failed: number; skipped: number; total: number }>(sql`
    select to_char(date_trunc('day', finished_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as day, strategy, count(*)::int as runs,
           sum(warmed)::int as warmed, sum(failed)::int as failed, sum(skipped)::int as skipped, sum(total)::int as total
    from run_strategies where not dry_run ${trigger ? sql`and trigger = ${trigger}` : sql``}
    group by 1, 2`);
  return new Map(rows.map((r) => [`${r.day}|${r.strategy}`, { runs: r.runs, warmed: r.warmed, failed: r.failed, skipped: r.skipped, total: r.total, rate: successRate(r) }]));
}

function byDay(stats: Stats): Map<string, DayFigures> {
  return new Map(
    stats.buckets.map((b) => [`${b.bucketStart}|${b.strategy}`, { runs: b.runs, warmed: b.warmed, failed: b.failed, skipped: b.skipped, total: b.total, rate: b.successRate }]),
  );
}

async function statsViaApi(session: string, query: Record<string, string>): Promise<Stats> {
  const response = await statsRoute.GET(request(`/api/stats?${new URLSearchParams(query)}`, { session }), undefined as never);
  expect(response.status).toBe(200);
  return (await response.json()) as Stats;
}

describe('daily rollups', () => {
  it('keep the stats API\u2019s per-day figures and success rates the same after the raw runs are pruned', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    const seeded = await seedRunHistory(database, { from: ago(460), to: ago(0.2), everyMinutes: 180, strategies: ['hot_products', 'categories', 'sessions'], maxFailed: 9 });
    expect(seeded.results).toBeGreaterThan(10_000);
    const from = new Date(Math.floor(ago(465).getTime() / DAY) * DAY).toISOString();
    const to = new Date(Math.floor(NOW.getTime() / DAY) * DAY).toISOString();
    const query = { from, to, bucket: '1d' as const };

    const expected = await rawByDay(database);
    const expectedManual = await rawByDay(database, 'manual');
    const beforeStats = byDay(await getRunStats(database, query));
    const days = [...expected.keys()].filter((k) => k.split('|')[0]! < to);
    expect(days.length).toBeGreaterThan(1300);
    for (const key of days) {
      expect(beforeStats.get(key), key).toEqual(expected.get(key));
    }

    const report = await pruneOnce(database, { timezone: 'UTC', batchRows: 2000, now: NOW, pauseMs: 0 });
    const cutoff = report.cutoffs.runs!;
    expect(report.rolledUpDays).toBeGreaterThanOrEqual(59);
    expect(report.removed.run_strategies).toBeGreaterThan(3 * 8 * 59);
    const [left] = await database.rows<{ n: number }>(sql`select count(*)::int as n from run_strategies where finished_at < ${cutoff}::timestamptz`);
    expect(left!.n).toBe(0);
    const [rolled] = await database.rows<{ days: number; max: string }>(
      sql`select count(distinct day)::int as days, max(day_start)::text as max from run_daily_rollups`,
    );
    expect(rolled!.days).toBe(report.rolledUpDays);
    expect(new Date(rolled!.max).getTime()).toBeLessThan(Date.parse(cutoff));

    // The whole range again, through the API: every day the same, the pruned ones from the rollups.
    const after = await statsViaApi(viewer.session, query);
    const afterByDay = byDay(after);
    expect(afterByDay.size).toBe(beforeStats.size);
    for (const key of days) {
      expect(afterByDay.get(key), key).toEqual(expected.get(key));
    }
    const oldDays = after.buckets.filter((b) => b.bucketStart < cutoff);
    expect(oldDays.length).toBeGreaterThan(150);
    expect(oldDays.every((b) => b.fromRollups)).toBe(true);
    expect(after.buckets.filter((b) => b.bucketStart >= cutoff).every((b) => !b.fromRollups)).toBe(true);
    // Some old days had failures and some had none: the rates really vary.
    expect(new Set(oldDays.map((b) => b.successRate)).size).toBeGreaterThan(10);

    // Filtered by trigger, too.
    const manual = byDay(await statsViaApi(viewer.session, { ...query, trigger: 'manual' }));
    for (const [key, figures] of expectedManual) {
      if (key.split('|')[0]! < to) expect(manual.get(key), key).toEqual(figures);
    }
    // And by strategy, over a range that straddles the cutoff, in 6-hour buckets (old days land whole in their first bucket).
    const straddle = await statsViaApi(viewer.session, { from: new Date(Date.parse(cutoff) - 3 * DAY).toISOString(), to: new Date(Date.parse(cutoff) + 3 * DAY).toISOString(), bucket: '6h', strategy: 'sessions' });
    const sum = (list: typeof straddle.buckets) => list.reduce((a, b) => a + b.runs, 0);
    expect(sum(straddle.buckets)).toBe(6 * 8);
    expect(straddle.buckets.every((b) => b.strategy === 'sessions')).toBe(true);
  });

  it('roll days up in KILN_TIMEZONE, idempotently, and older days on a first prune', async () => {
    const { database } = await useTestDatabase();
    await seedRunHistory(database, { from: ago(30), to: ago(0.2), everyMinutes: 60, strategies: ['hot_products'], maxFailed: 5 });
    const zone = 'America/New_York';
    const expected = await database.rows<{ day: string; runs: number; warmed: number; failed: number }>(sql`
      select (finished_at at time zone ${zone})::date::text as day, count(*)::int as runs, sum(warmed)::int as warmed, sum(failed)::int as failed
      from run_strategies group by 1 order by 1`);
    // runs kept 7 days: the days before are rolled up (the first one of them partly seeded) and go.
    await database.rows(sql`insert into retention_policies (policy, days) values ('runs', 7)`);
    const report = await pruneOnce(database, { timezone: zone, batchRows: 1000, now: NOW, pauseMs: 0 });
    // One row per day, strategy and trigger: added up per day.
    const rollups = await database.rows<{ day: string; runs: number; warmed: number; failed: number; local_midnight: boolean }>(sql`
      select day::text, sum(runs)::int as runs, sum(warmed)::int as warmed, sum(failed)::int as failed,
             bool_and(to_char(day_start at time zone ${zone}, 'HH24:MI') = '00:00') as local_midnight
      from run_daily_rollups group by day order by day`);
    expect(rollups.length).toBe(report.rolledUpDays);
    expect(rollups.length).toBeGreaterThanOrEqual(22);
    for (const r of rollups) {
      expect(r.local_midnight, r.day).toBe(true);
      expect({ day: r.day, runs: r.runs, warmed: r.warmed, failed: r.failed }).toEqual(expected.find((e) => e.day === r.day));
    }
    const cutoff = report.cutoffs.runs!;
    const [local] = await database.rows<{ t: string }>(sql`select to_char(${cutoff}::timestamptz at time zone ${zone}, 'HH24:MI') as t`);
    expect(local!.t).toBe('00:00');

    // Again: the days whose raw rows are gone are not recomputed (they would come out empty).
    const again = await pruneOnce(database, { timezone: zone, batchRows: 1000, now: NOW, pauseMs: 0 });
    expect(again.rolledUpDays).toBe(0);
    const [same] = await database.rows<{ n: number }>(sql`select count(distinct day)::int as n from run_daily_rollups`);
    expect(same!.n).toBe(rollups.length);
  });
});
