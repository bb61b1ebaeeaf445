import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client';
import type { RunStrategy } from '../db/schema';
import { timestamptz } from '../db/sql-fragments';

/** Days rolled up per statement: short statements, whole days each (a day is never split). */
const DAYS_PER_STATEMENT = 31;

/**
 * Rolls up, per day (in `timezone`), strategy and trigger, every run result that finished before
 * `before` (a day boundary in `timezone`) and is not rolled up yet: from where raw runs start
 * being complete (retention_state.raw_runs_from) or, on a first prune, from the oldest result.
 * Idempotent: a day's row is recomputed from the same complete raw rows. Returns the days written.
 *
 * Each chunk of days is rolled up and raw_runs_from moved past it in one transaction holding
 * retention_state's row lock, which every strategy result's save takes (shared) to read
 * raw_runs_from (addLateResult): a result saved while a chunk is rolled up waits and then finds
 * its day rolled up, so it is added to the rollup; one saved before is in the chunk's raw rows.
 * Either way it is counted once.
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
    const written = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from retention_state where id = 1 for update`);
      // After the lock: this statement's snapshot sees every result saved before it.
      const [rolled] = rowsOf<{ days: number }>(
        await tx.execute(sql`
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
      select count(distinct day)::int as days from rolled`),
      );
      const upTo = sql`(${to}::date::timestamp at time zone ${timezone})`;
      await tx.execute(sql`update retention_state set raw_runs_from = greatest(coalesce(raw_runs_from, ${upTo}), ${upTo}) where id = 1`);
      return rolled?.days ?? 0;
    });
    days += written;
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

/**
 * A strategy result just saved (in the save's transaction `tx`) whose day is already rolled up,
 * i.e. it finished before retention_state.raw_runs_from (a save late by a database outage, say):
 * added to its day's rollup, since the stats read the rollups, not raw rows, for those days and
 * the day is never rolled up again. The day is the one the rollups before raw_runs_from were
 * made in: the time zone of the newest rollup. Its percentiles are combined as the stats API
 * combines days (p50 runs-weighted, p95 the larger): a day's exact percentiles cannot be updated
 * without its raw rows. Returns whether it was added. Dry runs are never rolled up.
 */
export async function addLateResult(tx: Db, result: Pick<RunStrategy, 'strategy' | 'trigger' | 'outcome' | 'dryRun' | 'finishedAt' | 'total' | 'warmed' | 'failed' | 'skipped' | 'durationMs'>): Promise<boolean> {
  if (result.dryRun) return false;
  // Shared: many saves at once, none while a prune rolls up a chunk and moves raw_runs_from.
  const [state] = rowsOf<{ late: boolean }>(
    await tx.execute(sql`select coalesce(${timestamptz(result.finishedAt)} < raw_runs_from, false) as late from retention_state where id = 1 for share`),
  );
  if (!state?.late) return false;
  const zone = sql`coalesce((select timezone from run_daily_rollups order by day_start desc limit 1), 'UTC')`;
  const count = (outcome: string) => (result.outcome === outcome ? 1 : 0);
  const day: SQL = sql`(${timestamptz(result.finishedAt)} at time zone ${zone})::date`;
  await tx.execute(sql`
    insert into run_daily_rollups as r (day, day_start, strategy, trigger, runs, succeeded, partial, failed_runs, cancelled, skipped_runs,
                                        total, warmed, failed, skipped, duration_sum_ms, duration_max_ms, p50_duration_ms, p95_duration_ms, timezone, rolled_up_at)
    select ${day}, ${day}::timestamp at time zone ${zone}, ${result.strategy}::text, ${result.trigger}::text, 1,
           ${count('succeeded')}::int, ${count('partial')}::int, ${count('failed')}::int, ${count('cancelled')}::int, ${count('skipped')}::int,
           ${result.total}::bigint, ${result.warmed}::bigint, ${result.failed}::bigint, ${result.skipped}::bigint,
           ${result.durationMs}::bigint, ${result.durationMs}::int, ${result.durationMs}::int, ${result.durationMs}::int, ${zone}, now()
    on conflict (day, strategy, trigger) do update set
      runs = r.runs + 1, succeeded = r.succeeded + excluded.succeeded, partial = r.partial + excluded.partial,
      failed_runs = r.failed_runs + excluded.failed_runs, cancelled = r.cancelled + excluded.cancelled, skipped_runs = r.skipped_runs + excluded.skipped_runs,
      total = r.total + excluded.total, warmed = r.warmed + excluded.warmed, failed = r.failed + excluded.failed, skipped = r.skipped + excluded.skipped,
      duration_sum_ms = r.duration_sum_ms + excluded.duration_sum_ms, duration_max_ms = greatest(r.duration_max_ms, excluded.duration_max_ms),
      p50_duration_ms = round((r.p50_duration_ms::float8 * r.runs + excluded.p50_duration_ms) / (r.runs + 1))::int,
      p95_duration_ms = greatest(r.p95_duration_ms, excluded.p95_duration_ms),
      rolled_up_at = now()`);
  return true;
}

/**
 * A stats bucket that ended this long ago is settled: its figures no longer change, save for a
 * result saved late (see noteSettledChange), so the stats keep its aggregate in memory.
 */
export const SETTLED_MS = 10 * 60_000;

/**
 * In the save's transaction: a result that finished before the settled line (a save late by a
 * database outage, say) bumps stats_version, which every process's memory of settled stats buckets
 * is keyed by, so the late result shows at once once committed. On-time saves write nothing here.
 */
export async function noteSettledChange(tx: Db, finishedAt: Date, now = Date.now()): Promise<void> {
  if (finishedAt.getTime() >= now - SETTLED_MS) return;
  await tx.execute(sql`update stats_version set version = version + 1, changed_at = now() where id = 1`);
}

/** Rows of tx.execute on either driver (postgres.js answers an array, PGlite `{ rows }`). */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
