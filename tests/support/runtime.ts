import pino from 'pino';
import { onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { MemoryCache } from '@/server/cache/memory-cache';
import { parseConfig } from '@/server/config';
import { registerStrategies } from '@/server/contexts';
import { createEffect } from '@/server/effect/effect';
import type { Database } from '@/server/db/client';
import { createMetrics } from '@/server/metrics/metrics';
import { type Runtime, installRuntimeForTests } from '@/server/runtime';
import { ScheduleRunner } from '@/server/scheduling/schedule-runner';
import { StrategyRegistry } from '@/server/warmup/registry';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { Warmer } from '@/server/warmup/warmer';

/**
 * A runtime over a test's own database (and a memory cache unless one is given), installed so
 * route handlers called directly in the test use it. Uninstalled, and its runs drained, when the
 * test ends. The real strategies are registered unless the test gives its own.
 */
export function useTestRuntime(
  database: Database,
  options: { cache?: Cache; env?: Record<string, string>; strategies?: WarmupStrategy[] } = {},
): Runtime {
  const config = parseConfig({ DATABASE_URL: 'postgres://test-runtime@127.0.0.1/unused', WARMUP_ON_STARTUP: 'false', ...options.env });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const cache = options.cache ?? new MemoryCache({ maxBytes: 32 * 1024 * 1024 });
  const registry = new StrategyRegistry();
  if (options.strategies) for (const s of options.strategies) registry.register(s);
  else registerStrategies(registry);
  // No timers: tests flush the read counts and take coverage samples when they mean to.
  const effect = createEffect({ config, database, cache, registry, logger });
  const warmer = new Warmer({
    database,
    cache,
    logger,
    registry,
    owner: 'test-runtime:1',
    estimate: effect.estimateDryRun,
    onRunFinished: effect.onRunFinished,
  });
  const metrics = createMetrics({ database, cache });
  // Not started: a test that wants slots fired starts a runner of its own with a test clock.
  const scheduler = new ScheduleRunner({ database, warmer, logger });
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
    phase: () => 'ready',
    stop: () => warmer.shutdown(5000, 2000),
  };
  const uninstall = installRuntimeForTests(runtime);
  onTestFinished(async () => {
    await warmer.shutdown(5000, 2000);
    await effect.stop();
    uninstall();
  });
  return runtime;
}
