import 'server-only';
import { AlertDelivery } from './alerts/alert-delivery';
import { AlertEvaluator } from './alerts/alert-evaluator';
import { RefusalLog } from './audit/refusal-log';
import { ensureInitialAdmin } from './auth/ensure-initial-admin';
import { pruneExpiredRateLimits } from './auth/rate-limit';
import { type Cache, openCache } from './cache';
import { RedisCache } from './cache/redis-cache';
import { type Config, getConfig } from './config';
import { AppError } from './errors';
import { allChangeRules, allStrategies } from './contexts';
import { type Database, openDatabase, openPostgres } from './db/client';
import { ShopSource } from './db/shop-source';
import { applyMigrations } from './db/migrate';
import { seedDemoShopIfEmpty } from './db/seed/demo';
import { loadPolicyDays } from './retention/prune';
import { RetentionRunner } from './retention/retention-runner';
import { CoverageSampler } from './effect/coverage-sampler';
import { EffectSampler } from './effect/effect-sampler';
import { dryRunEstimator } from './effect/estimate-run';
import { ChangeStreamConsumer } from './freshness/consumer';
import { freshnessGuard } from './freshness/rewarm-plan';
import { type Logger, createLogger, installProcessLogger } from './logger';
import { type Metrics, createMetrics } from './metrics/metrics';
import { type ShopReadPath, createShopReadPath } from './reads/shop-read-path';
import { ensureDefaultSchedules } from './scheduling/default-schedules';
import { ScheduleRunner } from './scheduling/schedule-runner';
import { forgetRecentStrategyViews } from './strategies/strategy-views';
import { createBoss } from './warmup/job-queue';
import { StrategyRegistry } from './warmup/registry';
import type { RunSummary } from './warmup/run-records';
import { RunWaiters } from './warmup/run-waiters';
import { RunWatchdog } from './warmup/run-watchdog';
import type { WarmupStrategy } from './warmup/strategy';
import { Warmer } from './warmup/warmer';
import { WorkerPool } from './warmup/worker-pool';
import { outsideRequest } from './http/request-context';
import type PgBoss from 'pg-boss';

/**
 * Every long-lived part of a Kiln process, built once by buildRuntime (the one composition root:
 * the server, the CLI, a run's own process and the tests all build it the same way) and torn
 * down in reverse by stop(). Below the edges (route handlers, boot, CLI entries) nothing looks it
 * up: functions receive the parts they need as arguments.
 */
export type Runtime = {
  config: Config;
  logger: Logger;
  /** Kiln's own state: its tables and the job engine's (DATABASE_URL). */
  database: Database;
  /** The shop's primary (SHOP_DATABASE_URL; the same object as `database` unless set apart). */
  shopDatabase: Database;
  /** Where runs load the shop's data: the read replica (DATABASE_READ_URL) within its lag bound, else the primary. */
  shopSource: ShopSource;
  cache: Cache;
  registry: StrategyRegistry;
  /** The job engine (pg-boss) on Kiln's database: runs' shards are its jobs. */
  boss: PgBoss;
  /** Records and stops runs; workers (here or elsewhere) execute them. */
  warmer: Warmer;
  /** This process's workers, when it has any (worker processes, the embedded default, CLI, tests). */
  workers: WorkerPool | null;
  /** Deadlines and the bound on waiting for a worker (started in servers and workers). */
  watchdog: RunWatchdog;
  scheduler: ScheduleRunner;
  metrics: Metrics;
  /** The shop's read path: cache-aside reads, their counts per key family, the per-address limit. */
  shop: ShopReadPath;
  /** Cache coverage samples: after each run, periodically (one replica), on demand. */
  coverage: CoverageSampler;
  /** Keyspace counters and used/unread checks of runs' warm sets (issue 18): after each run, periodically (one replica). */
  effect: EffectSampler;
  /** Re-warms the keys a database change touches (started in server mode; one consumer across replicas). */
  freshness: ChangeStreamConsumer;
  /** Prunes by the retention policies (servers and workers, one pass at a time across them). */
  retention: RetentionRunner;
  /** Requests refused without a valid credential: counted, summarized in the audit log once a minute per address. */
  refusals: RefusalLog;
  /** Alert rules (run ends here; the periodic ones by one replica) and the outbox's delivery loop. */
  alerts: { evaluator: AlertEvaluator; delivery: AlertDelivery | null };
  startedAt: Date;
  /** What the process is doing now, for /api/ready and the status page. */
  phase: () => RuntimePhase;
  stop: () => Promise<void>;
};

/** starting: opening the database; warming: the start-up warmup runs; ready: serving; stopping. */
export type RuntimePhase = 'starting' | 'warming' | 'ready' | 'stopping';

