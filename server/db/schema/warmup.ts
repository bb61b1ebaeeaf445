// Kiln's own tables: settings, strategy overrides, schedules, runs and their records, audit.
// Postgres is the source of truth for all of it; processes keep nothing an operator set in memory only.
// (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  bigint,
} from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true });

/** Which strategies a run or schedule covers. Exactly one of the three shapes. */
export type Scope = { all: true } | { strategies: string[] } | { tags: string[] };

export const runTrigger = pgEnum('run_trigger', ['startup', 'schedule', 'catch_up', 'manual', 'api', 'cli', 'retry']);
export const runStatus = pgEnum('run_status', ['running', 'succeeded', 'partial', 'failed', 'cancelled', 'abandoned']);
export const strategyOutcome = pgEnum('strategy_outcome', ['succeeded', 'partial', 'failed', 'cancelled', 'skipped']);
export const misfirePolicy = pgEnum('misfire_policy', ['skip', 'run_once']);
export const fireOutcome = pgEnum('fire_outcome', ['started', 'skipped_overlap', 'skipped_busy', 'missed', 'error']);

/** One row (id = 1) of global settings, typed so Postgres itself refuses an out-of-range value. */
export const settings = pgTable(
  'settings',
  {
    id: smallint('id').primaryKey().default(1),
    maxConcurrency: integer('max_concurrency').notNull().default(20),
    defaultTtlSeconds: integer('default_ttl_seconds').notNull().default(3600),
    batchSize: integer('batch_size').notNull().default(500),
    keyTimeoutMs: integer('key_timeout_ms').notNull().default(5000),
    alertSuccessRate: doublePrecision('alert_success_rate').notNull().default(0.95),
    /** A run still going after this long is stopped and fails: a frozen dependency cannot hold it forever. */
    runTimeoutSeconds: integer('run_timeout_seconds').notNull().default(3600),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull().default('system'),
  },
  (t) => [
    check('settings_single_row', sql`${t.id} = 1`),
    check('settings_concurrency_range', sql`${t.maxConcurrency} between 1 and 256`),
    check('settings_ttl_range', sql`${t.defaultTtlSeconds} between 1 and 2592000`),
    check('settings_batch_range', sql`${t.batchSize} between 1 and 10000`),
    check('settings_timeout_range', sql`${t.keyTimeoutMs} between 10 and 600000`),
    check('settings_alert_range', sql`${t.alertSuccessRate} between 0 and 1`),
    check('settings_run_timeout_range', sql`${t.runTimeoutSeconds} between 10 and 86400`),
  ],
);

/** Operator overrides of a strategy's defaults; a null column means "use the strategy's default". */
export const strategySettings = pgTable(
  'strategy_settings',
  {
    strategy: text('strategy').primaryKey(),
    priority: integer('priority'),
    ttlSeconds: integer('ttl_seconds'),
    enabled: boolean('enabled'),
    /** Re-warm its keys when the rows they come from change (server/freshness); null: on. */
    rewarmOnChange: boolean('rewarm_on_change'),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull().default('system'),
  },
  (t) => [
    check('strategy_settings_priority_range', sql`${t.priority} between 0 and 1000`),
    check('strategy_settings_ttl_range', sql`${t.ttlSeconds} between 1 and 2592000`),
  ],
);

