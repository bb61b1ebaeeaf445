import 'server-only';
import type { RunProgress as ApiRunProgress } from '@/lib/api/runs';
import type { RunEstimate } from '@/lib/api/effect';
import { successRate } from '@/lib/success-rate';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { RunStatus, RunTrigger } from '../db/schema';
import type { Logger } from '../logger';
import { type StrategyProgress, type StrategyStats, warmStrategy } from './engine';
import { CacheBreaker } from './cache-breaker';
import { ConcurrencyLimiter } from './limiter';
import { persistWithRetry } from './persist';
import { type RunTotals, finishRun, heartbeat, saveStrategyResult } from './run-store';
import type { ResolvedStrategy } from './strategy';
import { formatSummary } from './summary';

export class RunDeadlineError extends Error {
  constructor(seconds: number) {
    super(`the run took longer than its deadline of ${seconds} s and was stopped`);
    this.name = this.constructor.name;
  }
}

/** Failures kept per run (key and error); the counts stay exact beyond it. */
export const MAX_FAILURES_PER_RUN = 1000;
const HEARTBEAT_MS = 500;

export type RunPlan = {
  runId: string;
  trigger: RunTrigger;
  /** The run is stopped and fails when it takes longer (the runTimeoutSeconds setting). */
  timeoutSeconds: number;
  createdAt: Date;
  strategies: ResolvedStrategy[];
  concurrency: number;
  batchSize: number;
  loadTimeoutMs: number;
  onlyMissing: boolean;
  dryRun: boolean;
  keyFilter: Record<string, string[]> | null;
};

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
};

export type RunDeps = {
  database: Database;
  cache: Cache;
  logger: Logger;
  /** Estimates a real run from a dry run's counts; its result is saved with the dry run. */
  estimate?: (strategies: ResolvedStrategy[], counted: StrategyStats[]) => Promise<RunEstimate>;
  /** Freshness guard (issue 17): the WAL position each batch reads before loading (engine.ts WarmOptions.readVersion). */
  readVersion?: () => Promise<string>;
};

/** Live state of a run in this process, for cancel and progress. */
export type RunHandle = {
  plan: RunPlan;
  controller: AbortController;
  limiter: ConcurrencyLimiter;
  progress: () => RunProgress;
};

/** Progress of a run of this process, as its heartbeat publishes it. */
export type RunProgress = ApiRunProgress & { runId: string };

/**
 * Runs a planned run's strategies one after another (the plan is already in priority order),
 * saves each one's stats and failures as it ends, heartbeats and reports progress while it goes,
 * and finishes the run record. Saves are retried while the database is away; the run's outcome is
 * logged in full in the meantime.
 */
