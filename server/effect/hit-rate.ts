import 'server-only';
import { sql } from 'drizzle-orm';
import { type HitRate, type HitRateCounts, type HitRateQuery, READ_FAMILIES, type ReadFamily } from '@/lib/api/effect';
import type { Database } from '../db/client';
import { AppError } from '../errors';
import { READ_FAMILY_INFO } from '../reads/read-families';
import { getRunMarkers } from './run-markers';
import { timeRange } from './time-range';

type Bucket = HitRate['bucket'];

const BUCKET_MS: Record<Bucket, number> = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '1d': 86_400_000,
};
const MAX_POINTS = 3000;

/** About 60 to 150 points a chart. */
export function autoHitRateBucket(rangeMs: number): Bucket {
  const hour = 3_600_000;
  if (rangeMs <= 2 * hour) return '1m';
  if (rangeMs <= 12 * hour) return '5m';
  if (rangeMs <= 48 * hour) return '15m';
  if (rangeMs <= 7 * 24 * hour) return '1h';
  if (rangeMs <= 30 * 24 * hour) return '6h';
  return '1d';
}

/** Hit rate, database queries and queries avoided from raw counts. */
export function hitRateCounts(hits: number, misses: number, dbQueries: number, queriesPerMiss: number): HitRateCounts {
  const reads = hits + misses;
  const dbQueriesAvoided = hits * queriesPerMiss;
  return {
    hits,
    misses,
    reads,
    hitRate: reads > 0 ? hits / reads : null,
    dbQueries,
    dbQueriesAvoided,
    dbLoadSaved: dbQueries + dbQueriesAvoided > 0 ? dbQueriesAvoided / (dbQueries + dbQueriesAvoided) : null,
  };
}

/**
 * Shop reads per key family and time bucket over [from, to), from the per-minute `cache_reads`
 * rows every process adds to, summed in SQL; every series carries every bucket (no reads: zeros
 * and a null hit rate), so lines and bars of all families share one x axis. "Database queries
 * avoided" = hits x the queries a miss of that family costs. Buckets start at whole multiples of
 * their size since the epoch (whole hours, days in UTC), which is where the minute rows fall too.
 */
export async function getHitRate(database: Database, query: HitRateQuery, now = new Date()): Promise<HitRate> {
  const { from, to } = timeRange(query, now);
  const bucket = !query.bucket || query.bucket === 'auto' ? autoHitRateBucket(to.getTime() - from.getTime()) : query.bucket;
  const bucketMs = BUCKET_MS[bucket];
  const first = Math.floor(from.getTime() / bucketMs) * bucketMs;
  const points = Math.ceil((to.getTime() - first) / bucketMs);
  if (points > MAX_POINTS) {
    throw new AppError('invalid_request', `bucket: ${bucket} over this range gives ${points} points, more than ${MAX_POINTS}; choose a larger bucket`, { field: 'bucket' });
  }
  const families: ReadFamily[] = query.family ? [query.family] : [...READ_FAMILIES];
  const seconds = bucketMs / 1000;

  const [rows, markers] = await Promise.all([
    database.rows<{ bucketMs: number; family: ReadFamily; hits: number; misses: number; dbQueries: number }>(sql`
      select (floor(extract(epoch from bucket_start) / ${seconds}::int) * ${seconds}::int * 1000)::float8 as "bucketMs",
             family, sum(hits)::float8 as hits, sum(misses)::float8 as misses, sum(db_queries)::float8 as "dbQueries"
      from cache_reads
      where bucket_start >= ${new Date(first).toISOString()}::timestamptz and bucket_start < ${to.toISOString()}::timestamptz
        ${query.family ? sql`and family = ${query.family}` : sql``}
      group by 1, 2`),
    getRunMarkers(database, from, to),
  ]);

  const starts = Array.from({ length: points }, (_, i) => first + i * bucketMs);
  const byKey = new Map(rows.map((r) => [`${r.family}|${r.bucketMs}`, r]));
  const series = families.map((family) => {
    const perMiss = READ_FAMILY_INFO[family].queriesPerMiss;
    return {
      family,
      points: starts.map((start) => {
        const r = byKey.get(`${family}|${start}`);
        return { bucketStart: new Date(start).toISOString(), ...hitRateCounts(r?.hits ?? 0, r?.misses ?? 0, r?.dbQueries ?? 0, perMiss) };
      }),
    };
  });
  const all = {
    family: 'all' as const,
    points: starts.map((start, i) => ({ bucketStart: new Date(start).toISOString(), ...sumCounts(series.map((s) => s.points[i]!)) })),
  };
  const totals = [...series, all].map((s) => ({ family: s.family, ...sumCounts(s.points) }));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    families: families.map((f) => READ_FAMILY_INFO[f]),
    series: [...series, all],
    totals,
    runs: markers.runs,
    runsTruncated: markers.truncated,
  };
}

/** Sums counts (queries avoided already weighted by each family's cost per miss). */
function sumCounts(parts: HitRateCounts[]): HitRateCounts {
  let hits = 0;
  let misses = 0;
  let dbQueries = 0;
  let avoided = 0;
  for (const p of parts) {
    hits += p.hits;
    misses += p.misses;
    dbQueries += p.dbQueries;
    avoided += p.dbQueriesAvoided;
  }
  const counts = hitRateCounts(hits, misses, dbQueries, 0);
  return { ...counts, dbQueriesAvoided: avoided, dbLoadSaved: dbQueries + avoided > 0 ? avoided / (dbQueries + avoided) : null };
}
