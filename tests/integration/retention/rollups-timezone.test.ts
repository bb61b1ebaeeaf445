import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as statsRoute from '@/app/api/stats/route';
import type { Stats } from '@/lib/api/runs';
import { successRate } from '@/lib/success-rate';
import type { Database } from '@/server/db/client';
import { pruneOnce } from '@/server/retention/prune';
import { getRunStats, startOfDay } from '@/server/runs/run-stats';
import { request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { seedRunHistory } from '../../support/run-history';
import { startTestRuntime, useTestRuntime } from '../../support/runtime';
import { useTestRedisCache } from '../../support/warmer';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Five hours behind UTC in winter, four in summer: its midnights are never UTC's. */
const ZONE = 'America/New_York';
const NOW = new Date(Math.floor(Date.now() / HOUR) * HOUR);

type DayFigures = { runs: number; warmed: number; failed: number; skipped: number; total: number; rate: number | null };

/** Per day in `zone` and strategy, straight from the raw rows; keyed like the API's buckets (the day's first instant, UTC). */
async function rawByLocalDay(database: Database, zone: string): Promise<Map<string, DayFigures>> {
  const rows = await database.rows<{ day: string; strategy: string; runs: number; warmed: number; failed: number; skipped: number; total: number }>(sql`
    select to_char(date_trunc('day', finished_at, ${zone}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as day, strategy, count(*)::int as runs,
           sum(warmed)::int as warmed, sum(failed)::int as failed, sum(skipped)::int as skipped, sum(total)::int as total
    from run_strategies where not dry_run group by 1, 2`);
  return new Map(rows.map((r) => [`${r.day}|${r.strategy}`, { runs: r.runs, warmed: r.warmed, failed: r.failed, skipped: r.skipped, total: r.total, rate: successRate(r) }]));
}

function byDay(stats: Stats): Map<string, DayFigures> {
  return new Map(
    stats.buckets.map((b) => [`${b.bucketStart}|${b.strategy}`, { runs: b.runs, warmed: b.warmed, failed: b.failed, skipped: b.skipped, total: b.total, rate: b.successRate }]),
  );
}

describe('rollup days and the stats API\u2019s day buckets in KILN_TIMEZONE', () => {
  it('day buckets are days in KILN_TIMEZONE: runs at 23:55 and 00:05 local land on their own local days, and the year chart is the same after pruning', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database, { env: { KILN_TIMEZONE: ZONE } });
    const viewer = await signedIn(database, 'viewer');
    // A run every 10 minutes from five minutes before a local midnight: 23:55, 00:05, … every day.
    const firstMidnight = startOfDay(NOW.getTime() - 40 * DAY, ZONE);
    await seedRunHistory(database, { from: new Date(firstMidnight - 5 * 60_000), to: new Date(NOW.getTime() - 2 * HOUR), everyMinutes: 10, strategies: ['hot_products', 'sessions'], maxFailed: 7 });
    const from = new Date(startOfDay(NOW.getTime() - 45 * DAY, ZONE)).toISOString();
    const to = new Date(startOfDay(NOW.getTime(), ZONE)).toISOString();
    const query = { from, to, bucket: '1d' as const };
    const chart = async () => {
      const response = await statsRoute.GET(request(`/api/stats?${new URLSearchParams(query)}`, { session: viewer.session }), undefined as never);
      expect(response.status).toBe(200);
      return (await response.json()) as Stats;
    };

    const expected = await rawByLocalDay(database, ZONE);
    const before = await chart();
    // Every bucket starts at a local midnight (05:00 or 04:00 UTC), none at a UTC one.
    expect(before.buckets.every((b) => ['05:00:00Z', '04:00:00Z'].includes(b.bucketStart.slice(11))), JSON.stringify(before.buckets[0])).toBe(true);
    expect(before.buckets.every((b) => startOfDay(Date.parse(b.bucketStart), ZONE) === Date.parse(b.bucketStart))).toBe(true);
    const days = [...expected.keys()].filter((k) => k.split('|')[0]! < to);
    expect(days.length).toBeGreaterThanOrEqual(2 * 39);
    for (const key of days) expect(byDay(before).get(key), key).toEqual(expected.get(key));
    // The 23:55 run is the day before the 00:05 one: 144 runs a whole local day (a day of 23 or 25 hours: 138 or 150).
    const whole = before.buckets.filter((b) => b.bucketStart > from && b.strategy === 'sessions').map((b) => b.runs);
    expect(whole.length).toBeGreaterThanOrEqual(38);
    expect(whole.slice(1, -1).filter((n) => ![138, 144, 150].includes(n))).toEqual([]);

    await database.rows(sql`insert into retention_policies (policy, days) values ('runs', 7)`);
    const report = await pruneOnce(database, { timezone: ZONE, batchRows: 1000, now: NOW, pauseMs: 0 });
    expect(report.rolledUpDays).toBeGreaterThanOrEqual(32);
    const [left] = await database.rows<{ n: number }>(sql`select count(*)::int as n from run_strategies where finished_at < ${report.cutoffs.runs!}::timestamptz`);
    expect(left!.n).toBe(0);

    // Read again after the settled-bucket memory of 10 minutes would have kept the old answer: a new "now".
    const afterStats = await getRunStats(database, query, new Date(NOW.getTime() + 11 * 60_000), ZONE);
    const after = byDay(afterStats);
    expect(afterStats.buckets.filter((b) => b.bucketStart < report.cutoffs.runs!).every((b) => b.fromRollups)).toBe(true);
    // The route may answer settled days from its memory (same figures, computed from the raw rows before the prune).
    const afterApi = await chart();
    expect(after.size).toBe(byDay(before).size);
    for (const key of days) {
      expect(after.get(key), key).toEqual(expected.get(key));
      expect(byDay(afterApi).get(key), key).toEqual(expected.get(key));
    }
  });

  it('a strategy result saved late, for a day already rolled up, is added to that day\u2019s rollup once and the stats count it', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache('late-rollup');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = fakeStrategy({ name: 'slow', keys: ['k1', 'k2', 'k3'], value: async (key) => (await gate, JSON.stringify({ key })) });
    const { warmer } = await startTestRuntime(database, { cache, strategies: [slow], env: { KILN_TIMEZONE: ZONE } });
    await seedRunHistory(database, { from: new Date(NOW.getTime() - 5 * DAY), to: new Date(Date.now() - 60_000), everyMinutes: 60, strategies: ['slow'], maxFailed: 2 });

    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['slow'] } });
    await sleep(500); // its shard is loading, held at the gate
    // A prune two days ahead (runs kept 1 day): today is rolled up while the run is still going.
    await database.rows(sql`insert into retention_policies (policy, days) values ('runs', 1)`);
    const ahead = new Date(Date.now() + 2 * DAY);
    const report = await pruneOnce(database, { timezone: ZONE, batchRows: 1000, now: ahead, pauseMs: 0 });
    const today = new Date(startOfDay(Date.now(), ZONE));
    expect(Date.parse(report.rawRunsFrom!)).toBeGreaterThan(Date.now());
    const rolledToday = async () => {
      const [row] = await database.rows<{ runs: number; warmed: number }>(sql`
        select coalesce(sum(runs), 0)::int as runs, coalesce(sum(warmed), 0)::int as warmed from run_daily_rollups
        where strategy = 'slow' and day_start = ${today.toISOString()}::timestamptz`);
      return row!;
    };
    const before = await rolledToday(); // the seeded runs of today, if any

    release();
    const summary = await run.done;
    expect(summary.status).toBe('succeeded');
    // Saved after its day was rolled up: in the rollup, once.
    expect(await rolledToday()).toEqual({ runs: before.runs + 1, warmed: before.warmed + 3 });
    const stats = await getRunStats(database, { from: today.toISOString(), to: new Date(startOfDay(today.getTime() + 26 * HOUR, ZONE)).toISOString(), bucket: '1d', strategy: 'slow' }, ahead, ZONE);
    expect(stats.buckets).toHaveLength(1);
    expect(stats.buckets[0]).toMatchObject({ runs: before.runs + 1, fromRollups: true });

    // The next pass prunes the run's raw rows and adds nothing twice.
    const again = await pruneOnce(database, { timezone: ZONE, batchRows: 1000, now: ahead, pauseMs: 0 });
    expect(again.removed.runs ?? 0).toBeGreaterThanOrEqual(1);
    expect(await rolledToday()).toEqual({ runs: before.runs + 1, warmed: before.warmed + 3 });
  });
});
