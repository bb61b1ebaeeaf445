import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { StatsBucket } from '@/lib/api/runs';
import { noteSettledChange } from '@/server/retention/rollups';
import { getRunStats } from '@/server/runs/run-stats';
import { useTestDatabase } from '../../support/db';

const DAY = 86_400_000;

/** percentile_cont as Postgres computes it: linear interpolation between the nearest ranks. */
function percentileCont(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

describe('run statistics over settled and fresh buckets', () => {
  it('give the same figures as a direct computation, for ranges with partial edge buckets, asked again and again', async () => {
    const { database } = await useTestDatabase();
    const now = Date.UTC(2026, 10, 20, 15, 0, 0);
    const rows: { strategy: string; at: number; duration: number; total: number; warmed: number }[] = [];
    for (let i = 0; i < 240; i++) {
      rows.push({ strategy: i % 3 === 0 ? 'sessions' : 'hot_products', at: now - i * 25 * 60_000, duration: 100 + ((i * 37) % 900), total: 50, warmed: 50 - (i % 7) });
    }
    for (const r of rows) {
      await database.rows(sql`
        with run as (
          insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status)
          values ('schedule', 'x', '{"all":true}', ${`{${r.strategy}}`}, 5, 'h:1', 'succeeded') returning id)
        insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
        select run.id, ${r.strategy}, 0, 'succeeded', 'schedule', 1, 60, ${r.total}, ${r.warmed}, 0, ${r.total - r.warmed},
               ${r.warmed / r.total}, to_timestamp(${(r.at - r.duration) / 1000}), to_timestamp(${r.at / 1000}), ${r.duration}
        from run`);
    }

    const expectFor = (from: number, to: number): Map<string, Partial<StatsBucket>> => {
      const groups = new Map<string, typeof rows>();
      for (const r of rows) {
        if (r.at < from || r.at >= to) continue;
        const start = new Date(Math.floor(r.at / DAY) * DAY).toISOString().replace('.000Z', 'Z');
        const key = `${start}|${r.strategy}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      return new Map(
        [...groups].map(([key, list]) => [
          key,
          {
            runs: list.length,
            total: list.reduce((a, r) => a + r.total, 0),
            warmed: list.reduce((a, r) => a + r.warmed, 0),
            p50DurationMs: percentileCont(list.map((r) => r.duration), 0.5),
            p95DurationMs: percentileCont(list.map((r) => r.duration), 0.95),
          },
        ]),
      );
    };
    // Several overlapping ranges whose edges fall inside days, asked twice each (the second time
    // the settled days come from memory).
    for (const [fromOffset, toOffset] of [[-4 * DAY + 7 * 3_600_000, -13 * 3_600_000], [-3 * DAY - 1000, -2 * 60_000], [-4 * DAY + 7 * 3_600_000, -13 * 3_600_000]]) {
      const from = now + fromOffset!;
      const to = now + toOffset!;
      for (let attempt = 0; attempt < 2; attempt++) {
        const stats = await getRunStats(database, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: '1d' }, new Date(now));
        const expected = expectFor(from, to);
        expect(stats.buckets.length).toBe(expected.size);
        for (const b of stats.buckets) {
          const e = expected.get(`${b.bucketStart}|${b.strategy}`)!;
          expect(e, `${b.bucketStart} ${b.strategy}`).toBeDefined();
          expect(b.runs).toBe(e.runs);
          expect(b.total).toBe(e.total);
          expect(b.warmed).toBe(e.warmed);
          expect(b.p50DurationMs).toBeCloseTo(e.p50DurationMs!, 6);
          expect(b.p95DurationMs).toBeCloseTo(e.p95DurationMs!, 6);
        }
      }
    }
  });
});

describe('settled buckets kept in memory, and a result saved into them late', () => {
  it('a result saved for a settled bucket shows at once: the save bumps stats_version, which the memory is keyed by', async () => {
    const { database } = await useTestDatabase();
    const now = Date.now();
    const range = { from: new Date(now - 4 * 3_600_000).toISOString(), to: new Date(now - 3_600_000).toISOString(), bucket: '1h' as const, strategy: 'late_one' };
    // Results of hours ago: settled. One of them is not in the table under its strategy yet.
    await database.rows(sql`
      with run as (
        insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status)
        values ('schedule', 'x', '{"all":true}', '{late_one}', 5, 'h:1', 'succeeded') returning id)
      insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, failed, skipped, success_rate, started_at, finished_at, duration_ms)
      select id, 'not_yet', 0, 'succeeded', 'schedule', 0, 60, 10, 10, 0, 0, 1, ${new Date(now - 2.5 * 3_600_000).toISOString()}::timestamptz,
             ${new Date(now - 2.5 * 3_600_000 + 1000).toISOString()}::timestamptz, 1000 from run`);
    expect((await getRunStats(database, range)).buckets).toEqual([]);

    // Written behind the stats' back (no version bump): the settled bucket in memory still says nothing.
    await database.rows(sql`update run_strategies set strategy = 'late_one' where strategy = 'not_yet'`);
    expect((await getRunStats(database, range)).buckets).toEqual([]);

    // What a late save does in its transaction: the next question sees the result.
    const finishedAt = new Date(now - 2.5 * 3_600_000 + 1000);
    await database.db.transaction(async (tx) => noteSettledChange(tx, finishedAt));
    const after = await getRunStats(database, range);
    expect(after.buckets).toHaveLength(1);
    expect(after.buckets[0]).toMatchObject({ strategy: 'late_one', runs: 1, warmed: 10 });

    // A result saved on time writes nothing there.
    const [before] = await database.rows<{ version: number }>(sql`select version::int from stats_version`);
    await database.db.transaction(async (tx) => noteSettledChange(tx, new Date()));
    expect(await database.rows(sql`select version::int from stats_version`)).toEqual([before]);
  });
});
