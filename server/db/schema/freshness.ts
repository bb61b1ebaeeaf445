// Keeping the warm set fresh: what the change stream left to do, its state, and what it did.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { bigint, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The trigger fallback's change stream: one row per changed shop row, written by Kiln's triggers
 * (installed only when that mode runs) and deleted once its keys are re-warmed.
 */
export const changeLog = pgTable('change_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  tableName: text('table_name').notNull(),
  /** I, U or D. */
  op: text('op').notNull(),
  /** The columns the change rules need, as the row has them after the change (before it for a delete). */
  row: jsonb('row').$type<Record<string, unknown>>().notNull(),
  committedAt: tz('committed_at').notNull().default(sql`clock_timestamp()`),
});

/**
 * Keys whose re-warm waits (debounced rules: a sale moves the best-seller lists, reloaded at most
 * every few seconds): written before the change is confirmed, so a restart loses none.
 */
export const changePending = pgTable(
  'change_pending',
  {
    key: text('key').primaryKey(),
    strategies: text('strategies').array().notNull(),
    /** Of those, the ones whose warm set holds the key whether cached or not. */
    inWarmSetOf: text('in_warm_set_of').array().notNull(),
    dueAt: tz('due_at').notNull(),
    /** Commit time of the oldest change not re-warmed yet (the delay counts from it). */
    firstCommittedAt: tz('first_committed_at').notNull(),
  },
  (t) => [index('change_pending_due_idx').on(t.dueAt)],
);

/** One row: the change stream as its consumer last saw it, for the dashboard and every replica. */
export const changeStreamState = pgTable(
  'change_stream_state',
  {
    id: smallint('id').primaryKey().default(1),
    /** logical, triggers or off. */
    mode: text('mode').notNull(),
    /** starting, streaming, waiting (another replica consumes), failed, stopped, off. */
    state: text('state').notNull(),
    slot: text('slot'),
    holder: text('holder'),
    /** WAL the slot retains (logical), or change rows waiting (triggers). */
    lagBytes: bigint('lag_bytes', { mode: 'number' }),
    pendingChanges: bigint('pending_changes', { mode: 'number' }),
    changesPerSecond: doublePrecision('changes_per_second'),
    lastError: text('last_error'),
    /** The slot guard's last drop: when, and why. */
    droppedAt: tz('dropped_at'),
    dropReason: text('drop_reason'),
    warning: text('warning'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [check('change_stream_state_single_row', sql`${t.id} = 1`)],
);

/**
 * What re-warming on change did, per strategy and minute: counts, and the delay from the commit
 * to the cache write as a histogram (bounds in lib/freshness.ts), added to by every flush.
 */
export const freshnessStats = pgTable(
  'freshness_stats',
  {
    bucketStart: tz('bucket_start').notNull(),
    strategy: text('strategy').notNull(),
    changes: bigint('changes', { mode: 'number' }).notNull().default(0),
    rewarmed: bigint('rewarmed', { mode: 'number' }).notNull().default(0),
    deleted: bigint('deleted', { mode: 'number' }).notNull().default(0),
    skipped: bigint('skipped', { mode: 'number' }).notNull().default(0),
    failed: bigint('failed', { mode: 'number' }).notNull().default(0),
    delayBuckets: bigint('delay_buckets', { mode: 'number' }).array().notNull(),
    delayMaxMs: integer('delay_max_ms').notNull().default(0),
    lastError: jsonb('last_error').$type<{ key: string; error: string } | null>(),
  },
  (t) => [primaryKey({ columns: [t.bucketStart, t.strategy] })],
);

export type ChangeStreamStateRow = typeof changeStreamState.$inferSelect;
export type FreshnessStatsRow = typeof freshnessStats.$inferSelect;
export type ChangeLogRow = typeof changeLog.$inferSelect;