/**
 * - `server`: a serving process: migrations, demo data and the first admin on a first start, the
 *   default schedules, periodic work (sweeps, read-count flushes, coverage samples), the schedule
 *   runner unless SCHEDULER_ENABLED=false, and the start-up warmup.
 * - `cli`: a one-shot command: migrations, nothing periodic, no schedules fired.
 * - `worker`: a worker process (`npm run worker`, or beside the server under `npm start`):
 *   migrations, workers taking shards, the run watchdog; no schedules, no shop reads.
 * - `test`: the caller's database as it is, workers in the process, nothing else periodic.
 * A server runs workers itself when the configuration says so (the embedded database and the
 * in-process cache allow no other process); the CLI runs them for the duration of its command.
 */
export type RuntimeMode = 'server' | 'worker' | 'cli' | 'test';

export type RuntimeOptions = {
  mode: RuntimeMode;
  /** The configuration (default: the process environment's). */
  config?: Config;
  logger?: Logger;
  /** A database the caller opened and closes itself (tests); otherwise the configured one is opened. */
  database?: Database;
  /** The shop's primary and read replica, when the caller opened them (tests); otherwise the configured ones. */
  shopDatabase?: Database;
  readReplica?: Database;
  /** A cache the caller owns (tests); otherwise the configured one is opened. */
  cache?: Cache;
  /** The strategies to register (default: every bounded context's). */
  strategies?: readonly WarmupStrategy[];
  /** The warmer's owner name in run records (default: host:pid). */
  owner?: string;
  /** Whether this process runs workers (default: by mode and configuration). */
  workers?: boolean;
};

