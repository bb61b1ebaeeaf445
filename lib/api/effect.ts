import { z } from 'zod';
import { strategyNameSchema as strategyName, isoDateSchema as isoDate } from './names';
import { RUN_STATUSES, RUN_TRIGGERS, startRunSchema } from './runs';

/**
 * Shapes of the "does the warmup help?" API, shared by the route handlers and the browser.
 *
 * Endpoints (all JSON; errors are {"error": {code, message, field?}}):
 * - GET  /api/effect/hit-rate?from&to&bucket&family   (viewer)  -> HitRate
 *     Shop reads per key family and time bucket, zero-filled so every series has the same x axis,
 *     plus the runs in the range as markers. Chart: one line per family (`series[].points[].hitRate`,
 *     null where there were no reads), bars of `dbQueries` vs `dbQueriesAvoided`, and a vertical
 *     marker per run at `runs[].startedAt` (its span until `finishedAt`).
 * - GET  /api/effect/coverage                          (viewer)  -> CoverageOverview
 *     Per strategy: its latest sample (periodic or after a run) and the latest one taken after a run.
 * - GET  /api/effect/coverage/history?strategy&from&to (viewer)  -> CoverageHistory
 *     Samples over time per strategy (`coverage` as a line, `ttlHistogram` as stacked bars) with run markers.
 * - POST /api/effect/coverage/sample {strategies?}     (operator) -> {samples: CoverageSample[]}
 *     Samples now instead of waiting for the next periodic sample (after flushing the cache, say).
 * - GET  /api/runs/{id}/coverage                       (viewer)  -> RunCoverage
 *     The samples taken right after that run ended: how much of each strategy's warm set it left in the cache.
 * - POST /api/runs/estimate {scope, concurrency?, onlyMissing?} (viewer) -> RunEstimate
 *     What POST /api/runs with the same body would do: keys, expected duration, cache memory.
 *     A dry run (POST /api/runs with dryRun: true) stores the same shape in GET /api/runs/{id} `run.estimate`.
 * - The shop's read path, public and rate-limited per client address (429 with Retry-After):
 *   GET /api/shop/products/{id}, /api/shop/categories (the tree), /api/shop/categories/{id},
 *   /api/shop/recommendations/{list}, /api/shop/sessions/{userId}. The body is the cached JSON value
 *   itself; the `x-kiln-cache: hit | miss` header says where it came from; 404 for nothing there.
 */

/** The shop's key families: each is read by the shop and warmed by one or more strategies. */
export const READ_FAMILIES = ['products', 'categories', 'recommendations', 'sessions'] as const;
export type ReadFamily = (typeof READ_FAMILIES)[number];


// ---- The shop's read path -------------------------------------------------------------------

const positiveId = (name: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: `expected a ${name} (a positive whole number)` })
    .transform(Number)
    .pipe(z.number().max(2147483647, { error: 'must be at most 2147483647' }));

export const shopIdParamsSchema = z.strictObject({ id: positiveId('id') });
export const shopSessionParamsSchema = z.strictObject({ userId: positiveId('user id') });
export const shopListParamsSchema = z.strictObject({
  list: z.string().regex(/^[a-z][a-z_]{0,39}$/, { error: 'expected a list name such as homepage' }),
});

/** The header each shop response carries: whether its value came from the cache. */
export const CACHE_HEADER = 'x-kiln-cache';

// ---- Hit rate -------------------------------------------------------------------------------

export const HIT_RATE_BUCKETS = ['auto', '1m', '5m', '15m', '1h', '6h', '1d'] as const;

export const hitRateQuerySchema = z.strictObject({
  /** Default: 24 hours before `to`. */
  from: isoDate.optional(),
  /** Default: now. */
  to: isoDate.optional(),
  /** auto: 1m up to 2 h, 5m up to 12 h, 15m up to 2 days, 1h up to 7 days, 6h up to 30 days, else 1d. */
  bucket: z.enum(HIT_RATE_BUCKETS).optional(),
  family: z.enum(READ_FAMILIES).optional(),
});
export type HitRateQuery = z.infer<typeof hitRateQuerySchema>;

/** A key family, the strategies that warm it, and what one miss costs the database. */
export type ReadFamilyInfo = {
  family: ReadFamily;
  /** The strategies that warm this family's keys. */
  strategies: string[];
  /** The shop's key formats of the family. */
  keyPatterns: string[];
  /** Database queries one miss costs (the context read the strategy uses too). */
  queriesPerMiss: number;
};

export type HitRateCounts = {
  hits: number;
  misses: number;
  /** hits + misses */
  reads: number;
  /** hits / reads; null when there were no reads. */
  hitRate: number | null;
  /** Queries the misses actually cost (measured, not estimated). */
  dbQueries: number;
  /** hits x queriesPerMiss: the queries the cache answered instead of the database. */
  dbQueriesAvoided: number;
  /** dbQueriesAvoided / (dbQueries + dbQueriesAvoided): the share of the database load saved; null without reads. */
  dbLoadSaved: number | null;
};

