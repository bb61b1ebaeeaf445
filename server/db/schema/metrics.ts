// What the warmup achieved: shop read hits and misses per key family, and cache coverage samples.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/** Shop reads per key family and minute; processes add their counts to the row of the minute. */
export const cacheReads = pgTable(
  'cache_reads',
  {
    bucketStart: tz('bucket_start').notNull(),
    family: text('family').notNull(),
    hits: bigint('hits', { mode: 'number' }).notNull().default(0),
    misses: bigint('misses', { mode: 'number' }).notNull().default(0),
    dbQueries: bigint('db_queries', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucketStart, t.family] })],
);

/**
 * The flush batches already added to `cache_reads`, by the id a process gave each batch: a flush
 * retried after its reply was lost finds its id here and adds nothing again. Kept a day.
 */
export const cacheReadFlushes = pgTable(
  'cache_read_flushes',
  {
    id: uuid('id').primaryKey(),
    flushedAt: tz('flushed_at').notNull().defaultNow(),
  },
  (t) => [index('cache_read_flushes_flushed_at_idx').on(t.flushedAt)],
);

/** A sample of one strategy's warm set: how much of it is still in the cache, and for how long. */
export const coverageSamples = pgTable(
  'coverage_samples',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    strategy: text('strategy').notNull(),
    runId: uuid('run_id'),
    sampledAt: tz('sampled_at').notNull().defaultNow(),
    warmSetSize: integer('warm_set_size').notNull(),
    sampled: integer('sampled').notNull(),
    present: integer('present').notNull(),
    /** Remaining-TTL histogram: bucket label -> keys. */
    ttlHistogram: jsonb('ttl_histogram').$type<Record<string, number>>().notNull(),
    evictedKeys: bigint('evicted_keys', { mode: 'number' }),
  },
  (t) => [
    index('coverage_samples_strategy_idx').on(t.strategy, t.sampledAt.desc()),
    // The samples taken right after a run, for its detail page.
    index('coverage_samples_run_idx').on(t.runId).where(sql`${t.runId} is not null`),
  ],
);

// Issue 18: what a run's warming did for a shop that reads Redis itself.

/**
 * The keys a run warmed per strategy, with when each batch was written: the warm set its used/unread
 * samples and its diff come from. Exact up to WARM_SET_BOUND keys per strategy and run; beyond, the keys
 * whose hash falls under `run_warm_sets.keep_rate` (the same keys in every run, so two runs compare).
 * Kept for the last two runs of each strategy.
 */
export const warmKeys = pgTable(
  'warm_keys',
  {
    runId: uuid('run_id').notNull(),
    strategy: text('strategy').notNull(),
    key: text('key').notNull(),
    writtenAt: tz('written_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.strategy, t.key] }), index('warm_keys_key_idx').on(t.key, t.writtenAt.desc())],
);

/** One run's warm set of one strategy: how it was kept, and the fixed sample its used/unread checks read. */
export const runWarmSets = pgTable(
  'run_warm_sets',
  {
    runId: uuid('run_id').notNull(),
    strategy: text('strategy').notNull(),
    /** 1: every warmed key is in warm_keys; below 1: the keys whose hash fraction is under it. */
    keepRate: doublePrecision('keep_rate').notNull().default(1),
    kept: integer('kept').notNull().default(0),
    /** More keys than the bound arrived at a keep rate of 1: the rest were not kept (a lower bound). */
    truncated: boolean('truncated').notNull().default(false),
    /** The keys the checks look at (a uniform pick of the kept ones), with their write time (epoch ms). */
    sample: jsonb('sample').$type<{ key: string; writtenAt: number }[]>(),
    ttlSeconds: integer('ttl_seconds'),
    finishedAt: tz('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.strategy] })],
);

/** One used/unread/gone check of a run's warm-set sample at one checkpoint after the run. */
export const effectSamples = pgTable(
  'effect_samples',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    runId: uuid('run_id').notNull(),
    strategy: text('strategy').notNull(),
    /** end, 10m, 1h, half_ttl. */
    checkpoint: text('checkpoint').notNull(),
    sampledAt: tz('sampled_at').notNull().defaultNow(),
    /** maxmemory-policy at the check; `method` says how a read shows: idletime, freq or none. */
    policy: text('policy').notNull(),
    method: text('method').notNull(),
    sampled: integer('sampled').notNull(),
    used: integer('used').notNull(),
    unread: integer('unread').notNull(),
    gone: integer('gone').notNull(),
    /** Keys whose read cannot be told (re-warmed since, an LFU counter decayed to 0, too soon after the write). */
    unknown: integer('unknown').notNull(),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('effect_samples_checkpoint_idx').on(t.runId, t.strategy, t.checkpoint),
    index('effect_samples_strategy_idx').on(t.strategy, t.sampledAt.desc()),
  ],
);

/** Redis's keyspace counters (INFO stats), sampled every KEYSPACE_SAMPLE_SECONDS by one process. */
export const keyspaceSamples = pgTable('keyspace_samples', {
  sampledAt: tz('sampled_at').primaryKey(),
  hits: bigint('hits', { mode: 'number' }).notNull(),
  misses: bigint('misses', { mode: 'number' }).notNull(),
  expiredKeys: bigint('expired_keys', { mode: 'number' }).notNull(),
  evictedKeys: bigint('evicted_keys', { mode: 'number' }).notNull(),
  /** The youngest node's uptime: a smaller one than the previous sample's means the counters restarted. */
  uptimeSeconds: bigint('uptime_seconds', { mode: 'number' }).notNull(),
});

export type EffectSampleRow = typeof effectSamples.$inferSelect;
