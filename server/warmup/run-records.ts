import 'server-only';
import { randomUUID } from 'node:crypto';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { successRate } from '@/lib/success-rate';
import type { RunEstimate } from '@/lib/api/effect';
import type { Db } from '../db/client';
import type { Database } from '../db/client';
import {
  type Run,
  type RunStatus,
  type RunTrigger,
  type Scope,
  type StoredRunPlan,
  runShards,
  runStrategies,
  runs,
  strategyLocks,
} from '../db/schema';
import { AppError } from '../errors';
import type { StrategyStats } from './engine';
import { formatSummary } from './summary';
import { type JobExecutor, SHARD_QUEUE, DEAD_SHARD_QUEUE, jobExecutorIn } from './job-queue';

export type NewRun = {
  trigger: RunTrigger;
  triggeredBy: string;
  scope: Scope;
  concurrency: number;
  onlyMissing: boolean;
  dryRun: boolean;
  owner: string;
  scheduleId?: number | null;
  retryOf?: string | null;
  keyFilter?: Record<string, string[]> | null;
  plan: StoredRunPlan;
};

export type BusyStrategy = { strategy: string; runId: string; since: string };

export class StrategiesBusyError extends AppError {
  constructor(readonly busy: BusyStrategy[]) {
    super(
      'conflict',
      `Already being warmed: ${busy.map((b) => `${b.strategy} (run ${b.runId.slice(0, 8)})`).join(', ')}`,
      { field: 'scope', details: { busy } },
    );
  }
}

/** Where a shard is: the (run, strategy, shard) key of run_shards and of its job's data. */
export type ShardKey = { runId: string; strategy: string; shard: number };

/** A shard to queue: its key, where it starts, and what its job needs. */
export type QueuedShard = ShardKey & {
  rangeFrom?: number | null;
  rangeTo?: number | null;
  skip?: number;
  planned: boolean;
  expected?: number | null;
};

/** Channel on which a process that queues work wakes the workers of every process. */
export const WORK_CHANNEL = 'kiln_work';
/** Channel on which the process that ends a run tells every process (its waiters). */
export const RUN_ENDED_CHANNEL = 'kiln_run_ended';

/**
 * Records a run and queues its first strategy's work, in one transaction: the run row (with its
 * plan, built once here), a lock on each of its strategies, the first strategy's shard and its
 * pg-boss job. A strategy locked by another running run makes the whole record fail (nothing is
 * written) with the busy strategies named; concurrent records for one strategy serialize on its
 * lock row, so exactly one wins, across processes.
 */
export async function recordRun(
  database: Database,
  boss: PgBoss,
  run: NewRun,
  strategyPriority: (name: string) => number,
  inTransaction?: (tx: Db, run: Run) => Promise<void>,
): Promise<Run> {
  const names = run.plan.strategies.map((s) => s.name);
  // The common refusal costs one read, not a transaction: a burst of triggers for a strategy that
  // is being warmed stays cheap. The transaction below still decides races.
  const busy = await busyStrategies(database.db, names);
  if (busy.length > 0) throw new StrategiesBusyError(busy);
  try {
    return await database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(runs)
        .values({
          trigger: run.trigger,
          triggeredBy: run.triggeredBy,
          scope: run.scope,
          strategies: names,
          concurrency: run.concurrency,
          onlyMissing: run.onlyMissing,
          dryRun: run.dryRun,
          owner: run.owner,
          scheduleId: run.scheduleId ?? null,
          retryOf: run.retryOf ?? null,
          keyFilter: run.keyFilter ?? null,
          plan: run.plan,
        })
        .returning();
      const claimed = await tx
        .insert(strategyLocks)
        .values(names.map((strategy) => ({ strategy, runId: row!.id })))
        .onConflictDoNothing()
        .returning({ strategy: strategyLocks.strategy });
      if (claimed.length < names.length) throw new StrategiesBusyError(await busyStrategies(tx, names, row!.id));
      await queueShards(tx, boss, row!, [firstShardOf(row!, names[0]!, run.keyFilter)], strategyPriority(names[0]!));
      await inTransaction?.(tx, row!);
      return row!;
    });
  } catch (error) {
    if (error instanceof StrategiesBusyError) throw error;
    // drizzle wraps driver errors; the busy error may sit in its cause.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof StrategiesBusyError) throw cause;
    throw error;
  }
}

