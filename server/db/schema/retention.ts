// Retention: how long each table keeps its rows, what the last prune did, and the daily rollups
// that keep the history charts drawing once raw runs are pruned.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * An operator's retention for one policy (server/retention/policies.ts lists them and their
 * defaults); a policy without a row keeps its default.
 */
export const retentionPolicies = pgTable(
  'retention_policies',
  {
    policy: text('policy').primaryKey(),
    days: integer('days').notNull(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull().default('system'),
  },
  (t) => [check('retention_policies_days_range', sql`${t.days} between 1 and 36500`)],
);

/** One row: the last prune, and where raw run statistics end (older days read the rollups). */
export const retentionState = pgTable(
  'retention_state',
  {
    id: smallint('id').primaryKey().default(1),
    /**
     * Raw run statistics (run_strategies) finished before this instant may be gone: the stats read
     * run_daily_rollups for the days before it. Always a day boundary in KILN_TIMEZONE.
     */
    rawRunsFrom: tz('raw_runs_from'),
    lastStartedAt: tz('last_started_at'),
    lastFinishedAt: tz('last_finished_at'),
    lastDurationMs: integer('last_duration_ms'),
    /** policy -> rows removed by the last prune. */
    lastRemoved: jsonb('last_removed').$type<Record<string, number>>().notNull().default({}),
    lastRolledUpDays: integer('last_rolled_up_days').notNull().default(0),
    lastError: text('last_error'),
    lastBy: text('last_by'),
  },
  (t) => [check('retention_state_single_row', sql`${t.id} = 1`)],
);

/**
 * One row, bumped when a run result is saved for a time the stats treat as settled (it finished
 * more than 10 minutes before it was saved: a save late by a database outage). Each process keeps
 * settled stats buckets in memory keyed by this version, so such a save shows at once, on every
 * replica. Its own row, not retention_state's: saves hold that one shared.
 */
export const statsVersion = pgTable(
  'stats_version',
  {
    id: smallint('id').primaryKey().default(1),
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    changedAt: tz('changed_at'),
  },
  (t) => [check('stats_version_single_row', sql`${t.id} = 1`)],
);

/**
 * Per strategy, trigger and day (in KILN_TIMEZONE): counts (never rates) of its run results, so
 * success rates, keys and durations are recomputed from them exactly as from the raw rows.
 */
export const runDailyRollups = pgTable(
  'run_daily_rollups',
  {
    day: date('day').notNull(),
    /** The day's first instant (midnight in the time zone it was rolled up in). */
    dayStart: tz('day_start').notNull(),
    strategy: text('strategy').notNull(),
    trigger: text('trigger').notNull(),
    runs: integer('runs').notNull(),
    succeeded: integer('succeeded').notNull().default(0),
    partial: integer('partial').notNull().default(0),
    failedRuns: integer('failed_runs').notNull().default(0),
    cancelled: integer('cancelled').notNull().default(0),
    skippedRuns: integer('skipped_runs').notNull().default(0),
    total: bigint('total', { mode: 'number' }).notNull().default(0),
    warmed: bigint('warmed', { mode: 'number' }).notNull().default(0),
    failed: bigint('failed', { mode: 'number' }).notNull().default(0),
    /** Keys skipped (still fresh, or no data: the run records do not tell the two apart). */
    skipped: bigint('skipped', { mode: 'number' }).notNull().default(0),
    durationSumMs: bigint('duration_sum_ms', { mode: 'number' }).notNull().default(0),
    durationMaxMs: integer('duration_max_ms').notNull().default(0),
    /** The day's median and 95th percentile duration (percentiles do not add up: kept as they were). */
    p50DurationMs: integer('p50_duration_ms').notNull().default(0),
    p95DurationMs: integer('p95_duration_ms').notNull().default(0),
    timezone: text('timezone').notNull(),
    rolledUpAt: tz('rolled_up_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.day, t.strategy, t.trigger] }), index('run_daily_rollups_start_idx').on(t.dayStart)],
);

export type RetentionStateRow = typeof retentionState.$inferSelect;
export type RunDailyRollup = typeof runDailyRollups.$inferSelect;
