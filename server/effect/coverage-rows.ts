import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { type CoverageSample, TTL_BUCKETS, type TtlBucket } from '@/lib/api/effect';
import { isoTimestamp } from '../db/sql-fragments';

/** A sample as stored: the API's fields it holds as they are, the histogram as a map. */
export type CoverageRow = Pick<CoverageSample, 'id' | 'strategy' | 'runId' | 'sampledAt' | 'warmSetSize' | 'sampled' | 'present' | 'evictedKeys'> & {
  ttlHistogram: Partial<Record<TtlBucket, number>>;
  previousEvicted: number | null;
};

/**
 * The columns of a sample aliased `s`, with the eviction counter of the same strategy's previous
 * sample (one probe of the (strategy, sampled_at) index per row).
 */
export const SAMPLE_COLUMNS: SQL = sql`
  s.id::float8 as id, s.strategy, s.run_id::text as "runId", ${isoTimestamp('s.sampled_at')} as "sampledAt",
  s.warm_set_size as "warmSetSize", s.sampled, s.present, s.ttl_histogram as "ttlHistogram",
  s.evicted_keys::float8 as "evictedKeys",
  (select p.evicted_keys::float8 from coverage_samples p
   where p.strategy = s.strategy and (p.sampled_at, p.id) < (s.sampled_at, s.id)
   order by p.sampled_at desc, p.id desc limit 1) as "previousEvicted"`;

/** A stored sample as the API shows it: shares, margin, ordered histogram, eviction warning. */
export function toCoverageSample(row: CoverageRow): CoverageSample {
  const { previousEvicted, ...rest } = row;
  let evictionsSincePrevious: number | null = null;
  if (row.evictedKeys !== null && previousEvicted !== null) {
    // A lower counter means the cache restarted: everything it counts happened since.
    evictionsSincePrevious = row.evictedKeys >= previousEvicted ? row.evictedKeys - previousEvicted : row.evictedKeys;
  }
  return {
    ...rest,
    coverage: row.sampled > 0 ? row.present / row.sampled : null,
    marginOfError: marginOfError(row.sampled, row.warmSetSize),
    ttlHistogram: TTL_BUCKETS.map((bucket) => ({ bucket, keys: row.ttlHistogram[bucket] ?? 0 })),
    evictionsSincePrevious,
    evictionWarning: (evictionsSincePrevious ?? 0) > 0,
  };
}

/**
 * Half-width of the 95% interval of a share measured on `n` of `size` keys, taken at its widest
 * (a share of one half) so it holds whatever the share, with the finite-population correction:
 * 0 when every key was checked.
 */
export function marginOfError(n: number, size: number): number | null {
  if (n <= 0) return null;
  if (n >= size) return 0;
  const correction = size > 1 ? (size - n) / (size - 1) : 0;
  return 1.96 * Math.sqrt((0.25 / n) * correction);
}
