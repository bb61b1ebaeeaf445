import 'server-only';
import os from 'node:os';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { RunTrigger, Scope } from '../db/schema';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { type RunDeps, type RunHandle, type RunPlan, type RunProgress, type RunSummary, executeRun } from './execute-run';
import { ConcurrencyLimiter, validateConcurrency } from './limiter';
import type { StrategyRegistry } from './registry';
import { executeRunInChild } from './run-in-child';
import { createRun, finishRun, requestCancel, sweepAbandonedRuns } from './run-store';
import { strategiesInScope } from './scope';
import { byPriority, getSettings, resolveStrategies } from './settings';
import type { ResolvedStrategy } from './strategy';

export type StartRunInput = {
  trigger: RunTrigger;
  /** Who or what asked: an operator's email, a token's name, a schedule's name, `system`. */
  triggeredBy: string;
  scope: Scope;
  /** Loads in flight; the global maxConcurrency setting when absent. */
  concurrency?: number;
  onlyMissing?: boolean;
  dryRun?: boolean;
  scheduleId?: number;
  /** A retry: only these keys, per strategy. */
  keyFilter?: Record<string, string[]>;
  retryOf?: string;
};

export type StartedRun = {
  runId: string;
  strategies: string[];
  /** Settles when the run has ended and its outcome is saved. */
  done: Promise<RunSummary>;
};

export type WarmerDeps = {
  database: Database;
  cache: Cache;
  logger: Logger;
  registry: StrategyRegistry;
  owner?: string;
  /** Called when a run of this process has ended and its outcome is saved (metrics, alerts). */
  onRunFinished?: (summary: RunSummary) => void;
  /** Estimates a real run from a dry run's counts (saved with the dry run). */
  estimate?: RunDeps['estimate'];
  /** Freshness guard (issue 17): passed to every inline run's engine (RunDeps.readVersion). */
  readVersion?: RunDeps['readVersion'];
  /**
   * `inline`: runs execute in this process. `child`: each run executes in a process of its own
   * (server/cli/execute-run.ts), so a big warmup never slows the server's requests nor they it;
   * it needs a database and a cache other processes can reach (Postgres, Redis).
   */
  executor?: 'inline' | 'child';
  /** The environment of run processes (tests pass theirs; the server's own by default). */
  childEnv?: NodeJS.ProcessEnv;
};

/**
 * The warmer of one process: starts runs (record and leases first, then the work in the
 * background), cancels them, sweeps runs whose process died, and drains on shutdown.
 */
export class Warmer {
  readonly owner: string;
  readonly #deps: WarmerDeps;
  readonly #active = new Map<string, RunHandle & { done: Promise<RunSummary> }>();
  #accepting = true;
  #sweeper?: NodeJS.Timeout;

  constructor(deps: WarmerDeps) {
    this.#deps = deps;
    this.owner = deps.owner ?? `${os.hostname()}:${process.pid}`;
  }

