import 'server-only';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { successRate } from '@/lib/success-rate';
import type { Database, Db } from '../db/client';
import { type Run, type RunShard, type ShardProgress, type ShardRetry, runFailures, runShards, runStrategies, runs, strategyLocks } from '../db/schema';
import type { StrategyOutcome } from './engine';
import { SHARD_QUEUE } from './job-queue';
import { type QueuedShard, type ShardKey, firstShardOf, queueShards } from './run-records';
import { type WarmedKey, closeWarmSet, saveWarmKeys } from './warm-set';
import { addLateResult, noteSettledChange } from '../retention/rollups';

/**
 * The run's bookkeeping as its shards begin, beat and end. Every change that decides what happens
 * next (a shard's result, the next strategy, the run's end) is made under the run row's lock, so
 * shards ending at the same moment on different workers never both start the next strategy or
 * both end the run.
 */

const shardWhere = (key: ShardKey) =>
  and(eq(runShards.runId, key.runId), eq(runShards.strategy, key.strategy), eq(runShards.shard, key.shard));

export type BegunShard = { run: Run; shard: RunShard };

/**
 * Takes a shard for attempt `attempt` (the pg-boss job's retry count). Null when there is nothing
 * to do: the run has ended, the shard is already settled, or a newer attempt has it. An earlier
 * attempt that was still `running` (its worker died or was cut off) is recorded in `retries`.
 */
export async function beginShard(database: Database, key: ShardKey, attempt: number, worker: string, hasKeySpace: boolean): Promise<BegunShard | null> {
  const [run] = await database.db.select().from(runs).where(eq(runs.id, key.runId));
  if (!run || run.status !== 'running') return null;
  const [shard] = await database.db
    .update(runShards)
    .set({
      status: 'running',
      attempt,
      worker,
      startedAt: sql`now()`,
      heartbeatAt: sql`now()`,
      phase: 'starting',
      progress: null,
      // A strategy without a key space has nothing to split: its first shard is the whole plan.
      planned: hasKeySpace ? runShards.planned : true,
      retries: sql`case when ${runShards.status} = 'running' then ${runShards.retries} || jsonb_build_array(jsonb_build_object(
        'attempt', ${runShards.attempt}, 'worker', ${runShards.worker}, 'startedAt', ${runShards.startedAt},
        'endedAt', now(), 'reason', 'its worker stopped answering before the shard ended; the job expired and was retried')) else ${runShards.retries} end`,
    })
    .where(and(shardWhere(key), inArray(runShards.status, ['queued', 'running']), sql`${runShards.attempt} < ${attempt}`))
    .returning();
  return shard ? { run, shard } : null;
}

/**
 * Puts back a shard whose attempt failed with an error (pg-boss retries its job after a delay),
 * recording why in its attempts. Only the attempt that owns it can.
 */
export async function releaseShard(database: Database, key: ShardKey, attempt: number, reason: string): Promise<void> {
  await database.db
    .update(runShards)
    .set({
      status: 'queued',
      phase: null,
      progress: null,
      retries: sql`${runShards.retries} || jsonb_build_array(jsonb_build_object(
        'attempt', ${runShards.attempt}, 'worker', ${runShards.worker}, 'startedAt', ${runShards.startedAt}, 'endedAt', now(), 'reason', ${reason}))`,
    })
    .where(and(shardWhere(key), eq(runShards.attempt, attempt), eq(runShards.status, 'running')));
}

export type ShardBeat = {
  /** False: a newer attempt owns the shard (this one must stop at once). */
  owned: boolean;
  concurrency: number;
  /** This shard's share of the run's concurrency (a ceiling summed over its running shards). */
  share: number;
  cancelRequested: boolean;
  cancelReason: string | null;
};

/**
 * Publishes a shard's progress and reads back what other processes may have changed: the run's
 * concurrency (retuned), its cancel, and how many shards share it now.
 */