export type HitRatePoint = HitRateCounts & { bucketStart: string };

/** `family: 'all'` is the sum over the families. */
export type HitRateSeries = { family: ReadFamily | 'all'; points: HitRatePoint[] };
export type HitRateTotals = HitRateCounts & { family: ReadFamily | 'all' };

/** A run drawn on a time chart: a marker at `startedAt`, a span until `finishedAt` (null: still running). */
export type RunMarker = {
  id: string;
  trigger: (typeof RUN_TRIGGERS)[number];
  triggeredBy: string;
  strategies: string[];
  status: (typeof RUN_STATUSES)[number];
  startedAt: string;
  finishedAt: string | null;
};

export type HitRate = {
  from: string;
  to: string;
  bucket: Exclude<(typeof HIT_RATE_BUCKETS)[number], 'auto'>;
  families: ReadFamilyInfo[];
  /** One series per family asked for, then `all`; every series has the same buckets, oldest first. */
  series: HitRateSeries[];
  /** Over the whole range, per family and `all`. */
  totals: HitRateTotals[];
  /** Non-dry runs overlapping the range, oldest first (at most 500). */
  runs: RunMarker[];
  runsTruncated: boolean;
};

// ---- Coverage -------------------------------------------------------------------------------

/**
 * Remaining TTL of a sampled key that is present, as a share of the strategy's TTL in force when
 * sampled. `over_ttl`: longer than that TTL (written before the TTL was lowered); `no_expiry`: no TTL
 * at all, which Kiln never writes (another application's key, or one of another type in the way): such
 * keys are counted here but not as present.
 */
export const TTL_BUCKETS = ['0-10%', '10-25%', '25-50%', '50-75%', '75-100%', 'over_ttl', 'no_expiry'] as const;
export type TtlBucket = (typeof TTL_BUCKETS)[number];

export type CoverageSample = {
  id: number;
  strategy: string;
  /** The run this sample was taken right after; null for a periodic or on-demand sample. */
  runId: string | null;
  sampledAt: string;
  /** Keys the strategy would warm at the time of the sample. */
  warmSetSize: number;
  /** Keys checked (all of them for small sets; a uniform sample of a few hundred otherwise). */
  sampled: number;
  /** Sampled keys present in the cache. */
  present: number;
  /** present / sampled; null when nothing was sampled (an empty warm set). */
  coverage: number | null;
  /** Half-width of the 95% interval of `coverage` (0 when every key was checked). */
  marginOfError: number | null;
  /** Present keys per remaining-TTL bucket, in TTL_BUCKETS order (every bucket listed). */
  ttlHistogram: { bucket: TtlBucket; keys: number }[];
  /** The cache's eviction counter (Redis INFO evicted_keys) when sampled; null if unknown. */
  evictedKeys: number | null;
  /** Growth of that counter since the strategy's previous sample; null for the first one. */
  evictionsSincePrevious: number | null;
  /** The cache evicted keys since the previous sample: coverage may fall for want of memory. */
  evictionWarning: boolean;
};

export type StrategyCoverage = {
  strategy: string;
  enabled: boolean;
  ttlSeconds: number;
  /** The newest sample, periodic or after a run. */
  latest: CoverageSample | null;
  /** The newest sample taken right after a run. */
  latestAfterRun: CoverageSample | null;
};

export type CoverageOverview = {
  strategies: StrategyCoverage[];
  /** Some strategy's latest sample carries an eviction warning. */
  evictionWarning: boolean;
  /** How often the periodic sampler runs. */
  sampleIntervalMinutes: number;
};

export const coverageHistoryQuerySchema = z.strictObject({
  strategy: strategyName.optional(),
  /** Default: 24 hours before `to`. */
  from: isoDate.optional(),
  /** Default: now. */
  to: isoDate.optional(),
});
export type CoverageHistoryQuery = z.infer<typeof coverageHistoryQuerySchema>;

export type CoverageHistory = {
  from: string;
  to: string;
  /** Oldest first; at most 2000 samples per strategy (the newest). */
  series: { strategy: string; samples: CoverageSample[] }[];
  runs: RunMarker[];
  runsTruncated: boolean;
};

export const coverageSampleRequestSchema = z.strictObject({
  /** Default: every enabled strategy. */
  strategies: z.array(strategyName).min(1).max(50).optional(),
});

export type RunCoverage = { runId: string; samples: CoverageSample[] };

// ---- Estimate -------------------------------------------------------------------------------

/** The body of POST /api/runs: an estimate answers for exactly what that run would do. */
export const estimateRunSchema = startRunSchema;
export type EstimateRunRequest = z.infer<typeof estimateRunSchema>;

export type { RunEstimate, StrategyEstimate } from './estimate';
