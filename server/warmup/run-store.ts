import 'server-only';
import { sql } from 'drizzle-orm';
import type { RunEstimate } from '@/lib/api/effect';
import type { Database } from '../db/client';
import { type RunStatus, type RunTrigger, type Scope, runFailures, runStrategies, runs } from '../db/schema';
import { AppError } from '../errors';
import type { StrategyStats } from './engine';

/** How long a lease (and a run's heartbeat) stays valid without renewal. */
export const LEASE_SECONDS = 30;

export type NewRun = {
  trigger: RunTrigger;
  triggeredBy: string;
  scope: Scope;
  strategies: string[];
  concurrency: number;
  onlyMissing: boolean;
  dryRun: boolean;
  owner: string;
  scheduleId?: number | null;
  retryOf?: string | null;
  keyFilter?: Record<string, string[]> | null;
};

export type BusyStrategy = { strategy: string; runId: string; owner: string; since: string };

export class StrategiesBusyError extends AppError {
  constructor(readonly busy: BusyStrategy[]) {
    super(
      'conflict',
      `Already being warmed: ${busy.map((b) => `${b.strategy} (run ${b.runId.slice(0, 8)})`).join(', ')}`,
      { field: 'scope', details: { busy } },
    );
  }
}

/**
 * Creates the run's row and claims a lease on each of its strategies in one transaction, before any
 * cache write. A strategy leased by another live run makes the whole claim fail (nothing is
 * written) with the busy strategies named. Concurrent claims for one strategy serialize on its
 * lease row, so exactly one wins, across processes too.
 */
export async function createRun(database: Database, run: NewRun): Promise<{ id: string; createdAt: Date }> {
  // The common refusal costs one read, not a transaction: a burst of triggers for a strategy that
  // is being warmed stays cheap. The transaction below still decides races.
  const busy = await database.rows<BusyStrategy>(sql`
    select strategy, run_id::text as "runId", owner, acquired_at::text as since
    from strategy_leases
    where strategy = any(${toTextArray(run.strategies)}::text[]) and expires_at >= now()`);
  if (busy.length > 0) throw new StrategiesBusyError(busy);
  try {
    return await database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(runs)
        .values({
          trigger: run.trigger,
          triggeredBy: run.triggeredBy,
          scope: run.scope,
          strategies: run.strategies,
          concurrency: run.concurrency,
          onlyMissing: run.onlyMissing,
          dryRun: run.dryRun,
          owner: run.owner,
          scheduleId: run.scheduleId ?? null,
          retryOf: run.retryOf ?? null,
          keyFilter: run.keyFilter ?? null,
        })
        .returning({ id: runs.id, createdAt: runs.createdAt });
      const id = row!.id;
      const claimed = await rowsOf<{ strategy: string }>(
        await tx.execute(sql`
          insert into strategy_leases (strategy, run_id, owner, acquired_at, expires_at)
          select s, ${id}::uuid, ${run.owner}, now(), now() + make_interval(secs => ${LEASE_SECONDS})
          from unnest(${toTextArray(run.strategies)}::text[]) as s
          on conflict (strategy) do update
            set run_id = excluded.run_id, owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
            where strategy_leases.expires_at < now()
          returning strategy`),
      );
      if (claimed.length < run.strategies.length) {
        const busy = await rowsOf<BusyStrategy>(
          await tx.execute(sql`
            select strategy, run_id::text as "runId", owner, acquired_at::text as since
            from strategy_leases
            where strategy = any(${toTextArray(run.strategies)}::text[]) and run_id <> ${id}::uuid`),
        );
        throw new StrategiesBusyError(busy);
      }
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

export type HeartbeatReply = { owned: boolean; concurrency: number; cancelRequested: boolean };

/**
 * Renews the run's heartbeat and leases, stores its progress, and reads back what other processes
 * may have changed: its concurrency (retuned) and a cancel request. `owned: false` means another
 * process has meanwhile declared the run abandoned: it must stop.
 */
export async function heartbeat(database: Database, runId: string, progress: Record<string, unknown>): Promise<HeartbeatReply> {
  const rows = await database.rows<{ concurrency: number; cancel: boolean }>(sql`
    with renewed as (
      update strategy_leases set expires_at = now() + make_interval(secs => ${LEASE_SECONDS})
      where run_id = ${runId}::uuid
    )
    update runs set heartbeat_at = now(), progress = ${JSON.stringify(progress)}::jsonb
    where id = ${runId}::uuid and status = 'running'
    returning concurrency, cancel_requested_at is not null as cancel`);
  const row = rows[0];
  return row ? { owned: true, concurrency: row.concurrency, cancelRequested: row.cancel } : { owned: false, concurrency: 1, cancelRequested: true };
}

export async function saveStrategyResult(
  database: Database,
  run: { id: string; trigger: RunTrigger },
  position: number,
  stats: StrategyStats,
  failures: { key: string; error: string; at: Date }[],
): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx
      .insert(runStrategies)
      .values({
        runId: run.id,
        strategy: stats.strategy,
        position,
        outcome: stats.outcome,
        trigger: run.trigger,
        dryRun: stats.dryRun,
        priority: stats.priority,
        ttlSeconds: stats.ttlSeconds,
        total: stats.total,
        warmed: stats.warmed,
        skipped: stats.skipped,
        failed: stats.failed,
        successRate: stats.successRate,
        startedAt: stats.startedAt,
        finishedAt: stats.finishedAt,
        durationMs: stats.durationMs,
        error: stats.error ?? null,
        firstErrors: stats.firstErrors,
      })
      // A retried save after a lost reply must not fail on its own first attempt.
      .onConflictDoNothing();
    for (let i = 0; i < failures.length; i += 500) {
      await tx.insert(runFailures).values(failures.slice(i, i + 500).map((f) => ({ runId: run.id, strategy: stats.strategy, key: f.key, error: f.error, at: f.at })));
    }
  });
}

