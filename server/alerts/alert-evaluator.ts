import 'server-only';
import type { Cache } from '../cache';
import type { Config } from '../config';
import { withTryAdvisoryLock } from '../db/advisory-lock';
import type { Logger } from '../logger';
import type { RunSummary, ShardKey } from '../warmup/run-records';
import { type AlertDeps, type Condition, closeIncident, openIncident, remindOpenIncidents } from './incidents';
import { evaluateChangeStream, evaluateLateRuns, evaluateScheduleSlots, recordedSince } from './periodic-rules';
import { evaluateEvictions, evaluateGovernorFloor, evaluatePruneFailures, evaluateReplicaFallback } from './resource-rules';
import { alertThreshold, evaluateRunEnd, evaluateStrategyOutcome, latestStrategyOutcomes } from './run-end-rules';
import { formatDuration } from '@/lib/ui/format';

// Any fixed number: the same in every Kiln process.
const EVALUATOR_LOCK_ID = 7_283_519;
const OUTAGE_LOCK_ID = 7_283_520;
/** Conditions kept in memory while the database is unreachable, at most. */
const MAX_PENDING = 200;

export type AlertEvaluatorDeps = AlertDeps & {
  cache: Cache;
  logger: Logger;
  config: Pick<Config, 'alerts' | 'edge' | 'port' | 'changeStream'>;
};

type Pending = { kind: 'run'; summary: RunSummary } | { kind: 'open'; condition: Condition } | { kind: 'outage'; rule: 'database_down'; since: Date; until: Date };

/**
 * Evaluates the alert rules. Run-end rules when a run ends (`afterRun`, in the process that ended
 * it); the others on a timer, by one replica at a time (a Postgres advisory lock): late runs,
 * schedule slots, the change stream, the cache, replica fallbacks, governors at their floor, failed
 * pruning passes, evictions, reminders, and again each strategy's latest run
 * (so a process that died before its run-end evaluation loses nothing). Every process probes the
 * database and the cache on each tick; what it finds while the database is unreachable stays in
 * memory (bounded) and is written when the database answers again.
 */
export class AlertEvaluator {
  readonly #deps: AlertEvaluatorDeps;
  #timer?: NodeJS.Timeout;
  #ticking?: Promise<void>;
  #pending: Pending[] = [];
  #databaseDownSince: Date | null = null;
  #cacheDownSince: Date | null = null;
  #cacheError: string | null = null;

  constructor(deps: AlertEvaluatorDeps) {
    this.#deps = deps;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#deps.config.alerts.evaluateSeconds * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
  }