/** Builds a runtime. A failed build closes whatever it had opened before rethrowing. */
export async function buildRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { mode } = options;
  const config = options.config ?? getConfig();
  const logger = options.logger ?? createLogger(config.logLevel);
  if (mode !== 'test') installProcessLogger(logger);
  const background = mode === 'server';
  let phase: RuntimePhase = 'starting';
  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
  const closeAll = async (): Promise<unknown> => {
    // Every cleanup runs even when an earlier one throws; the first error is reported after.
    let firstError: unknown;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        logger.error({ err: error, part: cleanup.name }, 'Shutdown step failed');
        firstError ??= error;
      }
    }
    return firstError;
  };

  try {
    const database = options.database ?? (await openDatabase(config.database));
    if (!options.database) cleanups.push({ name: 'database', run: () => database.close() });
    if (mode === 'server' || mode === 'cli' || mode === 'worker') {
      await applyMigrations(database);
      logger.info({ database: database.describe() }, 'Database ready (migrations applied)');
    }
    // The shop's data apart from Kiln's state (SHOP_DATABASE_URL), and its read replica (DATABASE_READ_URL).
    const shopDatabase = options.shopDatabase ?? (config.shop.primaryUrl ? await openPostgres(config.shop.primaryUrl, poolMaxOf(config)) : database);
    if (!options.shopDatabase && shopDatabase !== database) cleanups.push({ name: 'shop database', run: () => shopDatabase.close() });
    const readReplica = options.readReplica ?? (config.shop.readUrl ? await openPostgres(config.shop.readUrl, poolMaxOf(config)) : null);
    if (!options.readReplica && readReplica) cleanups.push({ name: 'read replica', run: () => readReplica.close() });
    const shopSource = new ShopSource({ primary: shopDatabase, replica: readReplica, maxLagBytes: config.shop.maxLagBytes, checkIntervalMs: config.shop.checkSeconds * 1000, logger });
    if (shopDatabase !== database) logger.info({ shop: shopDatabase.describe() }, 'The shop\'s data is read from its own database');
    if (readReplica) logger.info({ replica: readReplica.describe(), maxLagBytes: config.shop.maxLagBytes }, 'Runs load from the read replica while its replay lag is within bound');
    if (mode === 'server') {
      // Demo data only where it cannot land in a real shop: Kiln's own database holding the shop.
      if (config.seedDemoData === 'auto' && shopDatabase === database) await seedDemoShopIfEmpty(database, config.demoProducts, logger);
      await ensureInitialAdmin(database, config, logger);
    }

    const cache = options.cache ?? openCache(config.cache);
    if (!options.cache) cleanups.push({ name: 'cache', run: () => cache.close() });
    if (mode === 'cli' || mode === 'worker') {
      // Not waiting long: a Redis that is down is the engine's to report (its breaker fails the run fast).
      if (cache instanceof RedisCache) await cache.ready(3000).catch(() => {});
    }
    logger.info({ cache: cache.describe() }, 'Cache configured');

    const registry = new StrategyRegistry();
    for (const strategy of options.strategies ?? allStrategies) registry.register(strategy);

    const shop = createShopReadPath({ database, shopDatabase, cache, registry, logger, perSecond: config.shopRateLimitPerSecond });
    const coverage = new CoverageSampler({ database, shopDatabase, cache, logger, registry, intervalMs: config.coverageSampleMinutes * 60_000 });
    // After the warmer's drain (cleanups run in reverse): the drained runs' samples and the last
    // read counts are written before the cache and the database close.
    cleanups.push({ name: 'shop read counts', run: () => shop.counter.stop() });
    cleanups.push({ name: 'coverage', run: () => coverage.stop() });
    const effect = new EffectSampler({ database, cache, logger, intervalMs: config.keyspaceSampleSeconds * 1000 });
    cleanups.push({ name: 'effect', run: () => effect.stop() });
    // pg-boss keeps its archive for the job_archive retention policy's days (read once, at the start).
    const archiveDays = await loadPolicyDays(database).then(
      (days) => days.job_archive,
      () => undefined,
    );
    const boss = createBoss(database, { supervise: mode !== 'cli', maintenanceIntervalSeconds: config.workers.maintenanceSeconds, archiveDays });
    const metrics = createMetrics({ database, cache, boss, shopSource });
    const refusals = new RefusalLog({ database, logger, count: metrics.countRefusal });
    cleanups.push({ name: 'refused-request summary', run: () => refusals.stop() });
    // Delivery: every process but a one-shot command works the outbox (pg-boss hands each message to one).
    const delivery = mode === 'cli' ? null : new AlertDelivery({ database, boss, logger, smtp: config.smtp, worker: options.owner ?? `${process.pid}`, onAttempt: metrics.countAlertDelivery });
    const evaluator = new AlertEvaluator({ database, boss, cache, logger, config, wake: () => delivery?.wake() });
    const onRunFinished = (summary: RunSummary) => {
      evaluator.afterRun(summary);
      metrics.observeRun(summary);
      coverage.afterRun(summary);
      effect.afterRun(summary);
      forgetRecentStrategyViews(database); // their last run changed
    };

    boss.on('error', (error) => logger.warn({ err: error }, 'The job engine reported an error'));
    await boss.start();
    cleanups.push({ name: 'job engine', run: () => boss.stop({ graceful: false, close: false, wait: true }) });
    if (delivery) {
      await delivery.start();
      cleanups.push({ name: 'alert delivery', run: () => delivery.stop() });
    }
    if (mode === 'server' || mode === 'worker') {
      evaluator.start();
      cleanups.push({ name: 'alert evaluator', run: () => evaluator.stop() });
    }
    const waiters = new RunWaiters(database, logger);
    cleanups.push({ name: 'run waiters', run: () => waiters.close() });
    const watchdog = new RunWatchdog({ database, boss, logger, onRunFinished });
    const runsWorkers = options.workers ?? (mode === 'worker' || mode === 'cli' || mode === 'test' || (mode === 'server' && config.workers.inServer));
    const workers = runsWorkers
      ? new WorkerPool(
          { database, shop: shopSource, cache, boss, registry, logger, estimate: dryRunEstimator({ database, shopDatabase, cache }), onRunFinished, onShardGivenUp: (shard, reason) => evaluator.shardGivenUp(shard, reason), readVersion: freshnessGuard(config, shopDatabase) },
          { slots: config.workers.slots },
        )
      : null;
    const warmer = new Warmer({
      database,
      boss,
      logger,
      registry,
      waiters,
      owner: options.owner,
      shards: config.shards,
      wakeLocalWorkers: () => workers?.wake(),
      onRunFinished,
    });
    if (workers) {
      await workers.start();
      // Shards in progress hand back the rest of their range and save: the run goes on elsewhere.
      cleanups.push({ name: 'workers', run: () => workers.stop(background ? 15_000 : 5_000) });
    }
    if (mode === 'server' || mode === 'worker') {
      watchdog.start();
      cleanups.push({ name: 'run watchdog', run: () => watchdog.stop() });
    }

    const retention = new RetentionRunner({
      database,
      logger,
      timezone: config.timezone,
      batchRows: config.retention.batchRows,
      intervalMinutes: config.retention.intervalMinutes,
      owner: warmer.owner,
    });
    if (mode === 'server' || mode === 'worker') {
      retention.start();
      cleanups.push({ name: 'retention', run: () => retention.stop() });
    }

    const scheduler = new ScheduleRunner({ database, warmer, logger });
    const freshness = new ChangeStreamConsumer({ database, cache, logger, registry, rules: allChangeRules, config: config.changeStream, owner: warmer.owner });
    // Change work goes through the processes that warm: worker processes, or a server that is its own
    // worker (one consumer across them all: the stream's lock). Stopped before the workers drain
    // (cleanups run in reverse), its last batch confirmed.
    if (workers && (mode === 'worker' || mode === 'server')) {
      freshness.start();
      cleanups.push({ name: 'change stream', run: () => freshness.stop() });
    }
    if (background) {
      refusals.start();
      // Rate-limit rows expire with their window; the sweep keeps the table to live windows.
      const prune = setInterval(() => {
        pruneExpiredRateLimits(database).catch((error: unknown) => logger.warn({ err: error }, 'Could not prune expired rate limits'));
      }, 60_000);
      prune.unref();
      cleanups.push({ name: 'rate-limit sweep', run: () => clearInterval(prune) });
      shop.counter.start();
      coverage.start();
      effect.start();
      // The default schedules once, on a first start; then this process fires every enabled
      // schedule (the claim in Postgres keeps each slot to one process). Stopped before the warmer drains.
      const created = await ensureDefaultSchedules({ database, registry, defaultTimezone: config.timezone });
      if (created.created.length) logger.info({ schedules: created.created }, 'Created the default schedules');
      if (config.schedulerEnabled) {
        await scheduler.start();
        cleanups.push({ name: 'scheduler', run: () => scheduler.stop() });
      } else {
        logger.info('SCHEDULER_ENABLED=false: this process fires no schedules');
      }
    }

    const runtime: Runtime = {
      config,
      logger,
      database,
      shopDatabase,
      shopSource,
      cache,
      registry,
      boss,
      warmer,
      workers,
      watchdog,
      scheduler,
      metrics,
      shop,
      coverage,
      effect,
      freshness,
      retention,
      refusals,
      alerts: { evaluator, delivery },
      startedAt: new Date(),
      phase: () => phase,
      stop: async () => {
        if (phase === 'stopping') return;
        phase = 'stopping';
        warmer.stopAccepting(); // first: no run starts while the rest shuts down
        const error = await closeAll();
        if (error) throw error;
      },
    };
    if (mode === 'server' && config.warmupOnStartup) {
      phase = 'warming';
      // Once the server is listening (this promise resolves first), not before: /api/ready says 503
      // meanwhile, and the process serves everything else.
      setImmediate(() => {
        void startupWarmup(warmer, logger).finally(() => {
          if (phase === 'warming') phase = 'ready';
        });
      });
    }
    if (phase === 'starting') phase = 'ready';
    if (mode === 'server') logger.info({ port: config.port, strategies: registry.names(), workersInServer: Boolean(workers) }, 'Kiln runtime started');
    if (mode === 'worker') logger.info({ worker: workers?.name, slots: config.workers.slots }, 'Kiln worker started');
    return runtime;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

// The server's runtime lives on globalThis: Next.js loads instrumentation and route handlers as
// separate module graphs, which must share one.
type Holder = { promise?: Promise<Runtime>; runtime?: Runtime; stopped?: boolean };
const holder = ((globalThis as { __kilnRuntime?: Holder }).__kilnRuntime ??= {});

/**
 * The server's runtime, built on first use (instrumentation.ts starts it). A failed build is not
 * kept: the next call tries again. For the edges only: route handlers, pages, boot.
 */
export function getRuntime(): Promise<Runtime> {
  // A server shutting down answers what it still can without starting a new runtime: 503.
  if (holder.stopped) return Promise.reject(new AppError('unavailable', 'This Kiln process is shutting down; try another replica'));
  if (!holder.promise) {
    // Built outside any request's context: its timers and workers must not log under the id of
    // the request that happened to build it.
    holder.promise = outsideRequest(() => buildRuntime({ mode: 'server' })).then(
      (runtime) => {
        holder.runtime = runtime;
        const stop = runtime.stop;
        runtime.stop = async () => {
          holder.stopped = true;
          try {
            await stop();
          } finally {
            holder.promise = undefined;
            holder.runtime = undefined;
          }
        };
        return runtime;
      },
      (error: unknown) => {
        holder.promise = undefined;
        throw error;
      },
    );
  }
  return holder.promise;
}

/** The server's runtime if it has finished starting, without waiting or starting it. */
export function currentRuntime(): Runtime | undefined {
  return holder.runtime;
}

/**
 * Tests only: makes route handlers and pages use a runtime the test built (its own database and
 * cache) instead of building one from the environment. Returns the uninstaller.
 */
export function installRuntimeForTests(runtime: Runtime): () => void {
  holder.stopped = false;
  holder.promise = Promise.resolve(runtime);
  holder.runtime = runtime;
  return () => {
    holder.promise = undefined;
    holder.runtime = undefined;
  };
}

function poolMaxOf(config: Config): number {
  return config.database.kind === 'postgres' ? config.database.poolMax : 10;
}

/** Warms every enabled strategy once. Another replica already warming them is not an error. */
async function startupWarmup(warmer: Warmer, logger: Logger): Promise<void> {
  try {
    const run = await warmer.startRun({ trigger: 'startup', triggeredBy: 'system', scope: { all: true } });
    await run.done;
  } catch (error) {
    logger.warn({ err: error }, `Start-up warmup did not run: ${(error as Error).message}`);
  }
}
