import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { pruneOnce } from '@/server/retention/prune';
import { RetentionRunner } from '@/server/retention/retention-runner';
import pino from 'pino';
import { useTestDatabase } from '../../support/db';
import { seedRunHistory } from '../../support/run-history';

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from (${query}) q`);
  return row!.n;
}

/** Rows of every other table, old and recent: fires, audit, read counts, coverage, sessions, rate limits. */
async function seedOtherTables(database: Database): Promise<void> {
  await database.rows(sql`insert into schedules (name, cron, scope) values ('every minute', '* * * * *', '{"all":true}')`);
  // One fire a minute for the last 40 days: 57,600 rows, 10 days of them over the 30-day policy.
  await database.rows(sql`
    insert into schedule_fires (schedule_id, slot_at, outcome, claimed_by, created_at)
    select 1, t, 'started', 'seed', t from generate_series(${ago(40).toISOString()}::timestamptz, ${ago(0).toISOString()}::timestamptz, interval '1 minute') t`);
  await database.rows(sql`
    insert into audit_log (at, actor, action) select t, 'seed', 'seed.entry' from generate_series(${ago(500).toISOString()}::timestamptz, ${ago(0).toISOString()}::timestamptz, interval '1 day') t`);
  await database.rows(sql`
    insert into cache_reads (bucket_start, family, hits, misses) select t, 'Product', 5, 1 from generate_series(${ago(120).toISOString()}::timestamptz, ${ago(0).toISOString()}::timestamptz, interval '1 hour') t`);
  await database.rows(sql`
    insert into coverage_samples (strategy, sampled_at, warm_set_size, sampled, present, ttl_histogram)
    select 'hot_products', t, 100, 100, 90, '{}'::jsonb from generate_series(${ago(120).toISOString()}::timestamptz, ${ago(0).toISOString()}::timestamptz, interval '6 hours') t`);
  await database.rows(sql`insert into operators (email, name, password_hash) values ('a@example.com', 'A', 'x')`);
  await database.rows(sql`
    insert into operator_sessions (id, operator_id, expires_at) values
      ('expired-long-ago', 1, ${ago(3).toISOString()}::timestamptz), ('expired-just-now', 1, ${new Date(NOW.getTime() - 3_600_000).toISOString()}::timestamptz),
      ('live', 1, ${ago(-7).toISOString()}::timestamptz)`);
  await database.rows(sql`
    insert into rate_limits (key, window_start, count, expires_at) values
      ('old', ${ago(2).toISOString()}::timestamptz, 3, ${ago(2).toISOString()}::timestamptz), ('live', now(), 1, ${ago(-1).toISOString()}::timestamptz)`);
}

describe('pruning by the retention policies', () => {
  it('deletes only rows older than their policy, in batches of at most batchRows, never a running run, and records what it did', async () => {
    const { database } = await useTestDatabase();
    // 450 days of runs every 4 hours, two strategies, up to 12 failed keys each.
    const seeded = await seedRunHistory(database, { from: ago(450), to: ago(0.1), everyMinutes: 240, strategies: ['hot_products', 'categories'], maxFailed: 12 });
    expect(seeded.runs).toBeGreaterThan(2600);
    await seedOtherTables(database);
    // A run recorded 420 days ago that is still running, one of its strategies already saved.
    await database.rows(sql`
      with run as (insert into runs (id, trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at)
                   values ('00000000-0000-0000-0000-00000000beef', 'manual', 'x', '{"all":true}', '{hot_products,categories}', 5, 'h:1', 'running', ${ago(420).toISOString()}::timestamptz) returning id)
      insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, started_at, finished_at, duration_ms)
      select id, 'hot_products', 0, 'succeeded', 'manual', 1, 60, 10, 10, ${ago(420).toISOString()}::timestamptz, ${ago(420).toISOString()}::timestamptz, 5 from run`);

    const before = {
      recentRuns: await count(database, sql`select 1 from runs where created_at >= ${ago(399).toISOString()}::timestamptz`),
      recentResults: await count(database, sql`select 1 from run_strategies where finished_at >= ${ago(399).toISOString()}::timestamptz`),
      recentFailures: await count(database, sql`select 1 from run_failures where at >= ${ago(30).toISOString()}::timestamptz`),
      failures: await count(database, sql`select 1 from run_failures`),
      fires: await count(database, sql`select 1 from schedule_fires`),
      recentFires: await count(database, sql`select 1 from schedule_fires where created_at >= ${ago(30).toISOString()}::timestamptz`),
      audit: await count(database, sql`select 1 from audit_log`),
      recentAudit: await count(database, sql`select 1 from audit_log where at >= ${ago(400).toISOString()}::timestamptz`),
      recentReads: await count(database, sql`select 1 from cache_reads where bucket_start >= ${ago(90).toISOString()}::timestamptz`),
      recentCoverage: await count(database, sql`select 1 from coverage_samples where sampled_at >= ${ago(90).toISOString()}::timestamptz`),
    };

    const batches: Record<string, number[]> = {};
    const report = await pruneOnce(database, { timezone: 'UTC', batchRows: 500, now: NOW, pauseMs: 0, by: 'test:1', onBatch: (table, n) => (batches[table] ??= []).push(n) });

    // Bounded batches: never more than batchRows a statement (runs: about a fifth, with their results).
    for (const [table, sizes] of Object.entries(batches)) {
      expect(Math.max(...sizes), table).toBeLessThanOrEqual(table === 'run_strategies' || table === 'run_shards' ? 2 * 100 : 500);
    }
    expect(batches.run_failures!.length).toBeGreaterThan(10);
    expect(batches.runs!.length).toBeGreaterThan(1);
    expect(batches.schedule_fires!.length).toBeGreaterThan(10);

    const cutoff = new Date(report.cutoffs.runs!);
    // The cutoff is a whole day (UTC here) 400 days back.
    expect(cutoff.toISOString()).toBe(new Date(Math.floor(ago(400).getTime() / DAY) * DAY).toISOString());
    expect(await count(database, sql`select 1 from runs where created_at < ${cutoff.toISOString()}::timestamptz`)).toBe(1);
    const [running] = await database.rows<{ status: string; results: number }>(
      sql`select status, (select count(*)::int from run_strategies where run_id = runs.id) as results from runs where id = '00000000-0000-0000-0000-00000000beef'`,
    );
    expect(running).toEqual({ status: 'running', results: 1 });
    expect(await count(database, sql`select 1 from run_strategies s where not exists (select 1 from runs r where r.id = s.run_id)`)).toBe(0);
    expect(await count(database, sql`select 1 from run_shards where queued_at < ${cutoff.toISOString()}::timestamptz`)).toBe(0);

    // Recent rows are all there.
    expect(await count(database, sql`select 1 from runs where created_at >= ${ago(399).toISOString()}::timestamptz`)).toBe(before.recentRuns);
    expect(await count(database, sql`select 1 from run_strategies where finished_at >= ${ago(399).toISOString()}::timestamptz`)).toBe(before.recentResults);
    expect(await count(database, sql`select 1 from run_failures where at >= ${ago(30).toISOString()}::timestamptz`)).toBe(before.recentFailures);
    expect(await count(database, sql`select 1 from run_failures where at < ${ago(30).toISOString()}::timestamptz`)).toBe(0);
    expect(await count(database, sql`select 1 from schedule_fires`)).toBe(before.recentFires);
    expect(await count(database, sql`select 1 from audit_log`)).toBe(before.recentAudit);
    expect(await count(database, sql`select 1 from cache_reads`)).toBe(before.recentReads);
    expect(await count(database, sql`select 1 from coverage_samples`)).toBe(before.recentCoverage);
    expect((await database.rows<{ id: string }>(sql`select id from operator_sessions order by id`)).map((r) => r.id)).toEqual(['expired-just-now', 'live']);
    expect((await database.rows<{ key: string }>(sql`select key from rate_limits`)).map((r) => r.key)).toEqual(['live']);

    // What it says it removed is what went.
    expect(report.removed.run_failures).toBe(before.failures - before.recentFailures);
    expect(report.removed.schedule_fires).toBe(before.fires - before.recentFires);
    expect(report.removed.audit_log).toBe(before.audit - before.recentAudit);
    expect(report.removed.runs).toBe(seeded.runs + 1 - (await count(database, sql`select 1 from runs`)));
    const [state] = await database.rows<{ last_removed: Record<string, number>; last_by: string; last_error: string | null; raw_runs_from: string; done: boolean }>(
      sql`select last_removed, last_by, last_error, raw_runs_from::text, last_finished_at >= last_started_at as done from retention_state`,
    );
    expect(state).toMatchObject({ last_removed: report.removed, last_by: 'test:1', last_error: null, done: true });
    expect(new Date(state!.raw_runs_from).toISOString()).toBe(cutoff.toISOString());

    // A second pass finds nothing more to do.
    const again = await pruneOnce(database, { timezone: 'UTC', batchRows: 500, now: NOW, pauseMs: 0 });
    expect(Object.values(again.removed).reduce((a, b) => a + b, 0)).toBe(0);
    expect(again.rolledUpDays).toBe(0);
  });

  it('runs one pass at a time across processes (the advisory lock), and follows an operator\u2019s days', async () => {
    const { database } = await useTestDatabase();
    await seedRunHistory(database, { from: ago(60), to: ago(0.1), everyMinutes: 60, strategies: ['hot_products'], maxFailed: 40 });
    await database.rows(sql`insert into retention_policies (policy, days) values ('run_failures', 10)`);
    const logger = pino({ level: 'silent' });
    const runner = (owner: string) => new RetentionRunner({ database, logger, timezone: 'UTC', batchRows: 400, intervalMinutes: 0, owner });
    const [a, b] = await Promise.all([runner('a:1').runNow(NOW), runner('b:1').runNow(NOW)]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    expect(await count(database, sql`select 1 from run_failures where at < ${ago(10).toISOString()}::timestamptz`)).toBe(0);
    expect(await count(database, sql`select 1 from run_failures where at >= ${ago(10).toISOString()}::timestamptz`)).toBeGreaterThan(1000);
    // 60 days of runs are within the 400-day policy: none went.
    expect(await count(database, sql`select 1 from runs`)).toBeGreaterThan(1400);
  });
});