  /** Conditions waiting for the database (for the status page and tests). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The run-end rules for a run that just ended; kept for later if the database is unreachable. */
  afterRun(summary: RunSummary): void {
    if (summary.dryRun) return;
    void evaluateRunEnd(this.#deps, summary).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, runId: summary.runId }, 'Run-end alert rules could not be evaluated; kept until the database answers');
      this.#keep({ kind: 'run', summary });
    });
  }

  /** `job_dead_lettered`: a shard pg-boss gave up on. Closed by the strategy's next successful run. */
  shardGivenUp(shard: ShardKey, reason: string): void {
    const condition: Condition = {
      rule: 'job_dead_lettered',
      subject: `strategy:${shard.strategy}`,
      severity: 'warning',
      title: `A shard of ${shard.strategy} was given up`,
      text: `Shard ${shard.shard} of ${shard.strategy} in run ${shard.runId} went to the dead-letter queue: ${reason}`,
      details: { runId: shard.runId, strategy: shard.strategy, path: `/runs/${shard.runId}` },
    };
    void openIncident(this.#deps, condition).catch(() => this.#keep({ kind: 'open', condition }));
  }

  /** One evaluation (the timer calls it; tests call it to evaluate now). Never throws. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const { database, cache, logger, config } = this.#deps;
    const now = new Date();
    const downMs = config.alerts.downSeconds * 1000;
    const [db, cacheHealth] = await Promise.all([database.health().catch((e: Error) => ({ ok: false as const, latencyMs: 0, error: e.message })), cache.health().catch((e: Error) => ({ ok: false, latencyMs: 0, error: e.message }))]);
    if (cacheHealth.ok) this.#cacheDownSince = null;
    else {
      this.#cacheDownSince ??= now;
      this.#cacheError = cacheHealth.error ?? 'no answer';
    }
    if (!db.ok) {
      this.#databaseDownSince ??= now;
      return;
    }
    if (this.#databaseDownSince) {
      const since = this.#databaseDownSince;
      this.#databaseDownSince = null;
      if (now.getTime() - since.getTime() >= downMs) this.#keep({ kind: 'outage', rule: 'database_down', since, until: now });
    }
    try {
      await this.#flushPending();
      await withTryAdvisoryLock(database, EVALUATOR_LOCK_ID, () => this.#evaluate(now));
    } catch (error) {
      logger.warn({ err: error }, 'Alert evaluation failed; next tick retries');
    }
  }

  async #evaluate(now: Date): Promise<void> {
    const deps = this.#deps;
    const downMs = deps.config.alerts.downSeconds * 1000;
    if (this.#cacheDownSince && now.getTime() - this.#cacheDownSince.getTime() >= downMs) {
      await openIncident(deps, {
        rule: 'cache_down',
        subject: 'cache',
        severity: 'critical',
        title: 'The cache is unreachable',
        text: `The cache (${deps.cache.describe()}) has not answered for ${formatDuration(now.getTime() - this.#cacheDownSince.getTime())}: ${this.#cacheError}. Runs fail fast and shop reads go to the database.`,
        details: { path: '/' },
        at: this.#cacheDownSince,
      });
    } else if (!this.#cacheDownSince) {
      await closeIncident(deps, 'cache_down', 'cache', 'The cache answers again');
    }
    // Each rule on its own: one that fails (a query error) is logged and the others still run.
    const rules: [string, () => Promise<unknown>][] = [
      ['run_failed / success_rate', async () => {
        const threshold = await alertThreshold(deps);
        for (const outcome of await latestStrategyOutcomes(deps)) await evaluateStrategyOutcome(deps, outcome, threshold);
      }],
      ['run_late', () => evaluateLateRuns(deps)],
      ['schedule_missed', () => evaluateScheduleSlots(deps, now)],
      ['change_stream', () => evaluateChangeStream(deps)],
      ['replica_fallback', () => evaluateReplicaFallback(deps)],
      ['governor_floor', () => evaluateGovernorFloor(deps, now)],
      ['prune_failed', () => evaluatePruneFailures(deps)],
      ['cache_evictions', () => evaluateEvictions(deps)],
      ['reminders', () => remindOpenIncidents(deps)],
    ];
    for (const [name, evaluate] of rules) {
      await evaluate().catch((error: unknown) => deps.logger.warn({ err: error, rule: name }, `Alert rule ${name} could not be evaluated; the next tick tries again`));
    }
  }

  async #flushPending(): Promise<void> {
    while (this.#pending.length) {
      const item = this.#pending[0]!;
      if (item.kind === 'run') await evaluateRunEnd(this.#deps, item.summary);
      else if (item.kind === 'open') await openIncident(this.#deps, item.condition);
      else await this.#recordOutage(item.since, item.until);
      this.#pending.shift();
    }
  }

  /** An outage of the database, once it is over: opened and closed at once, by one replica of all. */
  async #recordOutage(since: Date, until: Date): Promise<void> {
    const deps = this.#deps;
    const text = `Kiln could not reach its database from ${since.toISOString()} to ${until.toISOString()} (${formatDuration(until.getTime() - since.getTime())}). Runs, schedules and the dashboard were unavailable meanwhile.`;
    // Every replica saw the same outage: one at a time looks whether another recorded it already.
    const result = await withTryAdvisoryLock(deps.database, OUTAGE_LOCK_ID, async () => {
      if (await recordedSince(deps, 'database_down', since)) return;
      await openIncident(deps, { rule: 'database_down', subject: 'database', severity: 'critical', title: 'The database was unreachable', text, details: { path: '/' }, at: since });
      await closeIncident(deps, 'database_down', 'database', `The database answers again (down ${formatDuration(until.getTime() - since.getTime())})`);
    });
    if (result.skipped) throw new Error('Another process is recording the database outage; looking again on the next tick');
  }

  #keep(item: Pending): void {
    if (this.#pending.length >= MAX_PENDING) this.#pending.shift();
    this.#pending.push(item);
  }
}
