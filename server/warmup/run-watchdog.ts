import 'server-only';
import { and, eq, lt, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { withTryAdvisoryLock } from '../db/advisory-lock';
import type { Database } from '../db/client';
import { runShards, runs, settings, workers } from '../db/schema';
import type { Logger } from '../logger';
import { type RunSummary, announceRunEnded, freeLocksOfEndedRuns, requestCancel } from './run-records';
import { DEADLINE_PREFIX, FAILED_PREFIX, finishDryRun, settleStoppedRun } from './shard-records';

// Any fixed number; the same in every Kiln process (migrations use 7_283_501, coverage 7_283_502).
const WATCHDOG_LOCK_ID = 7_283_503;
/** A worker that has not reported itself for this long is gone (it reports every 2 s). */
export const WORKER_GONE_SECONDS = 15;

export type WatchdogDeps = {
  database: Database;
  boss: PgBoss;
  logger: Logger;
  onRunFinished?: (summary: RunSummary) => void;
};

/**
 * What pg-boss cannot do for a run, checked every few seconds by one process of all (under an
 * advisory lock): a run past its deadline is stopped (its shards stop on their next heartbeat; one
 * with no shard running ends at once); a run whose queued work no live worker has taken within the
 * workerWaitSeconds setting fails, saying so (until then it waits, visibly); a stopped run whose
 * shards have all settled ends; strategies of ended runs are freed.
 */
export class RunWatchdog {
  readonly #deps: WatchdogDeps;
  #timer?: NodeJS.Timeout;
  #running?: Promise<unknown>;

  constructor(deps: WatchdogDeps) {
    this.#deps = deps;
  }

  start(intervalMs = 5000): void {
    this.#timer = setInterval(() => {
      this.#running ??= this.check()
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'Checking running runs failed'))
        .finally(() => (this.#running = undefined));
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass (tests call it directly). Returns the runs it stopped or ended. */
  async check(): Promise<string[]> {
    const outcome = await withTryAdvisoryLock(this.#deps.database, WATCHDOG_LOCK_ID, () => this.#pass());
    return outcome.skipped ? [] : outcome.result;
  }

  async #pass(): Promise<string[]> {
    const { database, boss, logger } = this.#deps;
    const db = database.db;
    const touched: string[] = [];

    // Past their deadline: stopped, as a heartbeat-less run of the old machinery was swept.
    const late = await db
      .select({ id: runs.id, timeout: sql<number>`(${runs.plan}->>'timeoutSeconds')::int` })
      .from(runs)
      .where(and(eq(runs.status, 'running'), sql`${runs.cancelRequestedAt} is null`, sql`${runs.createdAt} + make_interval(secs => (${runs.plan}->>'timeoutSeconds')::int) < now()`));
    for (const run of late) {
      await requestCancel(database, run.id, 'system', `${DEADLINE_PREFIX} the run took longer than its deadline of ${run.timeout} s and was stopped`);
      touched.push(run.id);
    }

    // Queued work and no live worker for longer than the bound: the run fails, saying why.
    const [bound] = await db.select({ waitSeconds: settings.workerWaitSeconds, paused: settings.paused }).from(settings).where(eq(settings.id, 1));
    const [live] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(workers)
      .where(and(eq(workers.state, 'running'), sql`${workers.lastSeenAt} > now() - make_interval(secs => ${WORKER_GONE_SECONDS})`));
    if (bound && !bound.paused && (live?.n ?? 0) === 0) {
      const starved = await db
        .selectDistinct({ runId: runShards.runId })
        .from(runShards)
        .innerJoin(runs, eq(runs.id, runShards.runId))
        .where(and(eq(runs.status, 'running'), sql`${runs.cancelRequestedAt} is null`, eq(runShards.status, 'queued'), lt(runShards.queuedAt, sql`now() - make_interval(secs => ${bound.waitSeconds})`)));
      const lastSeen = await db.select({ at: sql<string | null>`max(${workers.lastSeenAt})::text` }).from(workers);
      for (const { runId } of starved) {
        const since = lastSeen[0]?.at ? `no worker has reported since ${lastSeen[0].at}` : 'no worker has ever reported';
        await requestCancel(database, runId, 'system', `${FAILED_PREFIX} no worker took its work within ${bound.waitSeconds} s (${since}); start one with npm run worker`);
        touched.push(runId);
        logger.warn({ runId }, `Run ${runId} failed: no worker took its work within ${bound.waitSeconds} s`);
      }
    }

    // Stopped runs end once no shard runs; their queued shards are settled without a worker.
    const stopped = await db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.status, 'running'), sql`${runs.cancelRequestedAt} is not null`, sql`not exists (select 1 from run_shards s where s.run_id = ${runs.id} and s.status = 'running')`));
    for (const run of stopped) {
      const ended = await settleStoppedRun(database, boss, run.id);
      if (ended.dryRunToEstimate) await finishDryRun(database, run.id, null);
      if (ended.runEnded || ended.dryRunToEstimate) await this.#announce(run.id);
      touched.push(run.id);
    }

    // A dry run whose last shard settled but whose process died before it saved the estimate.
    const unfinished = await db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.status, 'running'), eq(runs.dryRun, true), sql`not exists (select 1 from run_shards s where s.run_id = ${runs.id} and s.status in ('queued', 'running'))`, sql`${runs.createdAt} < now() - interval '30 seconds'`, sql`(select count(*) from run_strategies rs where rs.run_id = ${runs.id}) = cardinality(${runs.strategies})`));
    for (const run of unfinished) {
      await finishDryRun(database, run.id, null);
      await this.#announce(run.id);
      touched.push(run.id);
    }

    await freeLocksOfEndedRuns(db);
    await db.delete(workers).where(sql`${workers.lastSeenAt} < now() - interval '7 days'`);
    return [...new Set(touched)];
  }

  async #announce(runId: string): Promise<void> {
    await announceRunEnded(this.#deps.database, runId, this.#deps.onRunFinished, this.#deps.logger);
  }
}