export async function heartbeatShard(database: Database, key: ShardKey, attempt: number, phase: string, progress: ShardProgress | null): Promise<ShardBeat> {
  const rows = await database.rows<{ owned: boolean; concurrency: number; cancel: boolean; reason: string | null; running: number; rank: number }>(sql`
    with me as (
      update run_shards set heartbeat_at = now(), phase = ${phase}, progress = ${progress ? JSON.stringify(progress) : null}::jsonb
      where run_id = ${key.runId}::uuid and strategy = ${key.strategy} and shard = ${key.shard} and attempt = ${attempt} and status = 'running'
      returning 1
    )
    select exists (select 1 from me) as owned, r.concurrency, r.cancel_requested_at is not null as cancel, r.cancel_reason as reason,
           (select count(*)::int from run_shards s where s.run_id = r.id and s.status = 'running') as running,
           (select count(*)::int from run_shards s where s.run_id = r.id and s.status = 'running'
              and (s.strategy, s.shard) < (${key.strategy}, ${key.shard})) as rank
    from runs r where r.id = ${key.runId}::uuid`);
  const row = rows[0];
  if (!row) return { owned: false, concurrency: 1, share: 1, cancelRequested: true, cancelReason: null };
  return {
    owned: row.owned,
    concurrency: row.concurrency,
    share: shareOf(row.concurrency, Math.max(1, row.running), row.rank),
    cancelRequested: row.cancel,
    cancelReason: row.reason,
  };
}

/** The `rank`-th of `shards` shards' part of a ceiling: equal parts, the remainder to the first, at least 1. */
export function shareOf(ceiling: number, shards: number, rank: number): number {
  const base = Math.floor(ceiling / shards);
  return Math.max(1, base + (rank < ceiling % shards ? 1 : 0));
}

/** Sets a planned key space on the strategy's first shard and queues the others. False if the attempt no longer owns it. */
export async function planShards(
  database: Database,
  boss: PgBoss,
  key: ShardKey,
  attempt: number,
  ranges: { from: number; to: number; keys: number }[],
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, key.runId)).for('update');
    const [first, ...rest] = ranges.length ? ranges : [{ from: 0, to: 0, keys: 0 }];
    const updated = await tx
      .update(runShards)
      .set({ rangeFrom: first!.from, rangeTo: first!.to, expected: first!.keys, planned: true })
      .where(and(shardWhere(key), eq(runShards.attempt, attempt), eq(runShards.status, 'running'), eq(runShards.planned, false)))
      .returning({ shard: runShards.shard });
    if (updated.length === 0 || !run) return false;
    const shards: QueuedShard[] = rest.map((r, i) => ({ runId: key.runId, strategy: key.strategy, shard: i + 1, rangeFrom: r.from, rangeTo: r.to, planned: true, expected: r.keys }));
    await queueShards(tx, boss, run, shards, priorityOf(run, key.strategy));
    return true;
  });
}

export type ShardResult = {
  status: 'done' | 'cancelled' | 'failed';
  total: number;
  warmed: number;
  skipped: number;
  failed: number;
  durationMs: number;
  error?: string;
  firstErrors: { key: string; error: string }[];
  /** Every failed key (all are kept, so every one can be retried). */
  failures: { key: string; error: string; at: Date }[];
  /** The keys it wrote, bounded (server/warmup/warm-set.ts): added to the run's warm set. */
  warmSet?: { keys: WarmedKey[]; truncated: boolean; keepRate: number };
  /** The rest of a cut shard: queued as a new shard of the same strategy. */
  remainder?: { rangeFrom: number | null; rangeTo: number | null; skip: number; expected: number | null };
  progress: ShardProgress | null;
  /** The cache breaker's state when the shard ended: carried to the run's next shards. */
  breaker?: { consecutive: number; lastError: string | null };
};

export type ShardEnd =
  | { kind: 'superseded' }
  | { kind: 'saved'; runEnded: boolean; dryRunToEstimate: boolean };

/**
 * Writes a shard's result once, for the attempt that owns it, and adds it to the run's totals in
 * the same transaction (a dead process's run shows what its shards did). A cut shard queues its
 * rest; the last shard of a strategy records the strategy and starts the next one, or ends the run.
 */
