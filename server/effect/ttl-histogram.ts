import 'server-only';
import { TTL_BUCKETS, type TtlBucket } from '@/lib/api/effect';

/** Upper bounds (share of the TTL left) of the finite buckets, in TTL_BUCKETS order. */
const SHARE_BOUNDS: [number, TtlBucket][] = [
  [0.1, '0-10%'],
  [0.25, '10-25%'],
  [0.5, '25-50%'],
  [0.75, '50-75%'],
  [1, '75-100%'],
];

export function emptyHistogram(): Record<TtlBucket, number> {
  return Object.fromEntries(TTL_BUCKETS.map((b) => [b, 0])) as Record<TtlBucket, number>;
}

/**
 * How many of the sampled keys hold a warmed value, and their remaining TTLs (as the cache's
 * ttlMsMany gives them: null missing, Infinity no expiry) by share of the strategy's TTL in force:
 * a key just warmed is in `75-100%`; one the engine's only-missing mode would warm again is at 50%
 * or less. Keys without expiry are in `no_expiry` and not present.
 */
export function ttlHistogram(ttls: readonly (number | null)[], ttlSeconds: number): { present: number; histogram: Record<TtlBucket, number> } {
  const histogram = emptyHistogram();
  let present = 0;
  const full = ttlSeconds * 1000;
  for (const ttl of ttls) {
    if (ttl === null) continue;
    if (ttl === Infinity) {
      // Kiln writes every key with a TTL: one without is not its value (another application's,
      // or a key of another type in the way), so it is counted apart, not as covered.
      histogram.no_expiry++;
      continue;
    }
    present++;
    const share = ttl / full;
    const bucket = SHARE_BOUNDS.find(([bound]) => share <= bound)?.[1] ?? 'over_ttl';
    histogram[bucket]++;
  }
  return { present, histogram };
}
