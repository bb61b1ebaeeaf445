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
export const fireOutcome = pgEnum('fire_outcome', ['started', 'skipped_overlap', 'skipped_busy', 'missed', 'error', 'skipped_blackout']);
export const shardStatus = pgEnum('shard_status', ['queued', 'running', 'done', 'failed', 'cancelled']);
/** How a run's loads in flight are steered (server/warmup/governor.ts). */
export const governorProfile = pgEnum('governor_profile', ['fixed', 'gentle', 'max']);

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
    /** Work queued for this long with no live worker to take it fails its run (a run waits, visibly, until then). */
    workerWaitSeconds: integer('worker_wait_seconds').notNull().default(600),
    /** The global pause: no worker takes new work (queued shards wait) while it is on. */
    paused: boolean('paused').notNull().default(false),
    pausedAt: tz('paused_at'),
    pausedBy: text('paused_by'),
    /** Bumped by every change: an edit sent with a stale one (If-Match) is refused with 412. */
    version: integer('version').notNull().default(1),
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
    check('settings_worker_wait_range', sql`${t.workerWaitSeconds} between 10 and 86400`),
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
    /** Bumped by every change: an edit sent with a stale one (If-Match) is refused with 412. */
    version: integer('version').notNull().default(1),
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
    /** Bumped by every change: an edit sent with a stale one (If-Match) is refused with 412. */
    version: integer('version').notNull().default(1),
    /** The governor profile of its runs; null: `gentle` for slots between 07:00 and 22:00 in its zone, else `fixed`. */
    governorProfile: governorProfile('governor_profile'),
    /** Times (in the schedule's zone) when it must not fire, nor its strategies be run by hand without confirmation. */
    blackoutWindows: jsonb('blackout_windows').$type<BlackoutWindow[]>().notNull().default([]),
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
    /** The process that recorded the run (host:pid); the processes that execute it are on its shards. */
    owner: text('owner').notNull(),
    /**
     * What every shard of the run executes, fixed when the run is recorded (the plan is built once):
     * the strategies' priority, TTL and options in force then, batch size, load timeout, deadline.
     */
    plan: jsonb('plan').$type<StoredRunPlan>(),
    createdAt: tz('created_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    cancelRequestedAt: tz('cancel_requested_at'),
    cancelRequestedBy: text('cancel_requested_by'),
    /** Why the run was asked to stop when no operator asked (its deadline, a worker shutdown...). */
    cancelReason: text('cancel_reason'),
    /**
     * Whole-batch cache failures in a row at the end of its last shard, and the last error: the
     * cache breaker's state carried from shard to shard, so a dead cache fails the run fast.
     */
    cacheFailuresInARow: integer('cache_failures_in_a_row').notNull().default(0),
    cacheLastError: text('cache_last_error'),
    total: bigint('total', { mode: 'number' }).notNull().default(0),
    warmed: bigint('warmed', { mode: 'number' }).notNull().default(0),
    skipped: bigint('skipped', { mode: 'number' }).notNull().default(0),
    failed: bigint('failed', { mode: 'number' }).notNull().default(0),
    durationMs: integer('duration_ms'),
    error: text('error'),
    /** Dry runs: what a real run of the same scope would take (keys, duration, cache memory). */
    estimate: jsonb('estimate').$type<Record<string, unknown>>(),
    /** What went wrong without failing the run (a lagging read replica, say): bounded, oldest first. */
    warnings: jsonb('warnings').$type<RunWarning[]>().notNull().default([]),
  },
  (t) => [
    // Newest first, as the runs list pages (order by created_at desc nulls last, id desc nulls last).
    index('runs_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('runs_running_idx').on(t.createdAt).where(sql`${t.status} = 'running'`),
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
 * A strategy is warmed by at most one run at a time, across every process: the lock is taken with
 * the run's insert (the unique key decides races) and freed in the transaction that ends the run.
 * Runs no longer die with a process (their shards are retried by pg-boss), so a lock has no expiry.
 */
export const strategyLocks = pgTable('strategy_locks', {
  strategy: text('strategy').primaryKey(),
  runId: uuid('run_id')
    .notNull()
    .references(() => runs.id, { onDelete: 'cascade' }),
  acquiredAt: tz('acquired_at').notNull().defaultNow(),
});

/**
 * One shard of a run's strategy: a key range (or, for strategies without a key space, a slice of
 * its listing) that one worker warms as one pg-boss job. Its result is written once, when it ends,
 * by the attempt that owns it (`attempt` = the job's retry count): a superseded attempt's save
 * changes nothing, so every key of the run is counted exactly once.
 */
export const runShards = pgTable(
  'run_shards',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategy: text('strategy').notNull(),
    shard: integer('shard').notNull(),
    /** Key-space positions [from, to) (product ids); null for strategies without a key space. */
    rangeFrom: bigint('range_from', { mode: 'number' }),
    rangeTo: bigint('range_to', { mode: 'number' }),
    /** Keys of the listing to pass over first: where a cut shard without a key space resumes. */
    skip: integer('skip').notNull().default(0),
    /** True until the worker taking the strategy's first shard has split the key space. */
    planned: boolean('planned').notNull().default(true),
    status: shardStatus('status').notNull().default('queued'),
    attempt: integer('attempt').notNull().default(-1),
    jobId: uuid('job_id'),
    /** The worker process of the current attempt (host:pid). */
    worker: text('worker'),
    /** Earlier attempts (a worker that died, a shard handed back), oldest first. */
    retries: jsonb('retries').$type<ShardRetry[]>().notNull().default([]),
    expected: integer('expected'),
    total: integer('total').notNull().default(0),
    warmed: integer('warmed').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Live figures of the running attempt, refreshed about twice a second. */
    progress: jsonb('progress').$type<ShardProgress>(),
    phase: text('phase'),
    queuedAt: tz('queued_at').notNull().defaultNow(),
    startedAt: tz('started_at'),
    heartbeatAt: tz('heartbeat_at'),
    finishedAt: tz('finished_at'),
    durationMs: integer('duration_ms'),
    /** Ended before its range did (its time cap, a worker shutting down): the rest is a later shard. */
    cut: boolean('cut').notNull().default(false),
    error: text('error'),
    firstErrors: jsonb('first_errors').$type<{ key: string; error: string }[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.strategy, t.shard] }),
    index('run_shards_running_idx').on(t.status).where(sql`${t.status} in ('queued', 'running')`),
  ],
);

