import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { Stats, StatsBucket, StatsQuery } from '@/lib/api/runs';
import type { Database } from '../db/client';
import { AppError } from '../errors';

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

/**
 * Per strategy and time bucket: runs, key-weighted success rate, keys by outcome, p50/p95 duration.
 * Aggregated in SQL over run_strategies (dry runs left out), which carries the run's trigger so
 * that the whole statistic reads one table through its finished_at index.
 */
export async function getRunStats(database: Database, query: StatsQuery, now = new Date()): Promise<Stats> {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 86_400_000);
  if (from >= to) throw new AppError('invalid_request', 'from: must be before to', { field: 'from' });
  const bucketName = !query.bucket || query.bucket === 'auto' ? autoBucket(to.getTime() - from.getTime()) : query.bucket;
  const bucket = BUCKETS[bucketName]!;
  if ((to.getTime() - from.getTime()) / bucket.ms > MAX_POINTS) {
    throw new AppError('invalid_request', `bucket: ${bucketName} over this range gives more than ${MAX_POINTS} points; choose a larger bucket`, { field: 'bucket' });
  }
  const where: SQL[] = [
    sql`finished_at >= ${from.toISOString()}::timestamptz`,
    sql`finished_at < ${to.toISOString()}::timestamptz`,
    sql`not dry_run`,
  ];
  if (query.strategy) where.push(sql`strategy = ${query.strategy}`);
  if (query.trigger) where.push(sql`trigger = ${query.trigger}`);
  const buckets = await database.rows<StatsBucket>(sql`
    select strategy,
           to_char(date_bin(${bucket.interval}::interval, finished_at, timestamptz '2001-01-01 00:00:00+00') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "bucketStart",
           count(*)::int as runs,
           coalesce(sum(warmed)::float8 / nullif(sum(total), 0), 0) as "successRate",
           sum(total)::float8 as total, sum(warmed)::float8 as warmed, sum(skipped)::float8 as skipped, sum(failed)::float8 as failed,
           percentile_cont(0.5) within group (order by duration_ms) as "p50DurationMs",
           percentile_cont(0.95) within group (order by duration_ms) as "p95DurationMs"
    from run_strategies
    where ${sql.join(where, sql` and `)}
    group by 1, 2
    order by 2, 1`);
  return { from: from.toISOString(), to: to.toISOString(), bucket: bucketName, buckets };
}
