// What the warmup achieved: shop read hits and misses per key family, and cache coverage samples.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
