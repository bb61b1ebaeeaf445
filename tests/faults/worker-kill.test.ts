import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { useTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { startTestRuntime } from '../support/runtime';
import { figure } from '../support/scenario-reporter';
import { startWorkerProcess, waitUntil } from '../support/worker-process';

const PRODUCTS = 1_000_000;

/**
 * A million-product catalog in seconds: the seeded test shop's products copied with new ids and
 * slugs (the values differ by name only; the warmup's work per key is the real one).
 */
async function millionProducts(database: Database): Promise<number> {
  await database.rows(sql`
    with t as (select row_number() over (order by id) as n, * from products)
    insert into products (category_id, name, slug, description, price, currency, stock, status, attributes, created_at, updated_at)
    select p.category_id, p.name || ' #' || g, p.slug || '-' || g, p.description, p.price, p.currency, p.stock, p.status, p.attributes, p.created_at, p.updated_at
    from generate_series(1, ${PRODUCTS} - (select count(*) from products)) g
    join t p on p.n = 1 + g % (select count(*) from products)`);
  await database.rows(sql`analyze products`);
  await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
  // A dead worker's job expires quickly: a 5 s cap, a 1 s load timeout.
  await database.rows(sql`update settings set key_timeout_ms = 1000 where id = 1`);
  return (await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`))[0]!.n;
}

describe('a worker killed in the middle of a million-key run', () => {
  // Seeding a million products and warming them twice over takes minutes on a busy 2-core machine.
  it('has its shard retried by the other worker, and the run ends succeeded with every active product warmed once', { timeout: 900_000 }, async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    const prefix = uniquePrefix('million');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const seeded = Date.now();
    const active = await millionProducts(database);
    figure(ctx.task, 'seedSeconds', ((Date.now() - seeded) / 1000).toFixed(1));
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, KILN_WORKER_SLOTS: '2' };
    const victim = startWorkerProcess(env, ctx.onTestFinished);
    const survivor = startWorkerProcess(env, ctx.onTestFinished);
    await waitUntil(async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from workers where state = 'running'`))[0]!.n === 2, 60_000, 'two workers reporting');
    const recorder = await startTestRuntime(database, { workers: false, env: { KILN_SHARD_KEYS: '50000', KILN_SHARD_SECONDS: '5' } });
    const startedAt = Date.now();
    const run = await recorder.warmer.startRun({ trigger: 'manual', triggeredBy: 'fault test', scope: { strategies: ['product_catalog'] }, concurrency: 16 });

    // About half-way through, the victim dies holding a shard.
    let killedShard: number | undefined;
    await waitUntil(
      async () => {
        const [row] = await database.rows<{ warmed: number }>(sql`select warmed::int from runs where id = ${run.runId}::uuid`);
        if ((row?.warmed ?? 0) < active / 2) return false;
        const [held] = await database.rows<{ shard: number }>(sql`
          select shard from run_shards where run_id = ${run.runId}::uuid and status = 'running' and worker like ${`%:${victim.pid}`} limit 1`);
        killedShard = held?.shard;
        return killedShard !== undefined;
      },
      180_000,
      'the victim holding a shard past half the run',
    );
    victim.process.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;

    const summary = await run.done;
    const seconds = (Date.now() - startedAt) / 1000;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: active, warmed: active, failed: 0 } });
    const [retried] = await database.rows<{ status: string; worker: string; retries: { worker: string }[] }>(sql`
      select status, worker, retries from run_shards where run_id = ${run.runId}::uuid and shard = ${killedShard!}`);
    expect(retried!.status).toBe('done');
    expect(retried!.worker).toMatch(new RegExp(`:${survivor.pid}$`));
    expect(retried!.retries.map((r) => r.worker)).toEqual([expect.stringMatching(new RegExp(`:${victim.pid}$`))]);
    const [keys] = await database.rows<{ n: number }>(sql`select sum(total)::int as n from run_shards where run_id = ${run.runId}::uuid`);
    expect(keys!.n).toBe(active);
    figure(ctx.task, 'activeProducts', active);
    figure(ctx.task, 'runSeconds', seconds.toFixed(1));
    figure(ctx.task, 'finishedSecondsAfterKill', ((Date.now() - killedAt) / 1000).toFixed(1));
    figure(ctx.task, 'killedShard', killedShard!);
  });
});
