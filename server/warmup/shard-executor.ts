import 'server-only';
import type PgBoss from 'pg-boss';
import type { RunEstimate } from '@/lib/api/effect';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import { type ShopSource, readReplayPosition, switchableDatabase } from '../db/shop-source';
import type { Run, ShardProgress } from '../db/schema';
import type { Logger } from '../logger';
import { CacheBreaker } from './cache-breaker';
import { type StrategyProgress, type StrategyStats, warmStrategy } from './engine';
import { type GovernorDecision, LoadGovernor } from './governor';
import { GOVERNOR_SAMPLE_MS, lastGovernorSample, recordGovernorSample } from './governor-samples';
import { ConcurrencyLimiter } from './limiter';
import { persistWithRetry } from './persist';
import type { StrategyRegistry } from './registry';
import { FENCE_MARGIN_SECONDS, type RunSummary, type ShardKey, announceRunEnded, recordRunWarning, requestCancel, shardExpirySeconds } from './run-records';
import { DEADLINE_PREFIX, type ShardResult, beginShard, endShard, finishDryRun, heartbeatShard, planShards } from './shard-records';
import type { ResolvedStrategy } from './strategy';
import { formatSummary } from './summary';
import { WarmSetCollector, keepRateFor } from './warm-set';

const HEARTBEAT_MS = 500;
/** How often the governor is asked; it decides once a window (a second) is long and full enough. */
const GOVERNOR_TICK_MS = 250;

export type ShardDeps = {
  /** Kiln's database: run records, shard state, settings. */
  database: Database;
  /**
   * Where strategies load the shop's data (the shop's primary, or its read replica while it keeps
   * up: server/db/shop-source.ts). Absent: `database` holds the shop too.
   */
  shop?: ShopSource;
  cache: Cache;
  boss: PgBoss;
  registry: StrategyRegistry;
  logger: Logger;
  /** This worker process, as run records name it (host:pid). */
  worker: string;
  /** Estimates a real run from a dry run's counts (saved with the dry run). */
  estimate?: (strategies: ResolvedStrategy[], counted: StrategyStats[]) => Promise<RunEstimate>;
  /** Told in the process that ended a run (metrics, coverage samples, views to refresh). */
  onRunFinished?: (summary: RunSummary) => void;
  /** Freshness guard (issue 17): the WAL position each batch reads before loading (engine.ts WarmOptions.readVersion). */
  readVersion?: () => Promise<string>;
};

export type ShardJob = { id: string; data: ShardKey; retryCount: number };

/**
 * What the worker does with the shard's pg-boss job afterwards: `complete` it, or leave it alone
 * (`release`) because this attempt may no longer own it (past its fence, or superseded): pg-boss
 * expires it, and a newer attempt, if any, finds the shard settled or does it.
 */
export type ShardOutcome = { job: 'complete' | 'release'; keys: number };

export type ShardControl = {
  /** performance.now() just before the job was fetched: its expiry cannot come earlier than that plus its expiry. */
  fetchedAt: number;
  /** Set when the worker is stopping: the shard hands back the rest of its range (ends cut). */
  handBack: () => boolean;
  /** Told of the shard's limiter while it runs (the worker reports loads in flight); returns the release. */
  track?: (limiter: ConcurrencyLimiter) => () => void;
};

/**
 * Executes one shard: takes it for this attempt, splits the strategy's key space first if it is
 * the strategy's first shard, warms its keys with the engine (a share of the run's concurrency,
 * retuned and cancelled through its heartbeat), stops listing at its time cap or a hand-back and
 * queues the rest, and writes its result once. Writes to the cache stop at its fence, before pg-boss
 * can give the shard to another worker: two attempts never write at the same time.
 */
