import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Stats, StatsBucket, StatsQuery } from '@/lib/api/runs';
import { successRate } from '@/lib/success-rate';
import type { Database } from '../db/client';
import { successRateSql } from '../db/sql-fragments';
import { AppError } from '../errors';
import { SETTLED_MS } from '../retention/rollups';
import { RecentAnswers } from '../http/recent-answers';
import { wallClock, offsetMinutes } from '../scheduling/time-zone';

const BUCKETS: Record<string, { interval: string; ms: number }> = {
  '5m': { interval: '5 minutes', ms: 5 * 60_000 },
  '15m': { interval: '15 minutes', ms: 15 * 60_000 },
  '1h': { interval: '1 hour', ms: 3_600_000 },
  '6h': { interval: '6 hours', ms: 6 * 3_600_000 },
  '1d': { interval: '1 day', ms: 86_400_000 },
};

/** About 24 to 60 points a chart: enough to read a trend, few enough to draw at once. */
export function autoBucket(rangeMs: number): keyof typeof BUCKETS {
  if (rangeMs <= 6 * 3_600_000) return '5m';
  if (rangeMs <= 15 * 3_600_000) return '15m';
  if (rangeMs <= 3 * 86_400_000) return '1h';
  if (rangeMs <= 14 * 86_400_000) return '6h';
  return '1d';
}

const MAX_POINTS = 5000;

type Bucket = {
  name: string;
  interval: string;
  ms: number;
  /** Day buckets: the zone whose midnights bound them (KILN_TIMEZONE); shorter buckets are whole UTC hours. */
  timezone?: string;
};
type Filters = {
  strategy?: string;
  trigger?: string;
  /** Where raw results start (retention_state.raw_runs_from): before it the daily rollups count. */
  rawFrom?: number;
  /** stats_version: bumped by a late save into settled buckets, which the memory is keyed by. */
  version?: string;
};

/** Buckets shorter than a day are aligned to whole hours (UTC) from this origin; days to midnights in the zone. */
const ORIGIN_MS = Date.UTC(2001, 0, 1);

/** The first instant of the day (in `timezone`) that holds `at`. */
export function startOfDay(at: number, timezone: string): number {
  const w = wallClock(at, timezone);
  const midnight = Date.UTC(w.year, w.month - 1, w.day);
  // The offset at midnight may differ from the one at `at` (a daylight-saving change that day).
  return midnight - offsetMinutes(midnight - w.offset * 60_000, timezone) * 60_000;
}

/** The start of the bucket that holds `t`. */
function alignDown(bucket: Bucket, t: number): number {
  if (bucket.timezone) return startOfDay(t, bucket.timezone);
  return ORIGIN_MS + Math.floor((t - ORIGIN_MS) / bucket.ms) * bucket.ms;
}

/** The start of the bucket after the one starting at `start` (days are 23 to 25 hours long). */
function nextBucket(bucket: Bucket, start: number): number {
  return bucket.timezone ? startOfDay(start + 26 * 3_600_000, bucket.timezone) : start + bucket.ms;
}

/** SQL: the start of the bucket of `column` (a timestamptz). */
function bucketSql(bucket: Bucket, column: SQL): SQL {
  if (bucket.timezone) return sql`date_trunc('day', ${column}, ${bucket.timezone})`;
  return sql`date_bin(${bucket.interval}::interval, ${column}, timestamptz '2001-01-01 00:00:00+00')`;
}
const settledByDatabase = new WeakMap<Database, LRUCache<string, StatsBucket[]>>();

/**
 * Per strategy and time bucket: runs, key-weighted success rate, keys by outcome, p50/p95 duration.
 * Day buckets are days in `timezone` (KILN_TIMEZONE, the days of the daily rollups), so a day's
 * figures are the same before and after its raw runs are pruned.
 * Aggregated in SQL over run_strategies (dry runs left out), which carries the run's trigger so
 * that the whole statistic reads one table through its finished_at index. Settled buckets are
 * aggregated once and kept in memory for 10 minutes, keyed by stats_version (bumped by a result
 * saved late into a settled bucket, so it shows at once): a 30-day chart then costs the query of
 * its two partial edge buckets, not of 30,000 rows.
 */
