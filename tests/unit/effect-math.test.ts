import { describe, expect, it } from 'vitest';
import { marginOfError } from '@/server/effect/coverage-rows';
import { autoHitRateBucket, hitRateCounts } from '@/server/effect/hit-rate';
import { ttlHistogram } from '@/server/effect/ttl-histogram';

describe('the remaining-TTL histogram', () => {
  it('buckets present keys by the share of the TTL left, and counts missing ones and ones without expiry out', () => {
    const ttl = 1000; // seconds
    const { present, histogram } = ttlHistogram([null, 1_000_000, 999_000, 760_000, 750_000, 500_000, 100_000, 50_000, 1_200_000, Infinity, null], ttl);
    expect(present).toBe(8); // the Infinity one is no value of Kiln's: bucketed, not present
    expect(histogram).toEqual({ '0-10%': 2, '10-25%': 0, '25-50%': 1, '50-75%': 1, '75-100%': 3, over_ttl: 1, no_expiry: 1 });
  });
});

describe('the margin of a sampled coverage', () => {
  it('is zero when every key was checked and about 5.7 points for 300 of a million', () => {
    expect(marginOfError(27, 27)).toBe(0);
    expect(marginOfError(0, 10)).toBeNull();
    expect(marginOfError(300, 1_000_000)).toBeCloseTo(0.0566, 3);
    expect(marginOfError(300, 600)).toBeLessThan(marginOfError(300, 1_000_000)!);
  });
});

describe('hit-rate arithmetic', () => {
  it('derives the hit rate, the queries avoided and the share of the load saved from counts', () => {
    expect(hitRateCounts(90, 10, 10, 1)).toEqual({ hits: 90, misses: 10, reads: 100, hitRate: 0.9, dbQueries: 10, dbQueriesAvoided: 90, dbLoadSaved: 0.9 });
    expect(hitRateCounts(10, 10, 20, 2)).toMatchObject({ dbQueriesAvoided: 20, dbLoadSaved: 0.5 });
    expect(hitRateCounts(0, 0, 0, 1)).toMatchObject({ hitRate: null, dbLoadSaved: null });
  });

  it('picks a bucket giving a readable number of points', () => {
    const hour = 3_600_000;
    expect(autoHitRateBucket(hour)).toBe('1m');
    expect(autoHitRateBucket(6 * hour)).toBe('5m');
    expect(autoHitRateBucket(24 * hour)).toBe('15m');
    expect(autoHitRateBucket(7 * 24 * hour)).toBe('1h');
    expect(autoHitRateBucket(30 * 24 * hour)).toBe('6h');
    expect(autoHitRateBucket(90 * 24 * hour)).toBe('1d');
  });
});
