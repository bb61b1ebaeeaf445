import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { seedShop } from '@/server/db/seed/seed-shop';
import { sweepAbandonedRuns } from '@/server/warmup/run-store';
import { api, apiToken, startApp } from '../support/app-process';
import { useTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { sleep } from '../support/fake-strategy';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';

/**
 * A shop big enough, and settings slow enough (one key per batch, one load at a time), that
 * warming product_catalog takes far longer than the test: the run is surely going when the
 * signal arrives.
 */
async function slowCatalogShop(database: Database): Promise<void> {
  // 60,000 products at one key a batch: well over the 15 s a shutdown grants a run to finish.
  await seedShop(database, { products: 60_000, seed: 7, reset: true });
  await database.rows(sql`update settings set batch_size = 1 where id = 1`);
  await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
}

async function waitForProgress(app: { url: string }, token: string, runId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { body } = await api(app as never, token, 'GET', `/api/runs/${runId}`);
    if ((body.run?.progress?.current?.done ?? 0) > 0) return;
    await sleep(100);
  }
  throw new Error('the run showed no progress');
}

describe('process signals', () => {
  it('SIGTERM mid-run: no new runs start, the run stops within 25 s with its status saved, exit 0', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    await slowCatalogShop(database);
    const prefix = uniquePrefix('sigterm');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix }, ctx.onTestFinished);
    const token = await apiToken(app);
    const started = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    await waitForProgress(app, token, runId);

    const exit = app.terminate();
    await sleep(300);
    const refused = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['sessions'] } });
    expect(refused.status, app.output().slice(-3000)).toBe(503);
    expect(refused.body.error.message).toMatch(/shutting down/);
    const { code, seconds } = await exit;
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(25);

    const runs = await database.rows<{ id: string; status: string; error: string | null; warmed: number }>(
      sql`select id::text, status, error, warmed::int from runs order by created_at`,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]!.id).toBe(runId);
    expect(runs[0]!.status).toBe('cancelled');
    expect(runs[0]!.error).toBe('stopped: the server is shutting down');
    expect(runs[0]!.warmed).toBeGreaterThan(0);
    const leases = await database.rows(sql`select * from strategy_leases`);
    expect(leases).toEqual([]);
    expect(app.output()).toMatch(/"msg":"Shutting down"/);
    figure(ctx.task, 'exitCode', String(code));
    figure(ctx.task, 'secondsToExit', seconds.toFixed(1));
    figure(ctx.task, 'warmedBeforeStop', runs[0]!.warmed);
  });

  it('SIGKILL mid-run: the run becomes abandoned, its strategies are freed, the next run starts normally', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    await slowCatalogShop(database);
    const prefix = uniquePrefix('sigkill');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const app = await startApp({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix }, ctx.onTestFinished);
    const token = await apiToken(app);
    const { body } = await api(app, token, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    await waitForProgress(app, token, body.runId);
    app.process.kill('SIGKILL');
    await new Promise((r) => app.process.once('exit', r));

    // Another replica's sweep (every minute; 30 s without a heartbeat means dead) would find it;
    // the test sweeps with a 2 s threshold instead of waiting.
    await sleep(2500);
    expect(await sweepAbandonedRuns(database, 2)).toEqual([body.runId]);
    const second = await startApp({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix }, ctx.onTestFinished);
    const secondToken = await apiToken(second);
    const next = await api(second, secondToken, 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 8 });
    expect(next.status).toBe(202);
    await api(second, secondToken, 'POST', `/api/runs/${next.body.runId}/cancel`, {});
    const [abandoned] = await database.rows<{ status: string }>(sql`select status from runs where id = ${body.runId}::uuid`);
    expect(abandoned!.status).toBe('abandoned');
    figure(ctx.task, 'abandonedRun', String(body.runId).slice(0, 8));
  });
});
