import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { seedShop } from '@/server/db/seed/seed-shop';
import { api, apiToken, startApp } from '../support/app-process';
import { useTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { sleep } from '../support/fake-strategy';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';
import { startWorkerProcess, waitUntil } from '../support/worker-process';

/**
 * A shop big enough, and settings slow enough (one key per batch, one load at a time), that
 * warming product_catalog takes far longer than the signal's scenario: the run is surely going
 * when the signal arrives.
 */
async function slowCatalogShop(database: Database): Promise<number> {
  await seedShop(database, { products: 20_000, seed: 7, reset: true });
  await database.rows(sql`update settings set batch_size = 1, key_timeout_ms = 1000 where id = 1`);
  await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
  return (await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`))[0]!.n;
}

async function waitForProgress(app: { url: string }, token: string, runId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { body } = await api(app as never, token, 'GET', `/api/runs/${runId}`);
    if ((body.run?.progress?.current?.done ?? 0) > 0) return;
    await sleep(100);
  }
  throw new Error('the run showed no progress');
}

async function waitForEnd(database: Database, runId: string, timeoutMs: number): Promise<{ status: string; total: number; warmed: number; failed: number }> {
  let row: { status: string; total: number; warmed: number; failed: number } | undefined;
  await waitUntil(
    async () => {
      [row] = await database.rows<{ status: string; total: number; warmed: number; failed: number }>(sql`
        select status, total::int, warmed::int, failed::int from runs where id = ${runId}::uuid`);
      return row!.status !== 'running';
    },
    timeoutMs,
    `the end of run ${runId}`,
  );
  return row!;
}

describe('process signals', () => {
  it('SIGTERM of the server mid-run: no new run starts (503), its worker hands its shard back and it exits 0; the run goes on elsewhere', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    const active = await slowCatalogShop(database);
    const prefix = uniquePrefix('sigterm');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix };
    const app = await startApp(env, ctx.onTestFinished);
    const token = await apiToken(app);
    const started = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await waitForProgress(app, token, runId);

    const exit = app.terminate();
    await sleep(100);
    // A shutdown that hands its shard back is quick: the server either answers 503 or is gone already.
    const refused = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['sessions'] } }).catch((error: Error) => ({ status: 0, body: { error: { message: `connection ${error.message}` } } }));
    expect([0, 503], app.output().slice(-3000)).toContain(refused.status);
    if (refused.status === 503) expect(refused.body.error.message).toMatch(/shutting down/);
    const { code, seconds } = await exit;
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(25);

    // No new run started, and the run was not cancelled: its shard ended cut, handing the rest back to the queue.
    expect((await database.rows(sql`select 1 from runs where ${'sessions'} = any(strategies)`)).length).toBe(0);
    const [run] = await database.rows<{ status: string; warmed: number }>(sql`select status, warmed::int from runs where id = ${runId}::uuid`);
    expect(run).toMatchObject({ status: 'running' });
    expect(run!.warmed).toBeGreaterThan(0);
    const shards = await database.rows<{ status: string; cut: boolean }>(sql`select status, cut from run_shards where run_id = ${runId}::uuid order by shard`);
    expect(shards[0]).toEqual({ status: 'done', cut: true });
    expect(shards.some((s) => s.status === 'queued')).toBe(true);
    expect(app.output()).toMatch(/"msg":"Shutting down"/);

    // A worker elsewhere finishes it, every key counted once. (Faster settings for the rest.)
    await database.rows(sql`update settings set batch_size = 500 where id = 1`);
    await database.rows(sql`update runs set plan = jsonb_set(plan, '{batchSize}', '500') where id = ${runId}::uuid`);
    startWorkerProcess(env, ctx.onTestFinished);
    const end = await waitForEnd(database, runId, 120_000);
    expect(end).toEqual({ status: 'succeeded', total: active, warmed: active, failed: 0 });
    figure(ctx.task, 'exitCode', String(code));
    figure(ctx.task, 'secondsToExit', seconds.toFixed(1));
    figure(ctx.task, 'warmedBeforeStop', run!.warmed);
  });

  it('SIGTERM of a worker process mid-shard: it exits 0 within the grace, its shard ends cut and another worker finishes the run', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    const active = await slowCatalogShop(database);
    const prefix = uniquePrefix('sigterm-worker');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix };
    const app = await startApp({ ...env, KILN_WORKER_IN_SERVER: 'false' }, ctx.onTestFinished);
    const token = await apiToken(app);
    const first = startWorkerProcess({ ...env, KILN_WORKER_SLOTS: '1' }, ctx.onTestFinished);
    const started = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 2 });
    const runId = started.body.runId as string;
    await waitForProgress(app, token, runId);
    const signalledAt = Date.now();
    first.process.kill('SIGTERM');
    const { code } = await first.exited;
    const seconds = (Date.now() - signalledAt) / 1000;
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(25);
    const [handedBack] = await database.rows<{ status: string; cut: boolean; worker: string }>(sql`
      select status, cut, worker from run_shards where run_id = ${runId}::uuid and worker like ${`%:${first.pid}`} order by shard limit 1`);
    expect(handedBack).toMatchObject({ status: 'done', cut: true });

    await database.rows(sql`update runs set plan = jsonb_set(plan, '{batchSize}', '500') where id = ${runId}::uuid`);
    const second = startWorkerProcess(env, ctx.onTestFinished);
    const end = await waitForEnd(database, runId, 120_000);
    expect(end).toEqual({ status: 'succeeded', total: active, warmed: active, failed: 0 });
    const workers = await database.rows<{ worker: string }>(sql`select distinct worker from run_shards where run_id = ${runId}::uuid`);
    expect(workers.map((w) => w.worker.split(':').at(-1)).sort()).toEqual([String(first.pid), String(second.pid)].sort());
    figure(ctx.task, 'secondsToExit', seconds.toFixed(1));
  });

  it('SIGTERM of a server between read-count flushes: the shop reads it counted are in Postgres after it exits, each once', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    const prefix = uniquePrefix('sigterm-reads');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix }, ctx.onTestFinished);
    const token = await apiToken(app, 'shop_reader');
    const ids = (await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 20`)).map((r) => r.id);
    const counted = async () => {
      const [row] = await database.rows<{ hits: number; misses: number }>(sql`
        select coalesce(sum(hits), 0)::int as hits, coalesce(sum(misses), 0)::int as misses from cache_reads where family = 'products'`);
      return row!;
    };
    const read = async (id: number) => {
      const response = await fetch(`${app.url}/api/shop/products/${id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return response.headers.get('x-kiln-cache');
    };

    // One read, then wait for its flush (every 5 s): the next one is about 5 s away.
    expect(await read(ids[0]!)).toBe('miss');
    await waitUntil(async () => (await counted()).misses === 1, 10_000, 'the first periodic flush');
    // 40 reads in well under a second: 20 misses (each product once), then the same 20 as hits.
    const startedAt = Date.now();
    const outcomes: (string | null)[] = [];
    for (const id of ids) outcomes.push(await read(id));
    for (const id of ids) outcomes.push(await read(id));
    expect(outcomes.filter((o) => o === 'miss').length).toBe(19); // ids[0] was cached by the first read
    expect(outcomes.filter((o) => o === 'hit').length).toBe(21);
    expect(await counted(), 'nothing of the 40 reads is written before the signal').toEqual({ hits: 0, misses: 1 });
    const readSeconds = (Date.now() - startedAt) / 1000;
    expect(readSeconds).toBeLessThan(4);

    const { code } = await app.terminate();
    expect(code).toBe(0);
    expect(await counted()).toEqual({ hits: 21, misses: 20 });
    figure(ctx.task, 'readsBeforeSignal', 41);
    figure(ctx.task, 'secondsOfReads', readSeconds.toFixed(2));
  });
});
