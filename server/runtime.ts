import 'server-only';
import { ensureInitialAdmin } from './auth/ensure-initial-admin';
import { type Cache, openCache } from './cache';
import { type Config, getConfig } from './config';
import { registerStrategies } from './contexts';
import { type Database, openDatabase } from './db/client';
import { applyMigrations } from './db/migrate';
import { seedDemoShopIfEmpty } from './db/seed/demo';
import { type Effect, createEffect } from './effect/effect';
import { type Logger, createLogger } from './logger';
import { type Metrics, createMetrics } from './metrics/metrics';
import { ensureDefaultSchedules } from './scheduling/default-schedules';
import { ScheduleRunner } from './scheduling/schedule-runner';
import { StrategyRegistry } from './warmup/registry';
import { forgetRecentStrategyViews } from './warmup/strategy-views';
import { Warmer } from './warmup/warmer';

/**
 * The composition root: builds every long-lived part of a Kiln process once, in order, and tears
 * it down in reverse. Started from instrumentation.ts; route handlers and server components reach
 * it through getRuntime(). It lives on globalThis because Next.js loads instrumentation and route
 * handlers as separate module graphs.
 */
export type Runtime = {
  config: Config;
  logger: Logger;
  database: Database;
  cache: Cache;
  registry: StrategyRegistry;
  warmer: Warmer;
  scheduler: ScheduleRunner;
  metrics: Metrics;
  /** The shop's read path, its counts, coverage samples and estimates: whether the warmup helps. */
  effect: Effect;
  startedAt: Date;
  /** What the process is doing now, for /api/ready and the status page. */
  phase: () => RuntimePhase;
  stop: () => Promise<void>;
};

/** starting: opening the database; warming: the start-up warmup runs; ready: serving; stopping. */
export type RuntimePhase = 'starting' | 'warming' | 'ready' | 'stopping';

type Holder = { promise?: Promise<Runtime>; runtime?: Runtime; logger?: Logger };
const holder = ((globalThis as { __kilnRuntime?: Holder }).__kilnRuntime ??= {});

/** The running runtime, starting it on first use. A failed start is not cached: the next call retries. */
export function getRuntime(): Promise<Runtime> {
  if (!holder.promise) {
    holder.promise = startRuntime().then(
      (runtime) => {
        holder.runtime = runtime;
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

/** The runtime if it has finished starting, without waiting or starting it. */
export function currentRuntime(): Runtime | undefined {
  return holder.runtime;
}

async function startRuntime(): Promise<Runtime> {
  const config = getConfig();
  const logger = (holder.logger ??= createLogger(config.logLevel));
  let phase: RuntimePhase = 'starting';
  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];

  const database = await openDatabase(config.database);
  cleanups.push({ name: 'database', run: () => database.close() });
  try {
    await applyMigrations(database);
    logger.info({ database: database.describe() }, 'Database ready (migrations applied)');
    if (config.seedDemoData === 'auto') await seedDemoShopIfEmpty(database, config.demoProducts, logger);
    await ensureInitialAdmin(database, config, logger);

    const cache = openCache(config.cache);
    cleanups.push({ name: 'cache', run: () => cache.close() });
    logger.info({ cache: cache.describe() }, 'Cache configured');

    const registry = registerStrategies(new StrategyRegistry());
    const effect = createEffect({ config, database, cache, registry, logger });
    // After the warmer's drain (cleanups run in reverse): the drained runs' samples and the last
    // read counts are written before the cache and the database close.
    cleanups.push({ name: 'effect', run: () => effect.stop() });
    let metrics: Metrics | undefined;
    const warmer = new Warmer({
      database,
      cache,
      logger,
      registry,
      executor: config.runExecution === 'process' ? 'child' : 'inline',
      estimate: effect.estimateDryRun,
      onRunFinished: (summary) => {
        metrics?.observeRun(summary);
        effect.onRunFinished(summary);
        forgetRecentStrategyViews(database); // their last run changed
      },
    });
    metrics = createMetrics({ database, cache });
    warmer.startSweeper();
    effect.start();
    // Runs get the first 15 s of a shutdown to finish, then are cancelled and saved within 8 s
    // more: together under the 25 s a SIGTERM may take.
    cleanups.push({ name: 'warmer', run: () => warmer.shutdown(15_000, 8_000) });

    // The default schedules once, on a first start; then this process fires every enabled schedule
    // (the claim in Postgres keeps each slot to one process). Stopped before the warmer drains.
    const created = await ensureDefaultSchedules({ database, registry, defaultTimezone: config.timezone });
    if (created.created.length) logger.info({ schedules: created.created }, 'Created the default schedules');
    const scheduler = new ScheduleRunner({ database, warmer, logger });
    if (config.schedulerEnabled) {
      await scheduler.start();
      cleanups.push({ name: 'scheduler', run: () => scheduler.stop() });
    } else {
      logger.info('SCHEDULER_ENABLED=false: this process fires no schedules');
    }

    const runtime: Runtime = {
      config,
      logger,
      database,
      cache,
      registry,
      warmer,
      scheduler,
      metrics,
      effect,
      startedAt: new Date(),
      phase: () => phase,
      stop: async () => {
        if (phase === 'stopping') return;
        phase = 'stopping';
        // Every cleanup runs even when an earlier one throws; the first error is reported after.
        let firstError: unknown;
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup.run();
          } catch (error) {
            logger.error({ err: error, part: cleanup.name }, 'Shutdown step failed');
            firstError ??= error;
          }
        }
        holder.promise = undefined;
        holder.runtime = undefined;
        if (firstError) throw firstError;
      },
    };
    if (config.warmupOnStartup) {
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
    logger.info({ port: config.port, strategies: registry.names() }, 'Kiln runtime started');
    return runtime;
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup.run()).catch(() => {});
    throw error;
  }
}

/**
 * Tests only: makes route handlers and server functions use a runtime the test built (its own
 * database and cache prefix) instead of starting one from the environment.
 */
export function installRuntimeForTests(runtime: Runtime): () => void {
  holder.promise = Promise.resolve(runtime);
  holder.runtime = runtime;
  return () => {
    holder.promise = undefined;
    holder.runtime = undefined;
  };
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