export type RunTotals = { total: number; warmed: number; skipped: number; failed: number; durationMs: number };

/** Writes the run's final state and frees its leases. Only a run still `running` is finished. */
export async function finishRun(
  database: Database,
  runId: string,
  status: Exclude<RunStatus, 'running'>,
  totals: RunTotals,
  error: string | null,
  progress: Record<string, unknown>,
  estimate?: RunEstimate | null,
): Promise<void> {
  await database.rows(sql`
    with freed as (delete from strategy_leases where run_id = ${runId}::uuid)
    update runs set status = ${status}, finished_at = now(), total = ${totals.total}, warmed = ${totals.warmed},
           skipped = ${totals.skipped}, failed = ${totals.failed}, duration_ms = ${totals.durationMs},
           error = ${error}, progress = ${JSON.stringify(progress)}::jsonb,
           estimate = ${estimate ? JSON.stringify(estimate) : null}::jsonb
    where id = ${runId}::uuid and status = 'running'
    returning id`);
}

/** Asks a run to stop; the process running it sees the request on its next heartbeat. */
export async function requestCancel(database: Database, runId: string, by: string): Promise<'requested' | 'not_running' | 'not_found'> {
  const rows = await database.rows<{ status: RunStatus }>(sql`
    update runs set cancel_requested_at = coalesce(cancel_requested_at, now()),
                    cancel_requested_by = coalesce(cancel_requested_by, ${by})
    where id = ${runId}::uuid
    returning status`);
  if (rows.length === 0) return 'not_found';
  return rows[0]!.status === 'running' ? 'requested' : 'not_running';
}

/**
 * Runs whose process stopped sending heartbeats (killed, frozen, cut off from the database) become
 * `abandoned`, and their leases are freed so their strategies can be warmed again.
 */
export async function sweepAbandonedRuns(database: Database, staleSeconds = LEASE_SECONDS): Promise<string[]> {
  const rows = await database.rows<{ id: string }>(sql`
    update runs set status = 'abandoned', finished_at = now(),
           duration_ms = (extract(epoch from (heartbeat_at - created_at)) * 1000)::int,
           error = 'The process running it (' || owner || ') stopped sending heartbeats at ' || to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
    where status = 'running' and heartbeat_at < now() - make_interval(secs => ${staleSeconds})
    returning id::text as id`);
  await database.rows(sql`
    delete from strategy_leases
    where expires_at < now() or run_id in (select id from runs where status <> 'running')`);
  return rows.map((r) => r.id);
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A text[] literal for a bind parameter: both drivers accept it, unlike a JS array in raw sql. */
function toTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
