import { sql } from 'drizzle-orm';
import type { Database } from '@/server/db/client';

export type RunHistoryOptions = {
  from: Date;
  to: Date;
  /** A run every this many minutes (each covering every strategy). */
  everyMinutes: number;
  strategies: string[];
  /** A strategy result fails between 0 and this many keys (each kept as a run_failures row); some warm none. */
  maxFailed: number;
  /** Failure rows kept per failed key (the bench raises the volume with it); default 1. */
  failureRowsPerKey?: number;
  /** A name for the seed's work table (unique per concurrent seed). */
  tag?: string;
};

/**
 * Deterministic finished runs from `from` to `to`: status and totals, one shard and one result per
 * strategy, and every failed key. Figures vary with the slot, so success rates differ day by day;
 * about one in six runs is manual. Set-based (one statement a table): a year of half-hourly runs
 * seeds in seconds.
 */
export async function seedRunHistory(database: Database, o: RunHistoryOptions): Promise<{ runs: number; results: number; failures: number }> {
  const work = sql.raw(`seed_results_${o.tag ?? 'x'}`);
  const strategies = `{${o.strategies.join(',')}}`;
  const perKey = o.failureRowsPerKey ?? 1;
  await database.rows(sql`drop table if exists ${work}`);
  await database.rows(sql`
    create unlogged table ${work} as
    with slots as (
      select t, (extract(epoch from t)::bigint / 60 / ${o.everyMinutes})::bigint as n
      from generate_series(${o.from.toISOString()}::timestamptz, ${o.to.toISOString()}::timestamptz, make_interval(mins => ${o.everyMinutes})) t
    ), results as (
      select s.t, s.n, k.strategy, k.position::int as position,
             ((s.n * 7 + k.position * 13) % (${o.maxFailed} + 1))::int as failed,
             case when (s.n + k.position) % 97 = 0 then 0 else (40 + (s.n * 11 + k.position * 5) % 60)::int end as warmed,
             ((s.n + k.position) % 5)::int as skipped,
             (200 + (s.n * 37 + k.position * 11) % 900)::int as duration,
             (case when s.n % 6 = 0 then 'manual' else 'schedule' end)::run_trigger as trigger
      from slots s cross join unnest(${strategies}::text[]) with ordinality as k(strategy, position)
    )
    select md5('kiln-seed:' || n)::uuid as run_id, * from results`);
  try {
    const [runs] = await database.rows<{ n: number }>(sql`
      with inserted as (
        insert into runs (id, trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at, total, warmed, skipped, failed, duration_ms)
        select run_id, min(trigger::text)::run_trigger, 'seed', '{"all":true}'::jsonb, array_agg(strategy order by position), 10, 'seed:1',
               (case when sum(failed) = 0 then 'succeeded' when sum(warmed) = 0 then 'failed' else 'partial' end)::run_status,
               t, t + make_interval(secs => max(duration) / 1000.0),
               sum(warmed + failed + skipped), sum(warmed), sum(skipped), sum(failed), max(duration)
        from ${work} group by run_id, t
        returning 1)
      select count(*)::int as n from inserted`);
    const [results] = await database.rows<{ n: number }>(sql`
      with inserted as (
        insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
        select run_id, strategy, position - 1, (case when failed = 0 then 'succeeded' when warmed = 0 then 'failed' else 'partial' end)::strategy_outcome,
               trigger, 50, 3600, warmed + failed + skipped, warmed, skipped, failed,
               case when warmed + failed > 0 then warmed::float8 / (warmed + failed) end,
               t, t + make_interval(secs => duration / 1000.0), duration
        from ${work}
        returning 1)
      select count(*)::int as n from inserted`);
    await database.rows(sql`
      insert into run_shards (run_id, strategy, shard, status, attempt, total, warmed, skipped, failed, queued_at, started_at, finished_at, duration_ms)
      select run_id, strategy, 0, 'done', 0, warmed + failed + skipped, warmed, skipped, failed, t, t, t + make_interval(secs => duration / 1000.0), duration
      from ${work}`);
    const [failures] = await database.rows<{ n: number }>(sql`
      with inserted as (
        insert into run_failures (run_id, strategy, key, error, at)
        select run_id, strategy, 'Product:id:' || g, 'load timed out after 5000 ms', t + make_interval(secs => duration / 1000.0)
        from ${work} cross join lateral generate_series(1, failed * ${perKey}) g
        returning 1)
      select count(*)::int as n from inserted`);
    return { runs: runs?.n ?? 0, results: results?.n ?? 0, failures: failures?.n ?? 0 };
  } finally {
    await database.rows(sql`drop table if exists ${work}`);
  }
}