export async function executeRun(deps: RunDeps, handle: RunHandle, onEnd?: () => void): Promise<RunSummary> {
  const { database, cache, logger } = deps;
  const { plan, controller, limiter } = handle;
  const log = logger.child({ runId: plan.runId });
  const results: StrategyStats[] = [];
  const failures: { key: string; error: string; at: Date; strategy: string }[] = [];
  let current: StrategyProgress | null = null;
  let position = 0;
  let lostOwnership = false;

  handle.progress = () => ({
    runId: plan.runId,
    strategy: plan.strategies[position]?.name ?? null,
    position,
    strategiesTotal: plan.strategies.length,
    current,
    completed: results.map((r) => ({ strategy: r.strategy, outcome: r.outcome, total: r.total, warmed: r.warmed, skipped: r.skipped, failed: r.failed })),
    concurrency: limiter.concurrency,
    inFlight: limiter.activeCount,
  });

  // Heartbeat: proves the run alive, renews its leases, publishes progress for every process, and
  // picks up a retuned concurrency or a cancel requested through another process.
  let heartbeatFailures = 0;
  const beat = async () => {
    try {
      const reply = await heartbeat(database, plan.runId, handle.progress());
      heartbeatFailures = 0;
      if (!reply.owned) {
        lostOwnership = true;
        controller.abort(new Error('another process declared this run abandoned'));
        return;
      }
      if (reply.concurrency !== limiter.concurrency) {
        log.info({ from: limiter.concurrency, to: reply.concurrency }, 'Concurrency retuned');
        limiter.concurrency = reply.concurrency;
      }
      if (reply.cancelRequested && !controller.signal.aborted) controller.abort(new Error('cancelled'));
    } catch (error) {
      if (heartbeatFailures++ % 20 === 0) log.warn({ err: error }, 'Heartbeat failed; the run goes on');
    }
  };
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  const breaker = new CacheBreaker();
  const deadline = setTimeout(
    () => controller.abort(new RunDeadlineError(plan.timeoutSeconds)),
    plan.timeoutSeconds * 1000,
  );

  try {
    for (position = 0; position < plan.strategies.length; position++) {
      const resolved = plan.strategies[position]!;
      if (controller.signal.aborted) break;
      current = null;
      const stats = await warmStrategy(resolved, {
        cache,
        database,
        limiter,
        signal: controller.signal,
        batchSize: plan.batchSize,
        loadTimeoutMs: plan.loadTimeoutMs,
        onlyMissing: plan.onlyMissing,
        dryRun: plan.dryRun,
        keys: plan.keyFilter?.[resolved.name],
        now: plan.createdAt,
        breaker,
        readVersion: deps.readVersion, // freshness guard (issue 17)
        onProgress: (p) => (current = p),
        onStart: (expected) =>
          log.info(
            { strategy: resolved.name, expected, priority: resolved.priority, ttlSeconds: resolved.ttlSeconds },
            `Starting cache warmup: ${expected ?? 'an unknown number of'} keys (strategy: ${resolved.name})`,
          ),
        onFailure: (key, error) => {
          if (failures.length < MAX_FAILURES_PER_RUN) failures.push({ key, error, at: new Date(), strategy: resolved.name });
        },
      });
      results.push(stats);
      log.info(
        { strategy: stats.strategy, outcome: stats.outcome, total: stats.total, warmed: stats.warmed, skipped: stats.skipped, failed: stats.failed, durationMs: stats.durationMs, error: stats.error },
        plan.dryRun ? `Dry run: ${stats.total} keys (strategy: ${stats.strategy})` : formatSummary(stats),
      );
      const own = failures.filter((f) => f.strategy === stats.strategy);
      await persistWithRetry(log, `stats of ${stats.strategy}`, { runId: plan.runId, stats, failures: own.length }, () =>
        saveStrategyResult(database, { id: plan.runId, trigger: plan.trigger }, position, stats, own),
      );
    }
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
  }

  const summary = summarize(plan, results, controller.signal, lostOwnership);
  if (plan.dryRun && deps.estimate && !controller.signal.aborted) {
    summary.estimate = await deps.estimate(plan.strategies, results).catch((error: unknown) => {
      log.warn({ err: error }, 'Estimating the dry run failed');
      return null;
    });
  }
  log.info(
    { status: summary.status, ...summary.totals, strategies: results.length, error: summary.error },
    plan.dryRun ? `Dry run: ${summary.totals.total} keys in ${results.length} strategies` : `${formatSummary(summary.totals)} [run ${summary.status}]`,
  );
  if (!lostOwnership) {
    await persistWithRetry(log, 'the run outcome', summary, () =>
      finishRun(database, plan.runId, summary.status, summary.totals, summary.error, { ...handle.progress(), final: true }, summary.estimate),
    );
  }
  onEnd?.();
  return summary;
}

function summarize(plan: RunPlan, results: StrategyStats[], signal: AbortSignal, lostOwnership: boolean): RunSummary {
  const totals: RunTotals = { total: 0, warmed: 0, skipped: 0, failed: 0, durationMs: Date.now() - plan.createdAt.getTime() };
  for (const r of results) {
    totals.total += r.total;
    totals.warmed += r.warmed;
    totals.skipped += r.skipped;
    totals.failed += r.failed;
  }
  const failedStrategies = results.filter((r) => r.outcome === 'failed');
  let status: RunSummary['status'];
  let error: string | null = null;
  if (signal.aborted && signal.reason instanceof RunDeadlineError) {
    status = 'failed';
    error = signal.reason.message;
  } else if (signal.aborted) {
    status = 'cancelled';
    const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
    error = lostOwnership ? reason : reason === 'cancelled' ? null : reason;
  } else if (results.length > 0 && failedStrategies.length === results.length) {
    status = 'failed';
  } else if (failedStrategies.length > 0 || totals.failed > 0) {
    status = 'partial';
  } else {
    status = 'succeeded';
  }
  if (!error && failedStrategies.length) {
    error = failedStrategies.map((r) => `${r.strategy}: ${r.error ?? `${r.failed} of ${r.total} keys failed`}`).join('; ');
  }
  return {
    runId: plan.runId,
    status,
    strategies: results,
    totals,
    successRate: successRate(totals),
    error,
  };
}