/**
 * What a shard's load governor measured and did, sampled (at most one row per shard every 2 s and a
 * bounded number per run): the run detail's chart of concurrency, batch latency and keys/s.
 */
export const runGovernorSamples = pgTable(
  'run_governor_samples',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    strategy: text('strategy').notNull(),
    shard: integer('shard').notNull(),
    at: tz('at').notNull().defaultNow(),
    concurrency: integer('concurrency').notNull(),
    ceiling: integer('ceiling').notNull(),
    batchMs: doublePrecision('batch_ms'),
    writeMs: doublePrecision('write_ms'),
    baselineMs: doublePrecision('baseline_ms'),
    keysPerSecond: doublePrecision('keys_per_second').notNull().default(0),
    reason: text('reason').notNull(),
  },
  (t) => [index('run_governor_samples_run_idx').on(t.runId, t.at)],
);

/** A worker process, as it reports itself every few seconds (the Workers view, metrics). */
export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  /** Shards it runs at once. */
  slots: integer('slots').notNull(),
  startedAt: tz('started_at').notNull().defaultNow(),
  lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
  state: text('state').notNull().default('running'),
  busy: integer('busy').notNull().default(0),
  shardsDone: integer('shards_done').notNull().default(0),
  keysDone: bigint('keys_done', { mode: 'number' }).notNull().default(0),
  keysPerSecond: doublePrecision('keys_per_second').notNull().default(0),
  stoppedAt: tz('stopped_at'),
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

/** Days 0 (Sunday) to 6 in the schedule's zone; start and end `HH:MM`, end after start or `24:00`. */
export type BlackoutWindow = { days: number[]; start: string; end: string };
export type RunWarning = { at: string; code: string; message: string };

export type StoredRunPlan = {
  strategies: { name: string; priority: number; ttlSeconds: number; options: Record<string, unknown> }[];
  batchSize: number;
  loadTimeoutMs: number;
  timeoutSeconds: number;
  shardKeys: number;
  shardSeconds: number;
  /** The governor profile (server/warmup/governor.ts); absent (runs recorded before it): `fixed`. */
  profile?: 'fixed' | 'gentle' | 'max';
};
export type ShardRetry = { attempt: number; worker: string | null; startedAt: string | null; endedAt: string; reason: string };
export type ShardProgress = {
  /** Keys the shard expects, once it knows (its range's count, or the strategy's). */
  expected: number | null;
  done: number;
  warmed: number;
  skipped: number;
  failed: number;
  keysPerSecond: number;
  inFlight: number;
  concurrency: number;
  elapsedMs: number;
};

export type Settings = typeof settings.$inferSelect;
export type StrategySettingsRow = typeof strategySettings.$inferSelect;
export type Schedule = typeof schedules.$inferSelect;
export type Run = typeof runs.$inferSelect;
export type RunStrategy = typeof runStrategies.$inferSelect;
export type RunFailure = typeof runFailures.$inferSelect;
export type ScheduleFire = typeof scheduleFires.$inferSelect;
export type RunShard = typeof runShards.$inferSelect;
export type RunGovernorSample = typeof runGovernorSamples.$inferSelect;
export type WorkerRow = typeof workers.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type RunTrigger = (typeof runTrigger.enumValues)[number];
export type RunStatus = (typeof runStatus.enumValues)[number];