export async function endShard(database: Database, boss: PgBoss, key: ShardKey, attempt: number, result: ShardResult): Promise<ShardEnd> {
  return database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, key.runId)).for('update');
    const saved = await tx
      .update(runShards)
      .set({
        status: result.status,
        total: result.total,
        warmed: result.warmed,
        skipped: result.skipped,
        failed: result.failed,
        durationMs: result.durationMs,
        finishedAt: sql`now()`,
        heartbeatAt: sql`now()`,
        cut: result.remainder !== undefined,
        error: result.error ?? null,
        firstErrors: result.firstErrors,
        phase: null,
        progress: result.progress,
      })
      .where(and(shardWhere(key), eq(runShards.attempt, attempt), eq(runShards.status, 'running')))
      .returning({ shard: runShards.shard });
    if (saved.length === 0 || !run) return { kind: 'superseded' } as const;
    await tx
      .update(runs)
      .set({
        total: sql`${runs.total} + ${result.total}`,
        warmed: sql`${runs.warmed} + ${result.warmed}`,
        skipped: sql`${runs.skipped} + ${result.skipped}`,
        failed: sql`${runs.failed} + ${result.failed}`,
        ...(result.breaker ? { cacheFailuresInARow: result.breaker.consecutive, cacheLastError: result.breaker.lastError } : {}),
      })
      .where(eq(runs.id, key.runId));
    if (result.warmSet && (result.warmSet.keys.length > 0 || result.warmSet.truncated)) await saveWarmKeys(tx, key.runId, key.strategy, result.warmSet);
    for (let i = 0; i < result.failures.length; i += 1000) {
      await tx.insert(runFailures).values(result.failures.slice(i, i + 1000).map((f) => ({ runId: key.runId, strategy: key.strategy, key: f.key, error: f.error, at: f.at })));
    }
    // A late save for a run something else has ended meanwhile: its figures still count; nothing starts.
    if (run.status !== 'running') return { kind: 'saved', runEnded: false, dryRunToEstimate: false } as const;
    if (result.remainder && !run.cancelRequestedAt) {
      const [{ next } = { next: key.shard + 1 }] = await tx
        .select({ next: sql<number>`coalesce(max(${runShards.shard}), 0)::int + 1` })
        .from(runShards)
        .where(and(eq(runShards.runId, key.runId), eq(runShards.strategy, key.strategy)));
      await queueShards(tx, boss, run, [{ runId: key.runId, strategy: key.strategy, shard: next, planned: true, ...result.remainder }], priorityOf(run, key.strategy));
    }
    return { kind: 'saved', ...(await advance(tx, boss, run, key.strategy)) } as const;
  });
}

/**
 * A shard pg-boss gave up on (its retries spent, or its data no longer matching a shard): it ends
 * failed, saying why, and the run goes on without it.
 */
export async function giveUpShard(database: Database, boss: PgBoss, key: ShardKey, reason: string): Promise<ShardEnd> {
  return database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, key.runId)).for('update');
    const failed = await tx
      .update(runShards)
      .set({
        status: 'failed',
        finishedAt: sql`now()`,
        error: reason,
        phase: null,
        retries: sql`case when ${runShards.status} = 'running' then ${runShards.retries} || jsonb_build_array(jsonb_build_object(
          'attempt', ${runShards.attempt}, 'worker', ${runShards.worker}, 'startedAt', ${runShards.startedAt}, 'endedAt', now(), 'reason', ${reason})) else ${runShards.retries} end`,
      })
      .where(and(shardWhere(key), inArray(runShards.status, ['queued', 'running'])))
      .returning({ shard: runShards.shard });
    if (failed.length === 0 || !run || run.status !== 'running') return { kind: 'superseded' } as const;
    return { kind: 'saved', ...(await advance(tx, boss, run, key.strategy)) } as const;
  });
}

/**
 * Settles the queued shards of a run that was asked to stop (they would otherwise wait for a
 * worker only to stop at once), cancelling their jobs, and ends the run if none is running.
 */
export async function settleStoppedRun(database: Database, boss: PgBoss, runId: string): Promise<{ runEnded: boolean; dryRunToEstimate: boolean }> {
  const outcome = await database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, runId)).for('update');
    if (!run || run.status !== 'running' || !run.cancelRequestedAt) return { runEnded: false, dryRunToEstimate: false, jobs: [] as string[] };
    const cancelled = await tx
      .update(runShards)
      .set({ status: 'cancelled', finishedAt: sql`now()`, phase: null })
      .where(and(eq(runShards.runId, runId), eq(runShards.status, 'queued')))
      .returning({ strategy: runShards.strategy, jobId: runShards.jobId });
    let ended = { runEnded: false, dryRunToEstimate: false };
    for (const strategy of new Set(cancelled.map((c) => c.strategy))) ended = await advance(tx, boss, run, strategy);
    if (cancelled.length === 0) ended = await advance(tx, boss, run, null);
    return { ...ended, jobs: cancelled.flatMap((c) => (c.jobId ? [c.jobId] : [])) };
  });
  // Their jobs would be found settled and completed anyway; cancelling spares the workers the trip.
  if (outcome.jobs.length) await boss.cancel(SHARD_QUEUE, outcome.jobs).catch(() => {});
  return { runEnded: outcome.runEnded, dryRunToEstimate: outcome.dryRunToEstimate };
}

