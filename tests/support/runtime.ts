import pino from 'pino';
import { onTestFinished } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Cache } from '@/server/cache/cache';
import { parseConfig } from '@/server/config';
import type { Database } from '@/server/db/client';
import { type Runtime, installRuntimeForTests } from '@/server/runtime';

/**
 * A runtime over a test's own database (and a memory cache unless one is given), installed so
 * route handlers called directly in the test use it. Uninstalled when the test ends.
 */
export function useTestRuntime(database: Database, options: { cache?: Cache; env?: Record<string, string> } = {}): Runtime {
  const config = parseConfig({ DATABASE_URL: 'postgres://test-runtime@127.0.0.1/unused', WARMUP_ON_STARTUP: 'false', ...options.env });
  const runtime: Runtime = {
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    database,
    cache: options.cache ?? new MemoryCache({ maxBytes: 32 * 1024 * 1024 }),
    startedAt: new Date(),
    phase: () => 'ready',
    stop: async () => {},
  };
  const uninstall = installRuntimeForTests(runtime);
  onTestFinished(uninstall);
  return runtime;
}
