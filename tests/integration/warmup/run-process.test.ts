import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Cache } from '@/server/cache/cache';
import { registerStrategies } from '@/server/contexts';
import type { Database } from '@/server/db/client';
import { seedShop } from '@/server/db/seed/seed-shop';
import { StrategyRegistry } from '@/server/warmup/registry';
import { Warmer } from '@/server/warmup/warmer';
import { useTestDatabase } from '../../support/db';
import { TEST_REDIS_URL } from '../../support/env';
import { sleep } from '../../support/fake-strategy';
import { useTestRedisCache } from '../../support/warmer';

/** A warmer that executes each run in a process of its own, on the test's database and prefix. */
function childWarmer(database: Database, cache: Cache, url: string, prefix: string): Warmer {
  const warmer = new Warmer({
    database,
    cache,
    registry: registerStrategies(new StrategyRegistry()),
    logger: pino({ level: 'silent' }),
    executor: 'child',
    childEnv: { ...process.env, DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' },
  });
  onTestFinished(() => warmer.shutdown(10_000, 5000));
  return warmer;
}

/** A shop big enough that product_catalog, one key a batch, takes many seconds. */
async function slowCatalog(database: Database): Promise<void> {
  await seedShop(database, { products: 20_000, seed: 3, reset: true });
  await database.rows(sql`update settings set batch_size = 1 where id = 1`);
  await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
}

function runProcessPid(runId: string): number | null {
  try {
    return Number(execFileSync('pgrep', ['-f', `execute-run.ts ${runId}`]).toString().trim().split('\n')[0]);
  } catch {
    return null;
  }
}

describe('runs executed in a process of their own', () => {
  it('warm the real strategies into Redis and report the outcome the run\u2019s record holds', async () => {
    const { database, url } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('child-run');
    const warmer = childWarmer(database, cache, url, prefix);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } });
    const summary = await run.done;
    expect(summary.status).toBe('succeeded');
    expect(summary.strategies.map((s) => s.strategy)).toEqual(['hot_products', 'recommendations', 'categories', 'sessions']);
    const [row] = await database.rows<{ warmed: number; status: string }>(sql`select warmed::int, status from runs where id = ${run.runId}::uuid`);
    expect(row).toEqual({ warmed: summary.totals.warmed, status: 'succeeded' });
    expect(await cache.get('Category:tree:root')).toMatch(/^\{/);
    // The run process had its own pid: the heartbeat it published says so only through Postgres.
    expect(runProcessPid(run.runId)).toBeNull();
  });

  it('stops when cancelled, and saves what it did', async () => {
    const { database, url } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('child-cancel');
    await slowCatalog(database);
    const warmer = childWarmer(database, cache, url, prefix);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    await sleep(3000);
    expect(await warmer.cancelRun(run.runId, 'ops@example.com')).toBe('requested');
    const summary = await run.done;
    expect(summary.status).toBe('cancelled');
    expect(summary.totals.warmed).toBeGreaterThan(0);
  });

  it('marks its run failed, with the reason, when the run process dies', async () => {
    const { database, url } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('child-crash');
    await slowCatalog(database);
    const warmer = childWarmer(database, cache, url, prefix);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    let pid: number | null = null;
    for (let i = 0; i < 50 && !pid; i++) {
      await sleep(100);
      pid = runProcessPid(run.runId);
    }
    expect(pid).toBeGreaterThan(0);
    await sleep(1500);
    process.kill(pid!, 'SIGKILL');
    const summary = await run.done;
    expect(summary.status).toBe('failed');
    expect(summary.error).toBe("the run's process ended (signal SIGKILL) before the run finished");
    const leases = await database.rows(sql`select * from strategy_leases`);
    expect(leases).toEqual([]);
  });
});