  /**
   * Creates the run (refused with StrategiesBusyError when one of its strategies is being warmed,
   * here or in another process) and starts it. Resolves as soon as the run is recorded.
   */
  async startRun(input: StartRunInput): Promise<StartedRun> {
    if (!this.#accepting) throw new AppError('unavailable', 'This Kiln process is shutting down and starts no new runs');
    const { database, logger, registry } = this.#deps;
    const settings = await getSettings(database);
    const all = await resolveStrategies(database, registry, settings);
    const selected = input.keyFilter ? strategiesForRetry(all, input.keyFilter) : strategiesInScope(all, input.scope);
    const concurrency = input.concurrency ?? settings.maxConcurrency;
    try {
      validateConcurrency(concurrency);
    } catch (error) {
      throw new AppError('invalid_request', (error as Error).message, { field: 'concurrency' });
    }
    const names = selected.map((s) => s.name);
    const { id, createdAt } = await createRun(database, {
      trigger: input.trigger,
      triggeredBy: input.triggeredBy,
      scope: input.scope,
      strategies: names,
      concurrency,
      onlyMissing: input.onlyMissing ?? false,
      dryRun: input.dryRun ?? false,
      owner: this.owner,
      scheduleId: input.scheduleId,
      retryOf: input.retryOf,
      keyFilter: input.keyFilter,
    });
    const plan: RunPlan = {
      runId: id,
      trigger: input.trigger,
      timeoutSeconds: settings.runTimeoutSeconds,
      createdAt,
      strategies: selected,
      concurrency,
      batchSize: settings.batchSize,
      loadTimeoutMs: settings.keyTimeoutMs,
      onlyMissing: input.onlyMissing ?? false,
      dryRun: input.dryRun ?? false,
      keyFilter: input.keyFilter ?? null,
    };
    logger.info({ runId: id, trigger: input.trigger, by: input.triggeredBy, strategies: names, concurrency }, `Run started: ${names.length} strategies (${names.join(', ')})`);
    const handle = {
      plan,
      controller: new AbortController(),
      limiter: new ConcurrencyLimiter(concurrency),
      progress: (): RunProgress => ({ runId: id, strategy: names[0] ?? null, position: 0, strategiesTotal: names.length, current: null, completed: [], concurrency, inFlight: 0 }),
    };
    const execution =
      this.#deps.executor === 'child'
        ? executeRunInChild({ database, logger, env: this.#deps.childEnv }, handle)
        : executeRun(this.#deps, handle);
    const done = execution.catch(async (error: unknown) => {
      // executeRun handles expected failures itself; this is a bug's last line of defence, so the
      // run does not stay `running` until the sweep notices.
      logger.error({ err: error, runId: id }, 'Run crashed');
      const totals = { total: 0, warmed: 0, skipped: 0, failed: 0, durationMs: Date.now() - createdAt.getTime() };
      await finishRun(database, id, 'failed', totals, `internal error: ${(error as Error).message}`, {}).catch(() => {});
      return { runId: id, status: 'failed', strategies: [], totals, successRate: null, error: (error as Error).message } satisfies RunSummary;
    });
    this.#active.set(id, Object.assign(handle, { done }));
    void done.then((summary) => {
      this.#active.delete(id);
      try {
        this.#deps.onRunFinished?.(summary);
      } catch (error) {
        logger.warn({ err: error, runId: id }, 'A run-finished listener failed');
      }
    });
    return { runId: id, strategies: names, done };
  }

  /**
   * Asks a run to stop. A run of this process stops at once; one of another process within a
   * heartbeat (half a second).
   */
  async cancelRun(runId: string, by: string): Promise<'requested' | 'not_running' | 'not_found'> {
    const result = await requestCancel(this.#deps.database, runId, by);
    const local = this.#active.get(runId);
    if (local && result === 'requested') local.controller.abort(new Error('cancelled'));
    return result;
  }

  /** Live progress of a run executed inline in this process (others: read runs.progress). */
  localProgress(runId: string): RunProgress | undefined {
    return this.#active.get(runId)?.progress();
  }

  /** Loads in flight across this process's runs. */
  loadsInFlight(): number {
    let n = 0;
    for (const run of this.#active.values()) n += run.limiter.activeCount;
    return n;
  }

  /** Marks runs of dead processes abandoned now and every `intervalMs`. */
  startSweeper(intervalMs = 60_000): void {
    const sweep = async () => {
      try {
        const abandoned = await sweepAbandonedRuns(this.#deps.database);
        if (abandoned.length) this.#deps.logger.warn({ runs: abandoned }, `Marked ${abandoned.length} run(s) abandoned: their process stopped`);
      } catch (error) {
        this.#deps.logger.warn({ err: error }, 'Sweeping abandoned runs failed');
      }
    };
    void sweep();
    this.#sweeper = setInterval(() => void sweep(), intervalMs);
    this.#sweeper.unref();
  }

  /**
   * Stops starting runs, gives running ones `graceMs` to finish, then cancels them and waits for
   * their outcome to be saved (bounded by `saveMs`).
   */
  async shutdown(graceMs = 15_000, saveMs = 8_000): Promise<void> {
    this.#accepting = false;
    if (this.#sweeper) clearInterval(this.#sweeper);
    const running = [...this.#active.values()];
    if (running.length === 0) return;
    this.#deps.logger.info({ runs: running.map((r) => r.plan.runId) }, 'Waiting for running warmups before shutting down');
    const all = Promise.allSettled(running.map((r) => r.done));
    if (await settlesWithin(all, graceMs)) return;
    for (const r of running) r.controller.abort(new Error('stopped: the server is shutting down'));
    await settlesWithin(all, saveMs);
  }
}

function strategiesForRetry(all: ResolvedStrategy[], keyFilter: Record<string, string[]>): ResolvedStrategy[] {
  const names = Object.keys(keyFilter).filter((n) => (keyFilter[n]?.length ?? 0) > 0);
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new AppError('invalid_request', `Unknown strategy: ${unknown.join(', ')}`, { field: 'keys' });
  if (names.length === 0) throw new AppError('invalid_request', 'No keys to retry', { field: 'keys' });
  return all.filter((s) => names.includes(s.name)).sort(byPriority);
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}
