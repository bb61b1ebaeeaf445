import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Database } from '@/server/db/client';
import { seedShop } from '@/server/db/seed/seed-shop';
import { useTestDatabase } from '../../support/db';
import { TEST_REDIS_URL } from '../../support/env';
import { startTestRuntime } from '../../support/runtime';
import { useTestRedisCache } from '../../support/warmer';
import { startWorkerProcess, waitUntil } from '../../support/worker-process';

/** A catalog big enough to split into many shards; product_catalog enabled. */
async function catalogShop(database: Database, products: number): Promise<number> {
  await seedShop(database, { products, seed: 3, reset: true });
  await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
  return row!.n;
}

describe('runs executed by worker processes', () => {
  it('spreads the shards of one catalog run over two worker processes, each key counted once', async () => {
    const { database, url } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('two-workers');
    const active = await catalogShop(database, 12_000);
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, KILN_WORKER_SLOTS: '1' };
    const workers = [startWorkerProcess(env, onTestFinished), startWorkerProcess(env, onTestFinished)];
    await waitUntil(async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from workers where state = 'running'`))[0]!.n === 2, 30_000, 'two workers reporting');
    // The recording process runs no worker of its own: every shard goes to the two processes.
    const recorder = await startTestRuntime(database, { cache, workers: false, env: { KILN_SHARD_KEYS: '1000' } });
    const run = await recorder.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['product_catalog'] }, concurrency: 8 });
    const summary = await run.done;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: active, warmed: active, failed: 0 } });
    const shards = await database.rows<{ shard: number; worker: string; total: number; status: string }>(sql`
      select shard, worker, total, status from run_shards where run_id = ${run.runId}::uuid order by shard`);
    expect(shards.length).toBeGreaterThanOrEqual(Math.ceil(active / 1000));
    expect(shards.every((s) => s.status === 'done')).toBe(true);
    expect(shards.reduce((n, s) => n + s.total, 0)).toBe(active);
    const pids = new Set(shards.map((s) => s.worker.split(':').at(-1)));
    expect(pids).toEqual(new Set(workers.map((w) => String(w.pid))));
    expect(await cache.exists('Product:id:1')).toBe(true);
  });

  it('retries the shard of a worker killed mid-shard on another worker, and the run ends with its true totals', async () => {
    const { database, url } = await useTestDatabase({ shop: true });
    const { cache, prefix } = await useTestRedisCache('killed-worker');
    const active = await catalogShop(database, 2500);
    // One key a batch and a short load timeout: shards last, and a dead worker's job expires quickly
    // (its time cap of 3 s, plus twice the load timeout, plus the fence margin).
    await database.rows(sql`update settings set batch_size = 1, key_timeout_ms = 500 where id = 1`);
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, KILN_WORKER_SLOTS: '1' };
    const victim = startWorkerProcess(env, onTestFinished);
    await waitUntil(async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from workers where state = 'running'`))[0]!.n === 1, 30_000, 'the first worker reporting');
    const recorder = await startTestRuntime(database, { cache, workers: false, env: { KILN_SHARD_KEYS: '1200', KILN_SHARD_SECONDS: '3' } });
    const run = await recorder.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['product_catalog'] }, concurrency: 4 });
    const victimShard = async () =>
      (await database.rows<{ shard: number }>(sql`select shard from run_shards where run_id = ${run.runId}::uuid and status = 'running' and worker like ${`%:${victim.pid}`}`))[0];
    await waitUntil(async () => Boolean(await victimShard()), 30_000, 'the first worker taking a shard');
    await new Promise((r) => setTimeout(r, 800));
    const killed = (await victimShard())!;
    victim.process.kill('SIGKILL');
    await victim.exited;
    const survivor = startWorkerProcess(env, onTestFinished);
    const summary = await run.done;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: active, warmed: active, failed: 0 } });
    const [retried] = await database.rows<{ worker: string; retries: { worker: string; reason: string }[]; status: string }>(sql`
      select worker, retries, status from run_shards where run_id = ${run.runId}::uuid and strategy = 'product_catalog' and shard = ${killed.shard}`);
    expect(retried!.status).toBe('done');
    expect(retried!.worker).toMatch(new RegExp(`:${survivor.pid}$`));
    expect(retried!.retries).toHaveLength(1);
    expect(retried!.retries[0]!.worker).toMatch(new RegExp(`:${victim.pid}$`));
    expect(retried!.retries[0]!.reason).toMatch(/stopped answering/);
  });
});