async function busyStrategies(db: Db, names: string[], exceptRun?: string): Promise<BusyStrategy[]> {
  const rows = await db
    .select({ strategy: strategyLocks.strategy, runId: strategyLocks.runId, since: strategyLocks.acquiredAt })
    .from(strategyLocks)
    .where(inArray(strategyLocks.strategy, names));
  return rows.filter((r) => r.runId !== exceptRun).map((r) => ({ strategy: r.strategy, runId: r.runId, since: r.since.toISOString() }));
}

/**
 * The first shard of a strategy: for a retry, its failed keys; otherwise the whole listing. A
 * strategy with a key space is split by the worker that takes this shard (`planned: false`), so
 * recording a run never waits for a scan of a million rows.
 */
export function firstShardOf(run: Pick<Run, 'id'>, strategy: string, keyFilter: Record<string, string[]> | null | undefined): QueuedShard {
  return { runId: run.id, strategy, shard: 0, planned: keyFilter ? true : false, expected: keyFilter ? (keyFilter[strategy]?.length ?? 0) : null };
}

/**
 * Inserts shard rows and their pg-boss jobs in the caller's transaction, and wakes the workers of
 * every process once it commits. A job expires (and pg-boss retries it elsewhere) a margin after
 * its shard's time cap, so a shard whose worker died is taken over without waiting for the run.
 */
export async function queueShards(tx: Db, boss: PgBoss, run: Pick<Run, 'id' | 'plan'>, shards: QueuedShard[], priority: number): Promise<void> {
  if (shards.length === 0) return;
  const plan = run.plan!;
  const jobs = shards.map((s) => ({ ...s, jobId: randomUUID() }));
  await tx.insert(runShards).values(
    jobs.map((s) => ({
      runId: s.runId,
      strategy: s.strategy,
      shard: s.shard,
      rangeFrom: s.rangeFrom ?? null,
      rangeTo: s.rangeTo ?? null,
      skip: s.skip ?? 0,
      planned: s.planned,
      expected: s.expected ?? null,
      jobId: s.jobId,
    })),
  );
  const executeSql: JobExecutor = jobExecutorIn(tx);
  await boss.insert(
    jobs.map((s) => ({
      id: s.jobId,
      name: SHARD_QUEUE,
      data: { runId: s.runId, strategy: s.strategy, shard: s.shard } satisfies ShardKey,
      priority,
      expireInSeconds: shardExpirySeconds(plan),
      retryLimit: 3,
      retryDelay: 1,
      deadLetter: DEAD_SHARD_QUEUE,
    })),
    { db: { executeSql } },
  );
  await tx.execute(sql`select pg_notify(${WORK_CHANNEL}, ${run.id})`);
}

/**
 * How long a shard's job may stay active before pg-boss expires it and retries it elsewhere: its
 * time cap, plus time for the loads in flight at the cap to finish and their writes to land, plus
 * a margin. A worker stops writing (its fence) before this, so two attempts never write at once.
 */
export function shardExpirySeconds(plan: Pick<StoredRunPlan, 'shardSeconds' | 'loadTimeoutMs'>): number {
  return plan.shardSeconds + Math.ceil((2 * plan.loadTimeoutMs) / 1000) + FENCE_MARGIN_SECONDS + 2;
}

/** The fence stands this long before the job's expiry: the last moment an attempt may write. */
export const FENCE_MARGIN_SECONDS = 3;

export type RunTotals = { total: number; warmed: number; skipped: number; failed: number; durationMs: number };

/**
 * Asks a run to stop; its shards see it on their next heartbeat (every process). `inTransaction`
 * (the caller's audit entry) is written with the request when it is one ('requested'): both are
 * kept, or neither.
 */
export async function requestCancel(
  database: Database,
  runId: string,
  by: string,
  reason: string | null = null,
  inTransaction?: (tx: Db) => Promise<void>,
): Promise<'requested' | 'not_running' | 'not_found'> {
  if (!inTransaction) return markCancel(database.db, runId, by, reason);
  return database.db.transaction(async (tx) => {
    const result = await markCancel(tx, runId, by, reason);
    if (result === 'requested') await inTransaction(tx);
    return result;
  });
}

