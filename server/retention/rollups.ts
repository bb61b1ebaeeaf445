import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { timestamptz } from '../db/sql-fragments';

/** Days rolled up per statement: short statements, whole days each (a day is never split). */
const DAYS_PER_STATEMENT = 31;

/**
 * Rolls up, per day (in `timezone`), strategy and trigger, every run result that finished before
 * `before` (a day boundary in `timezone`) and is not rolled up yet: from where raw runs start
 * being complete (retention_state.raw_runs_from) or, on a first prune, from the oldest result.
 * Idempotent: a day's row is recomputed from the same complete raw rows. Returns the days written.
 */
export async function rollUpDaysBefore(database: Database, timezone: string, before: Date): Promise<number> {
  const [range] = await database.rows<{ first_day: string | null; end_day: string }>(sql`
    select to_char((coalesce(
             (select raw_runs_from from retention_state where id = 1),
             (select min(finished_at) from run_strategies where not dry_run)
           ) at time zone ${timezone})::date, 'YYYY-MM-DD') as first_day,
           to_char((${timestamptz(before)} at time zone ${timezone})::date, 'YYYY-MM-DD') as end_day`);
  if (!range?.first_day || range.first_day >= range.end_day) return 0;
  let days = 0;
  for (let from = range.first_day; from < range.end_day; ) {
    const next = addDays(from, DAYS_PER_STATEMENT);
    const to = next < range.end_day ? next : range.end_day;
    const [written] = await database.rows<{ days: number }>(sql`
      with rolled as (
        insert into run_daily_rollups as r (day, day_start, strategy, trigger, runs, succeeded, partial, failed_runs, cancelled, skipped_runs,
                                            total, warmed, failed, skipped, duration_sum_ms, duration_max_ms, p50_duration_ms, p95_duration_ms, timezone, rolled_up_at)
        select day, day::timestamp at time zone ${timezone}, strategy, trigger::text,
               count(*)::int,
               (count(*) filter (where outcome = 'succeeded'))::int,
               (count(*) filter (where outcome = 'partial'))::int,
               (count(*) filter (where outcome = 'failed'))::int,
               (count(*) filter (where outcome = 'cancelled'))::int,
               (count(*) filter (where outcome = 'skipped'))::int,
               sum(total), sum(warmed), sum(failed), sum(skipped), sum(duration_ms), max(duration_ms),
               round(percentile_cont(0.5) within group (order by duration_ms))::int,
               round(percentile_cont(0.95) within group (order by duration_ms))::int,
               ${timezone}, now()
        from (
          select (finished_at at time zone ${timezone})::date as day, *
          from run_strategies
          where not dry_run
            and finished_at >= (${from}::date::timestamp at time zone ${timezone})
            and finished_at < (${to}::date::timestamp at time zone ${timezone})
        ) raw
        group by day, strategy, trigger
        on conflict (day, strategy, trigger) do update set
          day_start = excluded.day_start, runs = excluded.runs, succeeded = excluded.succeeded, partial = excluded.partial,
          failed_runs = excluded.failed_runs, cancelled = excluded.cancelled, skipped_runs = excluded.skipped_runs,
          total = excluded.total, warmed = excluded.warmed, failed = excluded.failed, skipped = excluded.skipped,
          duration_sum_ms = excluded.duration_sum_ms, duration_max_ms = excluded.duration_max_ms,
          p50_duration_ms = excluded.p50_duration_ms, p95_duration_ms = excluded.p95_duration_ms,
          timezone = excluded.timezone, rolled_up_at = excluded.rolled_up_at
        returning day
      )
      select count(distinct day)::int as days from rolled`);
    days += written?.days ?? 0;
    from = to;
  }
  return days;
}

/** 'YYYY-MM-DD' plus n calendar days. */
export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}