export async function executeShard(deps: ShardDeps, job: ShardJob, control: ShardControl): Promise<ShardOutcome> {
  const { database, cache, boss, registry, logger } = deps;
  const key = job.data;
  const attempt = job.retryCount;
  const log = logger.child({ runId: key.runId, strategy: key.strategy, shard: key.shard, attempt });
  const begun = await beginShard(database, key, attempt, deps.worker, Boolean(registry.get(key.strategy)?.keySpace));
  if (!begun) return { job: 'complete', keys: 0 };
  const { run, shard } = begun;
  const plan = run.plan!;
  const expiryMs = shardExpirySeconds(plan) * 1000;
  const fenceAt = control.fetchedAt + expiryMs - FENCE_MARGIN_SECONDS * 1000;
  const runDeadlineAt = control.fetchedAt + (run.createdAt.getTime() + plan.timeoutSeconds * 1000 - Date.now());
  const capAt = control.fetchedAt + plan.shardSeconds * 1000;
  const resolved = resolve(registry, plan, key.strategy);
  if (!resolved) {
    await save({ status: 'failed', error: `no strategy named ${key.strategy} is registered in this worker (${deps.worker})` });
    return { job: 'complete', keys: 0 };
  }

  // The shop's data comes from the replica while its lag is within bound, else from the primary:
  // asked before the shard starts and again every check interval (between batches, through one object).
  const chosen = deps.shop ? await deps.shop.choose() : null;
  const shopDb = switchableDatabase(chosen?.database ?? database);
  const where = `${key.strategy} shard ${key.shard}`;
  const warn = (warning: { code: string; message: string }) => {
    log.warn({ warning }, warning.message);
    void recordRunWarning(database, key.runId, { code: warning.code, message: `${warning.message} [${where}]` }).catch((error: unknown) => log.warn({ err: error }, 'Could not record the run warning'));
  };
  if (chosen?.warning) warn(chosen.warning);
  let recheck: NodeJS.Timeout | undefined;
  if (deps.shop?.replica) {
    const shop = deps.shop;
    recheck = setInterval(() => {
      void shop.choose().then((next) => {
        if (next.database === shopDb.current()) return;
        shopDb.set(next.database);
        if (next.warning) warn(next.warning);
        else log.info({ replica: next.status }, `The read replica caught up: ${where} loads from it again`);
      }, () => {});
    }, shop.checkIntervalMs);
  }
  const readVersion = deps.readVersion && deps.shop?.replica
    ? (() => {
        // Loaded from the replica, a batch's data is as of the replica's replayed position, not the primary's.
        const { readVersion: primaryVersion } = deps;
        const replica = deps.shop.replica;
        return () => (shopDb.current() === replica ? readReplayPosition(replica) : primaryVersion());
      })()
    : deps.readVersion;

  const controller = new AbortController();
  const limiter = new ConcurrencyLimiter(1);
  // The governor steers loads in flight within this shard's share of the run's concurrency (its
  // ceiling, brought back by every heartbeat); it is made at the first beat, when the share is known.
  const profile = plan.profile ?? 'fixed';
  let governor: LoadGovernor | undefined;
  const seed = profile === 'gentle' ? await lastGovernorSample(database, key.runId, key.strategy).catch(() => null) : null;
  const steer = (ceiling: number) => {
    if (!governor) {
      const start = seed ? { concurrency: (seed.concurrency * ceiling) / Math.max(1, seed.ceiling), baselineMs: seed.baselineMs } : undefined;
      governor = new LoadGovernor({ profile, ceiling, start });
    }
    else governor.setCeiling(ceiling);
    if (limiter.concurrency !== governor.concurrency) limiter.concurrency = governor.concurrency;
  };
  // One sample per GOVERNOR_SAMPLE_MS at most: of the decisions in between, the one to explain is kept
  // (a back-off over a climb, a climb over a hold), with the concurrency that decision set.
  let pending: GovernorDecision | null = null;
  let sampledAt = -Infinity;
  const rank = { down: 2, up: 1, hold: 0 } as const;
  const flushSample = () => {
    const sample = pending;
    if (!sample) return Promise.resolve();
    pending = null;
    sampledAt = performance.now();
    return recordGovernorSample(database, key, sample).catch((error: unknown) => log.debug({ err: error }, 'Recording a governor sample failed'));
  };
  const decide = () => {
    const d = governor?.decide(performance.now());
    if (!d) return;
    if (limiter.concurrency !== d.concurrency) limiter.concurrency = d.concurrency;
    if (!pending || rank[d.move] >= rank[pending.move]) pending = d;
    if (performance.now() - sampledAt >= GOVERNOR_SAMPLE_MS) void flushSample();
  };
  const untrack = control.track?.(limiter) ?? (() => {});
  let phase = 'starting';
  let current: StrategyProgress | null = null;
  let owned = true;
  const progress = (): ShardProgress | null =>
    current && { expected: current.expected, done: current.done, warmed: current.warmed, skipped: current.skipped, failed: current.failed, keysPerSecond: current.keysPerSecond, inFlight: limiter.activeCount, concurrency: limiter.concurrency, elapsedMs: current.elapsedMs };

  // The heartbeat publishes progress and brings back what other processes changed: a retuned
  // concurrency (this shard's share of it), a cancel, a newer attempt that took the shard over.
  let beatFailures = 0;
  const beat = async () => {
    try {
      const reply = await heartbeatShard(database, key, attempt, phase, progress());
      beatFailures = 0;
      if (!reply.owned) {
        owned = false;
        if (!controller.signal.aborted) controller.abort(new Error('superseded: another attempt took the shard over'));
        return;
      }
      steer(reply.share);
      if (reply.cancelRequested && !controller.signal.aborted) controller.abort(new Error(reply.cancelReason ?? 'cancelled'));
    } catch (error) {
      if (beatFailures++ % 20 === 0) log.warn({ err: error }, 'Shard heartbeat failed; the shard goes on until its fence');
    }
  };
  await beat();
  if (!governor) steer(limiter.concurrency); // the first beat failed: the governor starts from what the limiter has
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  const governorTimer = setInterval(decide, GOVERNOR_TICK_MS);
  const deadline = setTimeout(() => {
    // The whole run stops, not only this shard: its other shards see the request on their heartbeat.
    const reason = `${DEADLINE_PREFIX} the run took longer than its deadline of ${plan.timeoutSeconds} s and was stopped`;
    void requestCancel(database, key.runId, 'system', reason).catch(() => {});
    controller.abort(new Error(reason));
  }, Math.max(0, runDeadlineAt - performance.now()));

  try {
    let range = shard.rangeFrom !== null && shard.rangeTo !== null ? { from: shard.rangeFrom, to: shard.rangeTo } : undefined;
    let expected = shard.expected;
    const ctx = { database: shopDb.database, options: resolved.options, signal: controller.signal, now: run.createdAt, batchSize: plan.batchSize };
    if (!shard.planned && resolved.strategy.keySpace && !run.dryRun) {
      // The strategy's first shard splits its key space: this range is its own, the rest are queued for every worker.
      phase = 'planning';
      void beat();
      const ranges = await resolved.strategy.keySpace.ranges(ctx, plan.shardKeys);
      if (!(await planShards(database, boss, key, attempt, ranges))) return { job: 'release', keys: 0 };
      range = ranges[0] ? { from: ranges[0].from, to: ranges[0].to } : { from: 0, to: 0 };
      expected = ranges[0]?.keys ?? 0;
      if (ranges.length > 1) log.info({ shards: ranges.length }, `Split ${key.strategy} into ${ranges.length} shards of up to ${plan.shardKeys} keys`);
    }
    if (controller.signal.aborted) {
      const stopped = stoppedResult(controller.signal);
      return finish(await save(stopped), 0);
    }
    phase = expected === null && resolved.strategy.countKeys ? 'counting' : 'warming';
    const failures: ShardResult['failures'] = [];
    const keyFilter = run.keyFilter?.[key.strategy];
    // The warm set this shard wrote (issue 18), hash-picked when the whole strategy is past the bound.
    const warmSet = run.dryRun ? null : new WarmSetCollector(keyFilter || !resolved.strategy.countKeys ? 1 : keepRateFor(await resolved.strategy.countKeys(ctx).catch(() => null)));
    const breaker = new CacheBreaker(3, { consecutive: run.cacheFailuresInARow, lastError: run.cacheLastError });
    const stats = await warmStrategy(resolved, {
      cache,
      database: shopDb.database,
      limiter,
      signal: controller.signal,
      batchSize: plan.batchSize,
      loadTimeoutMs: plan.loadTimeoutMs,
      onlyMissing: run.onlyMissing,
      dryRun: run.dryRun,
      keys: keyFilter,
      range,
      skip: shard.skip,
      now: run.createdAt,
      breaker,
      stopListing: () => performance.now() >= capAt || control.handBack(),
      fenceAt,
      readVersion, // freshness guard (issue 17)
      onLoad: (ms, keys, ok) => governor?.observeLoad(ms, keys, ok, performance.now()),
      onWrite: (ms) => governor?.observeWrite(ms, performance.now()),
      onProgress: (p) => {
        current = p;
        phase = 'warming';
      },
      onStart: (count) => {
        current = { strategy: key.strategy, expected: count, done: 0, warmed: 0, skipped: 0, failed: 0, keysPerSecond: 0, elapsedMs: 0 };
        phase = 'warming';
        void beat(); // the count is news: publish it now rather than at the next beat
      },
      onFailure: (failedKey, error) => failures.push({ key: failedKey, error, at: new Date() }),
      onWarmed: warmSet ? (keys, writtenAt) => warmSet.add(keys, writtenAt) : undefined,
    });
    if (stats.fenced || !owned) {
      log.warn({ fenced: stats.fenced, owned }, 'Shard stopped without saving: it reached its fence or another attempt took it over; the next attempt does its keys');
      return { job: 'release', keys: 0 };
    }
    phase = 'saving';
    const remainder = stats.resume
      ? 'position' in stats.resume
        ? { rangeFrom: stats.resume.position, rangeTo: range?.to ?? null, skip: 0, expected: null }
        : { rangeFrom: range?.from ?? null, rangeTo: range?.to ?? null, skip: stats.resume.skip, expected: expected !== null ? Math.max(0, expected - stats.total) : null }
      : undefined;
    const result: ShardResult = {
      status: controller.signal.aborted ? 'cancelled' : 'done',
      total: stats.total,
      warmed: stats.warmed,
      skipped: stats.skipped,
      failed: stats.failed,
      durationMs: stats.durationMs,
      error: stats.error ?? (controller.signal.aborted ? abortReason(controller.signal) : undefined),
      firstErrors: stats.firstErrors,
      failures,
      warmSet: warmSet ?? undefined,
      remainder,
      progress: progress(),
      breaker: breaker.state,
    };
    log.info(
      { total: stats.total, warmed: stats.warmed, skipped: stats.skipped, failed: stats.failed, durationMs: stats.durationMs, cut: stats.cut },
      run.dryRun ? `Dry run shard: ${stats.total} keys` : `${formatSummary(stats)} [${key.strategy} shard ${key.shard}${stats.cut ? ', cut: the rest is queued' : ''}]`,
    );
    return finish(await save(result), stats.total);
  } finally {
    clearInterval(timer);
    clearInterval(governorTimer);
    clearInterval(recheck);
    clearTimeout(deadline);
    await flushSample(); // the last decision, so a shard's end does not lose why it moved
    untrack();
  }

  /** Writes the result, retrying while the database is away: a late save lands unless a newer attempt superseded it. */
  async function save(partial: Partial<ShardResult> & Pick<ShardResult, 'status'>): Promise<'saved' | 'superseded' | 'lost'> {
    const result: ShardResult = { total: 0, warmed: 0, skipped: 0, failed: 0, durationMs: 0, firstErrors: [], failures: [], progress: null, ...partial };
    let end: Awaited<ReturnType<typeof endShard>> | undefined;
    const saved = await persistWithRetry(log, `the result of ${key.strategy} shard ${key.shard}`, { ...result, failures: result.failures.length }, async () => {
      end = await endShard(database, boss, key, attempt, result);
    });
    if (!saved || !end) return 'lost';
    if (end.kind === 'superseded') {
      log.warn('A newer attempt superseded this shard while it saved: its result is not counted (the newer one is)');
      return 'superseded';
    }
    if (end.dryRunToEstimate) await endDryRun();
    else if (end.runEnded) await announceEnd();
    return 'saved';
  }

  function finish(saved: 'saved' | 'superseded' | 'lost', keys: number): ShardOutcome {
    // Past the fence the job may already be another attempt's: leave it to pg-boss.
    return { job: saved === 'saved' && performance.now() < fenceAt ? 'complete' : 'release', keys };
  }

  async function endDryRun(): Promise<void> {
    const summary = await readRunSummaryOfDryRun();
    let estimate: RunEstimate | null = null;
    if (deps.estimate && summary) {
      const strategies = plan.strategies.flatMap((s) => resolve(registry, plan, s.name) ?? []);
      estimate = await deps.estimate(strategies, summary).catch((error: unknown) => {
        log.warn({ err: error }, 'Estimating the dry run failed');
        return null;
      });
    }
    await finishDryRun(database, key.runId, estimate);
    await announceEnd();
  }

  async function readRunSummaryOfDryRun(): Promise<StrategyStats[] | undefined> {
    const rows = await database.db.query.runStrategies.findMany({ where: (t, { eq }) => eq(t.runId, key.runId) });
    return rows.map((r) => ({ ...r, outcome: r.outcome === 'skipped' ? 'failed' : r.outcome, error: r.error ?? undefined, cut: false, resume: null, fenced: false }));
  }

  async function announceEnd(): Promise<void> {
    await announceRunEnded(database, key.runId, deps.onRunFinished, logger);
  }
}

function stoppedResult(signal: AbortSignal): Pick<ShardResult, 'status' | 'error'> {
  return { status: 'cancelled', error: abortReason(signal) };
}

function abortReason(signal: AbortSignal): string | undefined {
  const message = signal.reason instanceof Error ? signal.reason.message : undefined;
  return message === 'cancelled' ? undefined : message;
}

/** The strategy as the run's plan fixed it (priority, TTL, options), with this process's implementation. */
function resolve(registry: StrategyRegistry, plan: NonNullable<Run['plan']>, name: string): ResolvedStrategy | undefined {
  const strategy = registry.get(name);
  const planned = plan.strategies.find((s) => s.name === name);
  if (!strategy || !planned) return undefined;
  return {
    strategy,
    name,
    priority: planned.priority,
    ttlSeconds: planned.ttlSeconds,
    defaultTtlSeconds: planned.ttlSeconds,
    enabled: true,
    options: planned.options,
  };
}
