import type postgres from 'postgres';

/** The strategies a history is made of: their key counts and typical durations on a shop. */
const PROFILES = [
  { name: 'hot_products', priority: 100, ttl: 7200, keys: 100, ms: 45, skipRate: 0.01 },
  { name: 'recommendations', priority: 60, ttl: 1800, keys: 4, ms: 30, skipRate: 0 },
  { name: 'categories', priority: 50, ttl: 14400, keys: 26, ms: 20, skipRate: 0 },
  { name: 'sessions', priority: 20, ttl: 900, keys: 60, ms: 25, skipRate: 0.05 },
  { name: 'product_catalog', priority: 10, ttl: 86400, keys: 2000, ms: 900, skipRate: 0.002 },
];

/**
 * Writes a history of finished runs, one run every 30 minutes for each strategy over `days` up to
 * `now`, in bulk with SQL (two statements however long the history): runs and run_strategies rows
 * whose durations follow the day's load (slower at the evening peak, now and then much slower) and
 * whose success rates are mostly 100%, sometimes a little lower, rarely an incident.
 * Returns the number of runs written.
 */
export async function seedRunHistory(sql: postgres.Sql, options: { now: Date; days: number; seed?: number }): Promise<number> {
  const profiles = JSON.stringify(PROFILES);
  await sql`select setseed(${options.seed ?? 0.42})`;
  await sql.begin(async (tx) => {
    await tx`
      create temp table history_seed on commit drop as
      select gen_random_uuid() as id, p.name, p.priority, p.ttl, t as started_at,
             greatest(1, round(p.ms * (1 + 0.25 * random()) * (1.3 + 0.7 * sin(extract(hour from t) * pi() / 12 - 2))
                 * case when random() < 0.02 then 5 else 1 end))::int as duration_ms,
             greatest(1, round(p.keys * (0.9 + 0.2 * random())))::int as total,
             case when r < 0.003 then 0.3 + 0.3 * random() when r < 0.1 then 0.02 + 0.08 * random() else 0 end as failed_share,
             p."skipRate" * random() * 2 as skipped_share,
             case when random() < 0.92 then 'schedule' when random() < 0.8 then 'manual' else 'api' end::run_trigger as trigger
      from jsonb_to_recordset(${profiles}::text::jsonb) as p(name text, priority int, ttl int, keys int, ms int, "skipRate" float8)
      cross join generate_series(${options.now.toISOString()}::timestamptz - ${options.days}::int * interval '1 day',
                                 ${options.now.toISOString()}::timestamptz - interval '30 minutes', interval '30 minutes') as t
      -- Referencing t makes the roll per row (an uncorrelated subquery would run once for all).
      cross join lateral (select random() + 0 * extract(epoch from t) as r) as roll`;
    await tx`
      create temp table history_runs on commit drop as
      select *, floor(total * failed_share)::int as failed, floor(total * skipped_share)::int as skipped,
             started_at + duration_ms * interval '1 millisecond' as finished_at
      from history_seed`;
    await tx`
      insert into runs (id, trigger, triggered_by, scope, strategies, concurrency, status, owner, created_at, finished_at,
                        total, warmed, skipped, failed, duration_ms)
      select id, trigger, case trigger when 'schedule' then 'scheduler' when 'manual' then 'ops@shop.example' else 'token:deploy' end,
             jsonb_build_object('strategies', jsonb_build_array(name)), array[name], 20,
             (case when failed = 0 then 'succeeded' when failed >= total then 'failed' else 'partial' end)::run_status,
             'bench:1', started_at, finished_at, total, total - failed - skipped, skipped, failed, duration_ms + 3
      from history_runs`;
    await tx`
      insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, skipped,
                                  failed, success_rate, started_at, finished_at, duration_ms)
      select id, name, 0, (case when failed = 0 then 'succeeded' when failed >= total then 'failed' else 'partial' end)::strategy_outcome,
             trigger, priority, ttl, total, total - failed - skipped, skipped, failed, (total - failed - skipped)::float8 / total,
             started_at, finished_at, duration_ms
      from history_runs`;
  });
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from runs where owner = 'bench:1'`;
  return row!.n;
}
