import type { CoverageSample, StrategyCoverage, TtlBucket } from '@/lib/api/effect';
import { formatCount, formatRate, humanize } from './format';

/** "100.0%", or "62.0% ± 5.4 pts" when only a sample of the warm set was checked. */
export function formatCoverage(sample: Pick<CoverageSample, 'coverage' | 'marginOfError'>): string {
  if (sample.coverage === null) return '–';
  const margin = sample.marginOfError ?? 0;
  return margin > 0 ? `${formatRate(sample.coverage)} ± ${(margin * 100).toFixed(1)} pts` : formatRate(sample.coverage);
}

/** ok from 90% of the warm set in the cache, warn from half, bad below (a flush, evictions, expiry). */
export function coverageTone(coverage: number | null): 'ok' | 'warn' | 'bad' | 'muted' {
  if (coverage === null) return 'muted';
  if (coverage >= 0.9) return 'ok';
  return coverage >= 0.5 ? 'warn' : 'bad';
}

const TTL_LABELS: Record<TtlBucket, string> = {
  '0-10%': '0–10%',
  '10-25%': '10–25%',
  '25-50%': '25–50%',
  '50-75%': '50–75%',
  '75-100%': '75–100%',
  over_ttl: 'over TTL',
  no_expiry: 'no expiry',
};

/** A remaining-TTL bucket as an axis label: "0–10%", "over TTL", "no expiry". */
export function ttlBucketLabel(bucket: TtlBucket): string {
  return TTL_LABELS[bucket];
}

/** The histogram in words, for its accessible name: "75–100%: 100 keys, no expiry: 1 key". */
export function describeTtlHistogram(histogram: CoverageSample['ttlHistogram']): string {
  const parts = histogram.filter((b) => b.keys > 0).map((b) => `${ttlBucketLabel(b.bucket)}: ${formatCount(b.keys)} ${b.keys === 1 ? 'key' : 'keys'}`);
  return parts.length ? `Remaining TTL, as a share of the strategy’s TTL: ${parts.join(', ')}` : 'No sampled key is in the cache';
}

/** Where most present keys are: "mostly 75–100% left", "mostly no expiry"; empty when none is present. */
export function mostlyLeft(histogram: CoverageSample['ttlHistogram']): string {
  const top = histogram.reduce<CoverageSample['ttlHistogram'][number] | null>((best, b) => (b.keys > (best?.keys ?? 0) ? b : best), null);
  if (!top) return '';
  return top.bucket === 'over_ttl' || top.bucket === 'no_expiry' ? `mostly ${ttlBucketLabel(top.bucket)}` : `mostly ${ttlBucketLabel(top.bucket)} left`;
}

/** The strategies whose latest sample saw the cache evict keys, each with how many since its previous sample. */
export function evictionWarnings(strategies: readonly StrategyCoverage[]): { strategy: string; evicted: number | null }[] {
  return strategies.filter((s) => s.latest?.evictionWarning).map((s) => ({ strategy: s.strategy, evicted: s.latest!.evictionsSincePrevious }));
}

/**
 * The eviction warning in words. Redis counts evictions for the whole cache, not per strategy, so
 * the count is said once (the largest any strategy's sample saw) and the strategies are listed.
 */
export function describeEvictions(warnings: readonly { strategy: string; evicted: number | null }[]): string {
  const counts = warnings.map((w) => w.evicted).filter((n): n is number => n !== null);
  const names = warnings.map((w) => humanize(w.strategy));
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  const how = counts.length ? `${formatCount(Math.max(...counts))} ${Math.max(...counts) === 1 ? 'key' : 'keys'}` : 'keys';
  return `The cache evicted ${how} since the previous sample of ${list}: it is short of memory, and warmed keys leave it before their TTL ends. Raise its maxmemory, or warm less.`;
}
