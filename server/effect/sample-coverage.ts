import 'server-only';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import { coverageSamples } from '../db/schema';
import type { Logger } from '../logger';
import type { ResolvedStrategy } from '../warmup/strategy';
import { sampleWarmSet } from './sample-warm-set';
import { ttlHistogram } from './ttl-histogram';

/** Keys checked per strategy: a 95% margin of at most ±5.7 points on a coverage share. */
export const COVERAGE_SAMPLE_SIZE = 300;
/** The most keys of a listing walked to pick them (a strategy with a bigger set brings its own sampler). */
export const COVERAGE_WALK_LIMIT = 20_000;
const SAMPLE_TIMEOUT_MS = 30_000;

/** `shopDatabase`: where the shop's data is read (SHOP_DATABASE_URL; default: `database`). */
export type CoverageDeps = { database: Database; shopDatabase?: Database; cache: Cache; logger?: Logger };

/**
 * Samples how much of each strategy's warm set is in the cache now, and for how long: a bounded
 * sample of its keys (sampleWarmSet), their remaining TTLs in one round trip (PTTL, which says
 * whether a key exists too), and the cache's eviction counter. Stores one coverage_samples row
 * per strategy and returns their ids. A strategy whose sampling fails is logged and left out; the
 * others are still sampled.
 */
export async function sampleCoverage(
  deps: CoverageDeps,
  strategies: readonly ResolvedStrategy[],
  options: { runId?: string | null; now?: Date } = {},
): Promise<number[]> {
  if (strategies.length === 0) return [];
  const health = await deps.cache.health().catch(() => null);
  const evicted = health?.details.evictedKeys;
  const evictedKeys = typeof evicted === 'number' ? evicted : null;
  const ids: number[] = [];
  for (const resolved of strategies) {
    try {
      const sampledAt = options.now ?? new Date();
      const sample = await sampleWarmSet(
        resolved,
        { database: deps.shopDatabase ?? deps.database, options: resolved.options, signal: AbortSignal.timeout(SAMPLE_TIMEOUT_MS), now: sampledAt, batchSize: 1000 },
        { size: COVERAGE_SAMPLE_SIZE, walkLimit: COVERAGE_WALK_LIMIT },
      );
      const ttls = await deps.cache.ttlMsMany(sample.keys);
      const { present, histogram } = ttlHistogram(ttls, resolved.ttlSeconds);
      const [row] = await deps.database.db
        .insert(coverageSamples)
        .values({
          strategy: resolved.name,
          runId: options.runId ?? null,
          sampledAt,
          warmSetSize: sample.warmSetSize,
          sampled: sample.keys.length,
          present,
          ttlHistogram: histogram,
          evictedKeys,
        })
        .returning({ id: coverageSamples.id });
      ids.push(row!.id);
    } catch (error) {
      deps.logger?.warn({ err: error, strategy: resolved.name }, `Sampling the cache coverage of ${resolved.name} failed`);
    }
  }
  return ids;
}
