import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listStrategyViews } from '@/server/strategies/strategy-views';
import { useTestDatabase } from '../../support/db';
import { shopRegistry } from '../../support/shop-strategies';

describe('strategy views', () => {
  it('give each strategy its last 20 finished runs, oldest first, dry runs left out, the newest as its last run', async () => {
    const { database } = await useTestDatabase();
    // 30 runs of hot_products and 3 of sessions, an hour apart, the newest hot_products one a dry run.
    await database.rows(sql`
      with made as (
        insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at, total, warmed, failed, duration_ms, dry_run)
        select 'schedule', 'test', '{"all":true}', array[s], 10, 'h:1', 'succeeded', t, t + interval '1 second', 10, 10 - i % 3, i % 3, 1000, s = 'hot_products' and i = 30
        from (select 'hot_products' as s, i, timestamptz '2026-11-01T00:00:00Z' + i * interval '1 hour' as t from generate_series(1, 30) i
              union all
              select 'sessions', i, timestamptz '2026-11-01T00:00:00Z' + i * interval '1 hour' from generate_series(1, 3) i) x
        returning id, strategies[1] as s, created_at, finished_at, warmed, failed, dry_run)
      insert into run_strategies (run_id, strategy, position, outcome, trigger, dry_run, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
      select id, s, 0, 'succeeded', 'schedule', dry_run, 50, 600, 10, warmed, 0, failed, warmed / 10.0, created_at, finished_at, 1000 from made`);
    const expected = await database.rows<{ strategy: string; runId: string; successRate: number }>(sql`
      select strategy, run_id::text as "runId", success_rate as "successRate" from (
        select *, row_number() over (partition by strategy order by finished_at desc) as n from run_strategies where not dry_run) r
      where n <= 20 order by strategy, finished_at`);

    const views = await listStrategyViews(database, shopRegistry());
    const hot = views.find((v) => v.name === 'hot_products')!;
    const sessions = views.find((v) => v.name === 'sessions')!;
    const want = (strategy: string) => expected.filter((e) => e.strategy === strategy);
    expect(hot.recent.map((r) => r.successRate)).toEqual(want('hot_products').map((e) => e.successRate));
    expect(hot.recent).toHaveLength(20);
    expect(hot.lastRun?.runId).toBe(want('hot_products').at(-1)!.runId);
    expect(sessions.recent).toHaveLength(3);
    expect(sessions.lastRun?.runId).toBe(want('sessions').at(-1)!.runId);
    expect([...hot.recent.map((r) => r.finishedAt)].sort()).toEqual(hot.recent.map((r) => r.finishedAt));
    expect(views.find((v) => v.name === 'categories')).toMatchObject({ lastRun: null, recent: [] });
  });
});
