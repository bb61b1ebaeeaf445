import 'server-only';
import os from 'node:os';
import type PgBoss from 'pg-boss';
import type { Database, Db } from '../db/client';
import type { Run, RunTrigger, Scope, StoredRunPlan } from '../db/schema';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { GovernorProfile } from './governor';
import { validateConcurrency } from './limiter';
import type { StrategyRegistry } from './registry';
import { type RunSummary, announceRunEnded, recordRun, requestCancel } from './run-records';
import type { RunWaiters } from './run-waiters';
import { strategiesInScope } from './scope';
import { byPriority, getSettings, resolveStrategies } from './settings';
import { finishDryRun, settleStoppedRun } from './shard-records';
import type { ResolvedStrategy } from './strategy';

export type { RunSummary };

export type StartRunInput = {
  trigger: RunTrigger;
  /** Who or what asked: an operator's email, a token's name, a schedule's name, `system`. */
  triggeredBy: string;
  scope: Scope;
  /** Loads in flight, summed over the run's shards; the global maxConcurrency setting when absent. */
  concurrency?: number;
  onlyMissing?: boolean;
  dryRun?: boolean;
  /** How the governor steers loads in flight under the concurrency (its ceiling); absent: `fixed`. */
  profile?: GovernorProfile;
  scheduleId?: number;
  /** A retry: only these keys, per strategy. */
  keyFilter?: Record<string, string[]>;
  retryOf?: string;
  /**
   * Written in the transaction that records the run (the caller's audit entry): the run and it are
   * kept, or neither. The mechanism knows nothing of what it writes.
   */
  inTransaction?: (tx: Db, run: Run) => Promise<void>;
};

export type StartedRun = {
  runId: string;
  strategies: string[];
  /** Settles when the run has ended (on whichever worker) and its outcome is saved. */
  done: Promise<RunSummary>;
};

export type WarmerDeps = {
  database: Database;
  boss: PgBoss;
  logger: Logger;
  registry: StrategyRegistry;
  waiters: RunWaiters;
  /** The name run records give the process that recorded a run (default host:pid). */
  owner?: string;
  /** Shard size and time cap of the runs this process records. */
  shards: { keys: number; seconds: number };
  /** Wakes this process's own workers when it queues work (others are woken by NOTIFY). */
  wakeLocalWorkers?: () => void;
  /** Told when this process ends a run itself (a cancel of a run with nothing running). */
  onRunFinished?: (summary: RunSummary) => void;
};

/**
 * Starts and stops runs for the operators' use cases. Starting a run records it and queues its
 * first strategy's work on pg-boss; workers (this process's or any other's) execute it. Nothing is
 * executed here: `done` follows the run wherever it goes.
 */
export class Warmer {
  readonly owner: string;
  readonly #deps: WarmerDeps;
  #accepting = true;

  constructor(deps: WarmerDeps) {
    this.#deps = deps;
    this.owner = deps.owner ?? `${os.hostname()}:${process.pid}`;
  }

  /**
   * Records the run and queues its work (refused with StrategiesBusyError when one of its
   * strategies is being warmed, here or in another process). Resolves as soon as it is recorded.
   */
  async startRun(input: StartRunInput): Promise<StartedRun> {
    if (!this.#accepting) throw new AppError('unavailable', 'This Kiln process is shutting down and starts no new runs');
    const { database, logger, registry, boss } = this.#deps;
    const settings = await getSettings(database);
    const all = await resolveStrategies(database, registry, settings);
    const selected = input.keyFilter ? strategiesForRetry(all, input.keyFilter) : strategiesInScope(all, input.scope);
    const concurrency = input.concurrency ?? settings.maxConcurrency;
    try {
      validateConcurrency(concurrency);
    } catch (error) {
      throw new AppError('invalid_request', (error as Error).message, { field: 'concurrency' });
    }
    // The plan is built once, here: every shard of the run, on any worker, executes exactly this.
    const plan: StoredRunPlan = {
      strategies: selected.map((s) => ({ name: s.name, priority: s.priority, ttlSeconds: s.ttlSeconds, options: s.options })),
      batchSize: settings.batchSize,
      loadTimeoutMs: settings.keyTimeoutMs,
      timeoutSeconds: settings.runTimeoutSeconds,
      shardKeys: this.#deps.shards.keys,
      shardSeconds: this.#deps.shards.seconds,
      profile: input.profile ?? 'fixed',
    };
    const run = await recordRun(
      database,
      boss,
      {
        trigger: input.trigger,
        triggeredBy: input.triggeredBy,
        scope: input.scope,
        concurrency,
        onlyMissing: input.onlyMissing ?? false,
        dryRun: input.dryRun ?? false,
        owner: this.owner,
        scheduleId: input.scheduleId,
        retryOf: input.retryOf,
        keyFilter: input.keyFilter,
        plan,
      },
      (name) => plan.strategies.find((s) => s.name === name)?.priority ?? 0,
      input.inTransaction,
    );
    this.#deps.wakeLocalWorkers?.();
    const names = plan.strategies.map((s) => s.name);
    logger.info({ runId: run.id, trigger: input.trigger, by: input.triggeredBy, strategies: names, concurrency, profile: plan.profile }, `Run queued: ${names.length} strategies (${names.join(', ')})`);
    return { runId: run.id, strategies: names, done: this.#deps.waiters.wait(run.id) };
  }

  /**
   * Asks a run to stop, on every worker that has a shard of it (within a heartbeat, half a second).
   * Its queued shards are settled at once, so a run with nothing running ends here and now.
   */
  async cancelRun(
    runId: string,
    by: string,
    reason: string | null = null,
    inTransaction?: (tx: Db) => Promise<void>,
  ): Promise<'requested' | 'not_running' | 'not_found'> {
    const result = await requestCancel(this.#deps.database, runId, by, reason, inTransaction);
    if (result === 'requested') {
      const ended = await settleStoppedRun(this.#deps.database, this.#deps.boss, runId);
      if (ended.dryRunToEstimate) await finishDryRun(this.#deps.database, runId, null);
      if (ended.runEnded || ended.dryRunToEstimate) await announceRunEnded(this.#deps.database, runId, this.#deps.onRunFinished, this.#deps.logger);
    }
    return result;
  }

  /** Runs are no longer started from this process (it is shutting down). */
  stopAccepting(): void {
    this.#accepting = false;
  }
}

function strategiesForRetry(all: ResolvedStrategy[], keyFilter: Record<string, string[]>): ResolvedStrategy[] {
  const names = Object.keys(keyFilter).filter((n) => (keyFilter[n]?.length ?? 0) > 0);
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new AppError('invalid_request', `Unknown strategy: ${unknown.join(', ')}`, { field: 'keys' });
  if (names.length === 0) throw new AppError('invalid_request', 'No keys to retry', { field: 'keys' });
  return all.filter((s) => names.includes(s.name)).sort(byPriority);
}