async function markCancel(db: Db, runId: string, by: string, reason: string | null): Promise<'requested' | 'not_running' | 'not_found'> {
  const rows = await db
    .update(runs)
    .set({
      cancelRequestedAt: sql`coalesce(${runs.cancelRequestedAt}, now())`,
      cancelRequestedBy: sql`coalesce(${runs.cancelRequestedBy}, ${by})`,
      cancelReason: sql`coalesce(${runs.cancelReason}, ${reason})`,
    })
    .where(eq(runs.id, runId))
    .returning({ status: runs.status });
  if (rows.length === 0) return 'not_found';
  return rows[0]!.status === 'running' ? 'requested' : 'not_running';
}

export type RunSummary = {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  strategies: StrategyStats[];
  totals: RunTotals;
  /** lib/success-rate.ts's rule over the run's keys; null when it had nothing to warm. */
  successRate: number | null;
  error: string | null;
  /** Dry runs: what a real run of the same scope would take. */
  estimate?: RunEstimate | null;
  dryRun: boolean;
};

/** A run's outcome from its records, once it has ended (undefined while it runs or when unknown). */
export async function readRunSummary(db: Db, runId: string): Promise<RunSummary | undefined> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run || run.status === 'running') return undefined;
  const rows = await db.select().from(runStrategies).where(eq(runStrategies.runId, runId)).orderBy(asc(runStrategies.position));
  const totals = { total: run.total, warmed: run.warmed, skipped: run.skipped, failed: run.failed, durationMs: run.durationMs ?? 0 };
  return {
    runId,
    status: run.status,
    strategies: rows.map((r) => ({
      strategy: r.strategy,
      outcome: r.outcome === 'skipped' ? 'failed' : r.outcome,
      priority: r.priority,
      ttlSeconds: r.ttlSeconds,
      total: r.total,
      warmed: r.warmed,
      skipped: r.skipped,
      failed: r.failed,
      successRate: r.successRate,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      durationMs: r.durationMs,
      error: r.error ?? undefined,
      firstErrors: r.firstErrors,
      dryRun: r.dryRun,
      cut: false,
      resume: null,
      fenced: false,
    })),
    totals,
    successRate: successRate(totals),
    error: run.error,
    estimate: (run.estimate as RunEstimate | null) ?? null,
    dryRun: run.dryRun,
  };
}

/** Frees the strategies of runs that have ended (a safety net: ending a run frees them itself). */
export async function freeLocksOfEndedRuns(db: Db): Promise<number> {
  const rows = await db.execute(sql`
    delete from strategy_locks l using runs r where r.id = l.run_id and r.status <> 'running' returning l.strategy`);
  return (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows).length;
}


/**
 * Tells everyone that a run has ended, once its end is committed: first this process's listeners
 * (metrics, the coverage sample of what it warmed, views to refresh), then every process's waiters
 * through NOTIFY, so that a waiter that wakes finds the listeners' work already under way. A
 * process that dies in between loses only the NOTIFY: waiters also poll.
 */
export async function announceRunEnded(database: Database, runId: string, onRunFinished: ((summary: RunSummary) => void) | undefined, logger?: { warn: (o: object, m: string) => void; info: (o: object, m: string) => void }): Promise<RunSummary | undefined> {
  const summary = await readRunSummary(database.db, runId);
  if (!summary) return undefined;
  logger?.info(
    { runId, status: summary.status, ...summary.totals, error: summary.error },
    summary.dryRun ? `Dry run: ${summary.totals.total} keys in ${summary.strategies.length} strategies` : `${formatSummary(summary.totals)} [run ${summary.status}]`,
  );
  try {
    onRunFinished?.(summary);
  } catch (error) {
    logger?.warn({ err: error, runId }, 'A run-finished listener failed');
  }
  await database.db.execute(sql`select pg_notify(${RUN_ENDED_CHANNEL}, ${runId})`).catch(() => {});
  return summary;
}

/** Runs keep at most this many warnings: the first ones say what went wrong. */
export const MAX_RUN_WARNINGS = 20;

/** Adds a warning to a run (bounded); a warning that could not be written is only logged by the caller. */
export async function recordRunWarning(database: Database, runId: string, warning: { code: string; message: string }): Promise<void> {
  await database.rows(sql`
    update runs set warnings = warnings || jsonb_build_array(jsonb_build_object('at', now(), 'code', ${warning.code}::text, 'message', ${warning.message.slice(0, 500)}::text))
    where id = ${runId}::uuid and jsonb_array_length(warnings) < ${MAX_RUN_WARNINGS}`);
}
