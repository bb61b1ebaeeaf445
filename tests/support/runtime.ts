import pino from 'pino';
import { onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { MemoryCache } from '@/server/cache/memory-cache';
import { parseConfig } from '@/server/config';
import type { Database } from '@/server/db/client';
import { trustPeerHeader } from '@/server/http/edge';
import type { Logger } from '@/server/logger';
import { type Runtime, buildRuntime, installRuntimeForTests } from '@/server/runtime';
import type { WarmupStrategy } from '@/server/warmup/strategy';

/**
 * The runtime the server builds (buildRuntime, mode `test`), over a test's own database (and a
 * memory cache unless one is given), installed so that route handlers called directly in the test
 * use it. Nothing periodic runs: tests flush read counts, take samples and fire slots when they
 * mean to. Stopped (its runs drained) and uninstalled when the test ends.
 */
export async function useTestRuntime(database: Database, options: TestRuntimeOptions = {}): Promise<Runtime> {
  const runtime = await startTestRuntime(database, options);
  // Requests in tests are built as Kiln's HTTP server hands them on: their peer header is believed.
  trustPeerHeader();
  const uninstall = installRuntimeForTests(runtime);
  onTestFinished(uninstall);
  return runtime;
}

export type TestRuntimeOptions = {
  cache?: Cache;
  env?: Record<string, string>;
  strategies?: WarmupStrategy[];
  owner?: string;
  /** Whether the runtime runs workers (default true): false for a process that only records runs. */
  workers?: boolean;
  /** The runtime's logger (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
  /** The shop's read replica (DATABASE_READ_URL) as the runtime would have opened it. */
  readReplica?: Database;
};

/**
 * A runtime as one Kiln process would have it (its own workers included), not installed for route
 * handlers: tests that need several "processes" on one database build one each. Stopped when the
 * test ends (its shards hand back and save).
 */
export async function startTestRuntime(database: Database, options: TestRuntimeOptions = {}): Promise<Runtime> {
  const config = parseConfig({
    DATABASE_URL: 'postgres://test-runtime@127.0.0.1/unused',
    WARMUP_ON_STARTUP: 'false',
    // Expired jobs of a "killed" worker are noticed within a second, not ten.
    KILN_JOB_MAINTENANCE_SECONDS: '1',
    ...options.env,
  });
  const runtime = await buildRuntime({
    mode: 'test',
    config,
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    database,
    cache: options.cache ?? new MemoryCache({ maxBytes: 32 * 1024 * 1024 }),
    strategies: options.strategies,
    owner: options.owner ?? 'test-runtime:1',
    workers: options.workers,
    readReplica: options.readReplica,
  });
  onTestFinished(() => runtime.stop());
  return runtime;
}