export const schedules = pgTable(
  'schedules',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    name: text('name').notNull().unique(),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    scope: jsonb('scope').$type<Scope>().notNull(),
    concurrency: integer('concurrency'),
    onlyMissing: boolean('only_missing').notNull().default(false),
    enabled: boolean('enabled').notNull().default(true),
    misfirePolicy: misfirePolicy('misfire_policy').notNull().default('run_once'),
    misfireGraceSeconds: integer('misfire_grace_seconds').notNull().default(600),
    createdAt: tz('created_at').notNull().defaultNow(),
    createdBy: text('created_by').notNull().default('system'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull().default('system'),
  },
  (t) => [
    check('schedules_concurrency_range', sql`${t.concurrency} between 1 and 256`),
    check('schedules_grace_range', sql`${t.misfireGraceSeconds} between 0 and 86400`),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trigger: runTrigger('trigger').notNull(),
    triggeredBy: text('triggered_by').notNull(),
    scheduleId: integer('schedule_id').references(() => schedules.id, { onDelete: 'set null' }),
    retryOf: uuid('retry_of'),
    scope: jsonb('scope').$type<Scope>().notNull(),
    /** The strategies the run covers, in the order it runs them. */
    strategies: text('strategies').array().notNull(),
    /** For retries: the only keys to warm, per strategy. */
    keyFilter: jsonb('key_filter').$type<Record<string, string[]>>(),
    onlyMissing: boolean('only_missing').notNull().default(false),
    dryRun: boolean('dry_run').notNull().default(false),
    /** The run's current limit on loads in flight; retuning updates it while the run goes. */
    concurrency: integer('concurrency').notNull(),
    status: runStatus('status').notNull().default('running'),
    owner: text('owner').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    heartbeatAt: tz('heartbeat_at').notNull().defaultNow(),
    cancelRequestedAt: tz('cancel_requested_at'),
    cancelRequestedBy: text('cancel_requested_by'),
    progress: jsonb('progress').$type<Record<string, unknown>>(),
    total: bigint('total', { mode: 'number' }).notNull().default(0),
    warmed: bigint('warmed', { mode: 'number' }).notNull().default(0),
    skipped: bigint('skipped', { mode: 'number' }).notNull().default(0),
    failed: bigint('failed', { mode: 'number' }).notNull().default(0),
    durationMs: integer('duration_ms'),
    error: text('error'),
    /** Dry runs: what a real run of the same scope would take (keys, duration, cache memory). */
    estimate: jsonb('estimate').$type<Record<string, unknown>>(),
  },
  (t) => [
    // Newest first, as the runs list pages (order by created_at desc nulls last, id desc nulls last).
    index('runs_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('runs_running_idx').on(t.heartbeatAt).where(sql`${t.status} = 'running'`),
    index('runs_schedule_idx').on(t.scheduleId, t.createdAt.desc()),
    check('runs_concurrency_range', sql`${t.concurrency} between 1 and 256`),
  ],
);

export const runStrategies = pgTable(
  'run_strategies',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategy: text('strategy').notNull(),
    position: smallint('position').notNull(),
    outcome: strategyOutcome('outcome').notNull(),
    /** Copied from the run so history statistics read one table. */
    trigger: runTrigger('trigger').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    priority: integer('priority').notNull(),
    ttlSeconds: integer('ttl_seconds').notNull(),
    total: integer('total').notNull().default(0),
    warmed: integer('warmed').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** lib/success-rate.ts's rule; null when the strategy had nothing to warm. */
    successRate: doublePrecision('success_rate'),
    startedAt: tz('started_at').notNull(),
    finishedAt: tz('finished_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    firstErrors: jsonb('first_errors').$type<{ key: string; error: string }[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.strategy] }),
    index('run_strategies_strategy_finished_idx').on(t.strategy, t.finishedAt.desc()),
    index('run_strategies_finished_idx').on(t.finishedAt.desc()),
  ],
);

export const runFailures = pgTable(
  'run_failures',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategy: text('strategy').notNull(),
    key: text('key').notNull(),
    error: text('error').notNull(),
    at: tz('at').notNull().defaultNow(),
  },
  (t) => [index('run_failures_run_idx').on(t.runId, t.strategy)],
);

/**
 * A strategy is warmed by at most one run at a time, across processes. The lease is claimed with
 * the run's insert and renewed by its heartbeat, so a killed process's lease lapses on its own.
 */
export const strategyLeases = pgTable('strategy_leases', {
  strategy: text('strategy').primaryKey(),
  runId: uuid('run_id').notNull(),
  owner: text('owner').notNull(),
  acquiredAt: tz('acquired_at').notNull().defaultNow(),
  expiresAt: tz('expires_at').notNull(),
});

/** One row per (schedule, slot): the unique key is what makes a slot fire once across replicas. */
export const scheduleFires = pgTable(
  'schedule_fires',
  {
    scheduleId: integer('schedule_id')
      .notNull()
      .references(() => schedules.id, { onDelete: 'cascade' }),
    slotAt: tz('slot_at').notNull(),
    outcome: fireOutcome('outcome').notNull(),
    runId: uuid('run_id'),
    reason: text('reason'),
    claimedBy: text('claimed_by').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scheduleId, t.slotAt] }),
    index('schedule_fires_created_idx').on(t.createdAt.desc()),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: tz('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome').notNull().default('ok'),
    before: jsonb('before'),
    after: jsonb('after'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at.desc(), t.id.desc()),
    index('audit_log_actor_idx').on(t.actor, t.at.desc()),
    index('audit_log_action_idx').on(t.action, t.at.desc()),
  ],
);

export type Settings = typeof settings.$inferSelect;
export type StrategySettingsRow = typeof strategySettings.$inferSelect;
export type Schedule = typeof schedules.$inferSelect;
export type Run = typeof runs.$inferSelect;
export type RunStrategy = typeof runStrategies.$inferSelect;
export type RunFailure = typeof runFailures.$inferSelect;
export type ScheduleFire = typeof scheduleFires.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type RunTrigger = (typeof runTrigger.enumValues)[number];
export type RunStatus = (typeof runStatus.enumValues)[number];
