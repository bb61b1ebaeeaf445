import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { seedShop } from '@/server/db/seed/seed-shop';
import { type AppProcess, api, apiToken, startApp } from '../support/app-process';
import { createTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { sleep } from '../support/fake-strategy';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';

/**
 * Three Kiln processes (the built app under Kiln's HTTP server) on one Postgres and one Redis prefix. The
 * shop is big and product_catalog is slowed down (one key per batch) so a run of it lasts far
 * longer than any scenario here: "exactly one run" cannot be an accident of a run ending early.
 */
describe('three replicas on one Postgres', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const prefix = uniquePrefix('replicas');
  const apps: AppProcess[] = [];
  const tokens: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await createTestDatabase({ shop: true });
    database = db.database;
    drop = db.drop;
    await seedShop(database, { products: 20_000, seed: 11, reset: true });
    await database.rows(sql`update settings set batch_size = 1 where id = 1`);
    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix };
    // One at a time: the first creates the admin, the others find it.
    for (let i = 0; i < 3; i++) apps.push(await startApp(env, (fn) => cleanups.push(fn)));
    tokens.push(await apiToken(apps[0]!));
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await drop?.();
    await deleteKeysWithPrefix(prefix);
  });

  const token = () => tokens[0]!;
  const runCount = async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`))[0]!.n;

  async function cancelAll(): Promise<void> {
    const running = await database.rows<{ id: string }>(sql`select id::text as id from runs where status = 'running'`);
    for (const r of running) await api(apps[0]!, token(), 'POST', `/api/runs/${r.id}/cancel`, {});
    for (let i = 0; i < 100 && (await database.rows(sql`select 1 from runs where status = 'running'`)).length; i++) await sleep(100);
  }

  it('50 simultaneous trigger requests for one strategy through different processes: exactly one run, 409 for the rest', async (ctx) => {
    const before = await runCount();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => api(apps[i % 3]!, token(), 'POST', '/api/runs', { scope: { strategies: ['product_catalog'] }, concurrency: 1 })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(responses.find((r) => r.status === 409)!.body.error.message).toMatch(/^Already being warmed: product_catalog/);
    expect((await runCount()) - before).toBe(1);
    figure(ctx.task, 'accepted', 1);
    figure(ctx.task, 'conflicts', statuses.filter((s) => s === 409).length);
  });

  it('a concurrency change made through one process is used by a run on another', async (ctx) => {
    const [running] = await database.rows<{ id: string; owner: string }>(sql`select id::text as id, owner from runs where status = 'running'`);
    expect(running).toBeDefined();
    const changed = await api(apps[0]!, token(), 'PATCH', '/api/settings', { maxConcurrency: 7 });
    expect(changed.status).toBe(200);
    expect(changed.body.retunedRuns).toBe(1);
    const changedAt = Date.now();
    // The running process publishes its limiter's value with its heartbeat: read it through a third process.
    let seen: number | undefined;
    while (Date.now() - changedAt < 5000) {
      const { body } = await api(apps[2]!, token(), 'GET', `/api/runs/${running!.id}`);
      seen = body.run.progress?.concurrency;
      if (seen === 7) break;
      await sleep(100);
    }
    expect(seen).toBe(7);
    figure(ctx.task, 'appliedWithinMs', Date.now() - changedAt);
    await cancelAll();
  });

  it('a trigger storm (200 authorised requests a second for 10 s over three processes): no 5xx, one run per strategy, the rest 409 or 429', async (ctx) => {
    const first = await api(apps[0]!, token(), 'POST', '/api/runs', { scope: { all: true }, concurrency: 1 });
    expect(first.status).toBe(202);
    const before = await runCount();
    const scopes = [{ all: true }, { tags: ['catalog'] }, { tags: ['identity'] }, { strategies: ['hot_products'] }, { strategies: ['sessions'] }, { strategies: ['categories'] }, { strategies: ['recommendations'] }, { strategies: ['product_catalog'] }];
    const started = Date.now();
    const pending: Promise<{ status: number; ms: number }>[] = [];
    for (let i = 0; i < 2000; i++) {
      const due = started + i * 5;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const sentAt = Date.now();
      pending.push(
        api(apps[i % 3]!, token(), 'POST', '/api/runs', { scope: scopes[i % scopes.length] }).then(
          (r) => ({ status: r.status, ms: Date.now() - sentAt }),
          () => ({ status: 0, ms: Date.now() - sentAt }),
        ),
      );
    }
    const sendSeconds = (Date.now() - started) / 1000;
    const results = await Promise.all(pending);
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    expect(byStatus.get(0) ?? 0).toBe(0);
    expect([...byStatus.keys()].filter((s) => s >= 500)).toEqual([]);
    expect([...byStatus.keys()].every((s) => s === 409 || s === 429)).toBe(true);
    expect(await runCount()).toBe(before);
    // The one run of the storm covers every strategy, once.
    const [covering] = await database.rows<{ strategies: string[] }>(sql`select strategies from runs where status = 'running'`);
    expect([...covering!.strategies].sort()).toEqual(['categories', 'hot_products', 'product_catalog', 'recommendations', 'sessions']);
    figure(ctx.task, 'requests', results.length);
    figure(ctx.task, 'sentInSeconds', sendSeconds.toFixed(1));
    figure(ctx.task, 'statuses', [...byStatus.entries()].map(([s, n]) => `${s}x${n}`).join(' '));
    figure(ctx.task, 'p50ms', latencies[Math.floor(latencies.length * 0.5)]!);
    figure(ctx.task, 'p95ms', latencies[Math.floor(latencies.length * 0.95)]!);
    await cancelAll();
  });
});