/**
 * After a shard of `strategy` settled: when the strategy has no shard left to run, records its
 * result and starts the next strategy, or ends the run when there is none (or it was stopped).
 * `strategy` null: only checks whether a stopped run can end.
 */
export async function advance(tx: Db, boss: PgBoss, run: Run, strategy: string | null): Promise<{ runEnded: boolean; dryRunToEstimate: boolean }> {
  if (strategy !== null) {
    const shards = await tx.select().from(runShards).where(and(eq(runShards.runId, run.id), eq(runShards.strategy, strategy)));
    if (shards.some((s) => s.status === 'queued' || s.status === 'running')) return { runEnded: false, dryRunToEstimate: false };
    await recordStrategy(tx, run, strategy, shards);
  }
  const open = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(runShards)
    .where(and(eq(runShards.runId, run.id), inArray(runShards.status, ['queued', 'running'])));
  if ((open[0]?.n ?? 0) > 0) return { runEnded: false, dryRunToEstimate: false };

  const recorded = await tx.select().from(runStrategies).where(eq(runStrategies.runId, run.id));
  const stopped = run.cancelRequestedAt !== null;
  const cacheDown = recorded.find((r) => r.error?.startsWith(CACHE_DOWN_PREFIX));
  const next = run.strategies.find((name) => !recorded.some((r) => r.strategy === name));
  if (next && !stopped && !cacheDown) {
    await queueShards(tx, boss, run, [firstShardOf(run, next, run.keyFilter)], priorityOf(run, next));
    return { runEnded: false, dryRunToEstimate: false };
  }
  if (next && cacheDown && !stopped) {
    // The cache is down: the strategies not started yet fail with the same reason, without a trip to the cache.
    for (const name of run.strategies.filter((n) => !recorded.some((r) => r.strategy === n))) {
      await recordStrategy(tx, run, name, [], cacheDown.error!);
    }
  }
  if (run.dryRun) return { runEnded: false, dryRunToEstimate: true };
  await finishRun(tx, run);
  return { runEnded: true, dryRunToEstimate: false };
}

export const CACHE_DOWN_PREFIX = 'the cache is unavailable';

/** A strategy's priority as the run's plan fixed it: the priority of its shards' jobs. */
export function priorityOf(run: Pick<Run, 'plan'>, strategy: string): number {
  return run.plan?.strategies.find((s) => s.name === strategy)?.priority ?? 0;
}

/** The strategy's row in run_strategies: its shards summed (written once: a retry finds it there). */
async function recordStrategy(tx: Db, run: Run, strategy: string, shards: RunShard[], failedBecause?: string): Promise<void> {
  const planned = run.plan?.strategies.find((s) => s.name === strategy);
  const sum = (f: (s: RunShard) => number) => shards.reduce((n, s) => n + f(s), 0);
  const counts = { total: sum((s) => s.total), warmed: sum((s) => s.warmed), skipped: sum((s) => s.skipped), failed: sum((s) => s.failed) };
  const errors = shards.filter((s) => s.error).map((s) => s.error!);
  const started = shards.map((s) => s.startedAt ?? s.queuedAt).sort((a, b) => a.getTime() - b.getTime())[0] ?? new Date();
  const finished = shards.map((s) => s.finishedAt ?? new Date()).sort((a, b) => b.getTime() - a.getTime())[0] ?? new Date();
  const outcome = strategyOutcome(shards, counts, Boolean(failedBecause));
  const inserted = await tx
    .insert(runStrategies)
    .values({
      runId: run.id,
      strategy,
      position: Math.max(0, run.strategies.indexOf(strategy)),
      outcome,
      trigger: run.trigger,
      dryRun: run.dryRun,
      priority: planned?.priority ?? 0,
      ttlSeconds: planned?.ttlSeconds ?? 0,
      ...counts,
      successRate: run.dryRun ? null : successRate(counts),
      startedAt: started,
      finishedAt: finished,
      durationMs: Math.max(0, finished.getTime() - started.getTime()),
      error: failedBecause ?? (errors.length ? [...new Set(errors)].join('; ') : null),
      firstErrors: shards.flatMap((s) => s.firstErrors).slice(0, 5),
    })
    .onConflictDoNothing()
    .returning();
  // A result whose day the retention pass already rolled up (a late save) counts in that rollup.
  if (inserted[0]) {
    await addLateResult(tx, inserted[0]);
    await noteSettledChange(tx, inserted[0].finishedAt);
  }
  if (!run.dryRun) await closeWarmSet(tx, run.id, strategy, planned?.ttlSeconds ?? 0);
}

