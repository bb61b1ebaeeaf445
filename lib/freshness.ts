/**
 * The commit-to-cache delay of re-warming on change, kept as a histogram so that minutes and
 * replicas add up: counts per bucket, with these upper bounds in milliseconds (the last bucket is
 * everything above the last bound). Shared by the server (recording, percentiles) and the browser.
 */
export const DELAY_BOUNDS_MS = [10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000, 60_000] as const;

/** The histogram's length: one bucket per bound and one for everything above. */
export const DELAY_BUCKETS = DELAY_BOUNDS_MS.length + 1;

/** The bucket a delay falls in. */
export function delayBucket(ms: number): number {
  const at = DELAY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return at === -1 ? DELAY_BOUNDS_MS.length : at;
}

/** Adds histograms bucket by bucket (missing buckets count 0). */
export function addHistograms(a: readonly number[], b: readonly number[]): number[] {
  return Array.from({ length: DELAY_BUCKETS }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

/**
 * The delay under which a share `q` (0-1) of the re-warms fell, from a histogram: linear within
 * the bucket it lands in (from the previous bound, 0 for the first), capped at `maxMs` when known
 * (the last bucket has no upper bound of its own). Null for an empty histogram.
 */
export function delayPercentile(histogram: readonly number[], q: number, maxMs?: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < DELAY_BUCKETS; i++) {
    const count = histogram[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const low = i === 0 ? 0 : DELAY_BOUNDS_MS[i - 1]!;
      const high = i < DELAY_BOUNDS_MS.length ? DELAY_BOUNDS_MS[i]! : Math.max(maxMs ?? low, low);
      const value = low + ((high - low) * (rank - seen)) / count;
      return Math.round(maxMs !== undefined ? Math.min(value, maxMs) : value);
    }
    seen += count;
  }
  return maxMs ?? null;
}