export async function getRunStats(database: Database, query: StatsQuery, now = new Date(), timezone = 'UTC'): Promise<Stats> {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 86_400_000);
  if (from >= to) throw new AppError('invalid_request', 'from: must be before to', { field: 'from' });
  const bucketName = !query.bucket || query.bucket === 'auto' ? autoBucket(to.getTime() - from.getTime()) : query.bucket;
  const bucket: Bucket = { name: bucketName, ...BUCKETS[bucketName]!, ...(bucketName === '1d' ? { timezone } : {}) };
  if ((to.getTime() - from.getTime()) / bucket.ms > MAX_POINTS) {
    throw new AppError('invalid_request', `bucket: ${bucketName} over this range gives more than ${MAX_POINTS} points; choose a larger bucket`, { field: 'bucket' });
  }
  const [state] = await database.rows<{ raw_runs_from: string | null; version: string | null }>(
    sql`select to_char(raw_runs_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as raw_runs_from,
               (select version::text from stats_version where id = 1) as version
        from retention_state where id = 1`,
  );
  const rawFrom = state?.raw_runs_from ? Date.parse(state.raw_runs_from) : undefined;
  const filters: Filters = { strategy: query.strategy, trigger: query.trigger, rawFrom, version: state?.version ?? '0' };
  // [from, firstFull): a partial first bucket; [firstFull, settledEnd): whole settled buckets;
  // [settledEnd, to): the recent (and partial last) buckets, always read fresh.
  const fromStart = alignDown(bucket, from.getTime());
  const firstFull = Math.min(fromStart === from.getTime() ? fromStart : nextBucket(bucket, fromStart), to.getTime());
  const settledEnd = Math.max(firstFull, Math.min(alignDown(bucket, to.getTime()), alignDown(bucket, now.getTime() - SETTLED_MS)));
  const [settled, fresh, rolledUp] = await Promise.all([
    settledBuckets(database, bucket, filters, firstFull, settledEnd),
    aggregate(database, bucket, filters, [
      [from.getTime(), firstFull],
      [settledEnd, to.getTime()],
    ]),
    rawFrom !== undefined && from.getTime() < rawFrom ? rollupBuckets(database, bucket, filters, from.getTime(), Math.min(to.getTime(), rawFrom)) : [],
  ]);
  const buckets = mergeBuckets([...settled, ...fresh], rolledUp).sort((x, y) => x.bucketStart.localeCompare(y.bucketStart) || x.strategy.localeCompare(y.strategy));
  return { from: from.toISOString(), to: to.toISOString(), bucket: bucketName, buckets };
}

async function settledBuckets(database: Database, bucket: Bucket, filters: Filters, start: number, end: number): Promise<StatsBucket[]> {
  if (start >= end) return [];
  let cache = settledByDatabase.get(database);
  if (!cache) settledByDatabase.set(database, (cache = new LRUCache<string, StatsBucket[]>({ max: 20_000, ttl: SETTLED_MS })));
  const keyOf = (t: number) => `${bucket.name}|${bucket.timezone ?? ''}|${filters.strategy ?? ''}|${filters.trigger ?? ''}|${filters.rawFrom ?? ''}|${filters.version}|${t}`;
  const starts: number[] = [];
  for (let t = start; t < end; t = nextBucket(bucket, t)) starts.push(t);
  const missing = starts.filter((t) => !cache.has(keyOf(t)));
  if (missing.length > 0) {
    const rows = await aggregate(database, bucket, filters, [[missing[0]!, nextBucket(bucket, missing.at(-1)!)]]);
    const byStart = new Map<number, StatsBucket[]>(missing.map((t) => [t, []]));
    for (const row of rows) byStart.get(Date.parse(row.bucketStart))?.push(row);
    for (const [t, list] of byStart) cache.set(keyOf(t), list);
  }
  return starts.flatMap((t) => cache.get(keyOf(t)) ?? []);
}

/** The SQL aggregation over the given half-open time ranges (empty ones are left out). */
async function aggregate(database: Database, bucket: Bucket, filters: Filters, ranges: [number, number][]): Promise<StatsBucket[]> {
  const spans = ranges.filter(([a, b]) => a < b);
  if (spans.length === 0) return [];
  const where: SQL[] = [
    sql`(${sql.join(
      spans.map(([a, b]) => sql`(finished_at >= ${new Date(a).toISOString()}::timestamptz and finished_at < ${new Date(b).toISOString()}::timestamptz)`),
      sql` or `,
    )})`,
    sql`not dry_run`,
  ];
  // Before where raw results start, the rollups count (a raw row left there, of a run still
  // running when its day was rolled up, is already in them).
  if (filters.rawFrom !== undefined) where.push(sql`finished_at >= ${new Date(filters.rawFrom).toISOString()}::timestamptz`);
  if (filters.strategy) where.push(sql`strategy = ${filters.strategy}`);
  if (filters.trigger) where.push(sql`trigger = ${filters.trigger}`);
  // Grouped by the bucket's timestamp and formatted only once per output row: formatting 30,000
  // rows before grouping them cost three quarters of the query.
  return database.rows<StatsBucket>(sql`
    select strategy, to_char(bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "bucketStart",
           runs, "successRate", total, warmed, skipped, failed, "p50DurationMs", "p95DurationMs"
    from (
      select strategy,
             ${bucketSql(bucket, sql`finished_at`)} as bucket,
             count(*)::int as runs,
             ${successRateSql(sql`sum(warmed)`, sql`sum(failed)`)} as "successRate",
             sum(total)::float8 as total, sum(warmed)::float8 as warmed, sum(skipped)::float8 as skipped, sum(failed)::float8 as failed,
             percentile_cont(0.5) within group (order by duration_ms) as "p50DurationMs",
             percentile_cont(0.95) within group (order by duration_ms) as "p95DurationMs"
      from run_strategies
      where ${sql.join(where, sql` and `)}
      group by 1, 2
    ) grouped
    order by bucket, strategy`);
}