function strategyOutcome(shards: RunShard[], counts: { warmed: number; skipped: number; failed: number }, failedOutright: boolean): StrategyOutcome {
  if (failedOutright) return 'failed';
  if (shards.some((s) => s.status === 'cancelled')) return 'cancelled';
  const failedShards = shards.filter((s) => s.status === 'failed' || s.error);
  if (failedShards.length > 0) return failedShards.length === shards.length && counts.warmed === 0 && counts.skipped === 0 ? 'failed' : 'partial';
  if (counts.failed > 0) return counts.warmed > 0 || counts.skipped > 0 ? 'partial' : 'failed';
  return 'succeeded';
}

/**
 * Ends the run from its strategies' records: its status and error, its duration, its strategies
 * freed, and every process told (its waiters). Only a run still `running` is ended.
 */
export async function finishRun(tx: Db, run: Run, estimate?: unknown): Promise<void> {
  const recorded = await tx.select().from(runStrategies).where(eq(runStrategies.runId, run.id));
  const { status, error } = runOutcome(run, recorded);
  await tx
    .update(runs)
    .set({
      status,
      error,
      finishedAt: sql`now()`,
      durationMs: sql`(extract(epoch from (now() - ${runs.createdAt})) * 1000)::int`,
      ...(estimate !== undefined ? { estimate: estimate as Record<string, unknown> } : {}),
    })
    .where(and(eq(runs.id, run.id), eq(runs.status, 'running')));
  await tx.delete(strategyLocks).where(eq(strategyLocks.runId, run.id));
  // Every process is told after the commit, by announceRunEnded, once this one's listeners have run.
}

/** Ends a dry run once its estimate is known (the estimate needs the cache, outside the transaction). */
export async function finishDryRun(database: Database, runId: string, estimate: unknown): Promise<void> {
  await database.db.transaction(async (tx) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, runId)).for('update');
    if (run && run.status === 'running') await finishRun(tx, run, estimate);
  });
}

export const DEADLINE_PREFIX = 'deadline:';

function runOutcome(run: Run, recorded: { strategy: string; outcome: string; error: string | null; failed: number; total: number }[]): { status: Exclude<Run['status'], 'running'>; error: string | null } {
  const reason = run.cancelReason;
  if (run.cancelRequestedAt && reason?.startsWith(DEADLINE_PREFIX)) return { status: 'failed', error: reason.slice(DEADLINE_PREFIX.length).trim() };
  if (run.cancelRequestedAt && reason?.startsWith(FAILED_PREFIX)) return { status: 'failed', error: reason.slice(FAILED_PREFIX.length).trim() };
  if (run.cancelRequestedAt) return { status: 'cancelled', error: reason };
  const failedStrategies = recorded.filter((r) => r.outcome === 'failed');
  const failedKeys = recorded.reduce((n, r) => n + r.failed, 0);
  const status = recorded.length > 0 && failedStrategies.length === recorded.length ? 'failed' : failedStrategies.length > 0 || failedKeys > 0 || recorded.some((r) => r.outcome === 'partial') ? 'partial' : 'succeeded';
  const error = failedStrategies.length ? failedStrategies.map((r) => `${r.strategy}: ${r.error ?? `${r.failed} of ${r.total} keys failed`}`).join('; ') : null;
  return { status, error };
}

/** A stop that fails the run rather than cancelling it (no worker took its work in time). */
export const FAILED_PREFIX = 'failed:';