/**
 * The daily rollups (server/retention/rollups.ts) of the days starting in [start, end), in the
 * requested buckets: the same counts the raw rows gave, so the same success rates. A day counts
 * in the bucket its first instant falls in; its percentiles are the day's own (the p50 of several
 * days or triggers is their runs-weighted mean, the p95 their largest).
 */
async function rollupBuckets(database: Database, bucket: Bucket, filters: Filters, start: number, end: number): Promise<StatsBucket[]> {
  if (start >= end) return [];
  const where: SQL[] = [sql`day_start >= ${new Date(start).toISOString()}::timestamptz`, sql`day_start < ${new Date(end).toISOString()}::timestamptz`];
  if (filters.strategy) where.push(sql`strategy = ${filters.strategy}`);
  if (filters.trigger) where.push(sql`trigger = ${filters.trigger}`);
  const rows = await database.rows<StatsBucket>(sql`
    select strategy, to_char(bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "bucketStart",
           runs, "successRate", total, warmed, skipped, failed, "p50DurationMs", "p95DurationMs"
    from (
      select strategy,
             ${bucketSql(bucket, sql`day_start`)} as bucket,
             sum(runs)::int as runs,
             ${successRateSql(sql`sum(warmed)`, sql`sum(failed)`)} as "successRate",
             sum(total)::float8 as total, sum(warmed)::float8 as warmed, sum(skipped)::float8 as skipped, sum(failed)::float8 as failed,
             (sum(p50_duration_ms::float8 * runs) / nullif(sum(runs), 0))::float8 as "p50DurationMs",
             max(p95_duration_ms)::float8 as "p95DurationMs"
      from run_daily_rollups
      where ${sql.join(where, sql` and `)}
      group by 1, 2
    ) grouped
    order by bucket, strategy`);
  return rows.map((row) => ({ ...row, fromRollups: true }));
}

/** Raw and rolled-up figures of the same bucket and strategy (a bucket across where raw rows start) added up. */
function mergeBuckets(raw: StatsBucket[], rolledUp: StatsBucket[]): StatsBucket[] {
  if (rolledUp.length === 0) return raw;
  const byKey = new Map(raw.map((b) => [`${b.bucketStart}|${b.strategy}`, b]));
  for (const r of rolledUp) {
    const key = `${r.bucketStart}|${r.strategy}`;
    const b = byKey.get(key);
    if (!b) {
      byKey.set(key, r);
      continue;
    }
    const warmed = b.warmed + r.warmed;
    const failed = b.failed + r.failed;
    byKey.set(key, {
      ...b,
      runs: b.runs + r.runs,
      total: b.total + r.total,
      warmed,
      failed,
      skipped: b.skipped + r.skipped,
      successRate: successRate({ warmed, failed }),
      p50DurationMs: (b.p50DurationMs * b.runs + r.p50DurationMs * r.runs) / (b.runs + r.runs),
      p95DurationMs: Math.max(b.p95DurationMs, r.p95DurationMs),
      fromRollups: true,
    });
  }
  return [...byKey.values()];
}

const RECENT_MS = 5000;
const recent = new RecentAnswers<Stats>(RECENT_MS);

/**
 * getRunStats for the API: an answer up to 5 s old is reused (dashboards poll the same ranges). A
 * range without `to` ends at "now" rounded up to 5 s, so such polls share answers too.
 */
export function getRunStatsRecent(database: Database, query: StatsQuery, timezone: string, now = new Date()): Promise<Stats> {
  // Up, not down: a run that ended a moment ago is inside the range.
  const roundedNow = new Date(Math.ceil(now.getTime() / RECENT_MS) * RECENT_MS);
  const key = JSON.stringify([query.from ?? null, query.to ?? roundedNow.toISOString(), query.bucket ?? 'auto', query.strategy ?? null, query.trigger ?? null]);
  return recent.get(database, key, () => getRunStats(database, query, roundedNow, timezone));
}
