import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runDetail from '@/app/api/runs/[id]/route';
import * as estimateRoute from '@/app/api/runs/estimate/route';
import * as runs from '@/app/api/runs/route';
import type { RunEstimate, StrategyEstimate } from '@/lib/api/effect';
import type { RunDetail } from '@/lib/api/runs';
import type { Database } from '@/server/db/client';
import { errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { sleep } from '../../support/fake-strategy';
import { rawRedis } from '../../support/redis';
import { useTestRuntime } from '../../support/runtime';
import { DAY_MS, readSales, unitsSold } from '../../support/shop-facts';
import { useTestRedisCache } from '../../support/warmer';

async function setup() {
  const { database } = await useTestDatabase({ shop: true });
  const { cache, prefix } = await useTestRedisCache('estimate');
  const runtime = await useTestRuntime(database, { cache });
  const viewer = await signedIn(database, 'viewer');
  const operator = await signedIn(database, 'operator');
  return { database, cache, prefix, runtime, viewer, operator };
}

async function estimate(session: string, body: unknown): Promise<Response> {
  return estimateRoute.POST(request('/api/runs/estimate', { session, body }), undefined);
}

async function estimateOf(session: string, body: unknown): Promise<RunEstimate> {
  const response = await estimate(session, body);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const byName = (e: RunEstimate, name: string): StrategyEstimate => e.strategies.find((s) => s.strategy === name)!;

/** A finished run of one strategy, as run_strategies records it. */
async function pastRun(database: Database, o: { strategy: string; total: number; durationMs: number; daysAgo: number; dryRun?: boolean; onlyMissing?: boolean; runDurationMs?: number }) {
  const at = new Date(Date.now() - o.daysAgo * DAY_MS).toISOString();
  const [run] = await database.rows<{ id: string }>(sql`
    insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at, dry_run, only_missing, duration_ms)
    values ('manual', 'test', '{"all":true}'::jsonb, ${`{${o.strategy}}`}::text[], 4, 'test', 'succeeded', ${at}::timestamptz, ${at}::timestamptz,
            ${o.dryRun ?? false}, ${o.onlyMissing ?? false}, ${o.runDurationMs ?? null})
    returning id::text as id`);
  await database.rows(sql`
    insert into run_strategies (run_id, strategy, position, outcome, trigger, dry_run, priority, ttl_seconds, total, warmed, success_rate, started_at, finished_at, duration_ms)
    values (${run!.id}::uuid, ${o.strategy}, 0, 'succeeded', 'manual', ${o.dryRun ?? false}, 50, 14400, ${o.total}, ${o.dryRun ? 0 : o.total}, 1,
            ${at}::timestamptz, ${at}::timestamptz, ${o.durationMs})`);
}

describe('POST /api/runs/estimate', () => {
  it('counts exactly the keys each strategy of the scope would warm, in run order', async () => {
    const { database, viewer } = await setup();
    const now = Date.now();
    const sold = unitsSold(await readSales(database), now - 30 * DAY_MS, now);
    const [counts] = await database.rows<{ categories: number; sessions: number }>(sql`
      select (select count(*)::int from categories where level in (1, 2)) as categories,
             (select count(*)::int from shop_users u
              where u.last_active_at > now() - interval '60 minutes' and u.last_active_at <= now()
                and exists (select 1 from shop_sessions s where s.user_id = u.id and s.expires_at > now())) as sessions`);

    const all = await estimateOf(viewer.session, { scope: { all: true } });
    expect(all.strategies.map((s) => s.strategy)).toEqual(['hot_products', 'recommendations', 'categories', 'sessions']);
    expect(byName(all, 'hot_products').keys).toEqual({ count: Math.min(100, sold.size), exact: true, basis: 'listing' });
    expect(byName(all, 'recommendations').keys).toEqual({ count: 4, exact: true, basis: 'count_keys' });
    expect(byName(all, 'categories').keys).toEqual({ count: counts!.categories + 1, exact: true, basis: 'count_keys' });
    expect(byName(all, 'sessions').keys).toEqual({ count: counts!.sessions, exact: true, basis: 'listing' });
    expect(all.total.keys).toBe(Math.min(100, sold.size) + 4 + counts!.categories + 1 + counts!.sessions);
    expect(all.strategies.every((s) => s.error === null)).toBe(true);

    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
    const [active] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
    const catalog = await estimateOf(viewer.session, { scope: { strategies: ['product_catalog'] } });
    expect(byName(catalog, 'product_catalog').keys).toEqual({ count: active!.n, exact: true, basis: 'count_keys' });
  });

  it('expects the duration from the speed of the strategy’s last ten full runs', async () => {
    const { database, viewer } = await setup();
    // Ten full runs at 27 keys in 540 ms (50 keys/s)...
    for (let i = 1; i <= 10; i++) await pastRun(database, { strategy: 'categories', total: 27, durationMs: 540, daysAgo: i });
    // ...and what must not count: older runs, a dry run, an only-missing run.
    await pastRun(database, { strategy: 'categories', total: 27, durationMs: 27_000, daysAgo: 11 });
    await pastRun(database, { strategy: 'categories', total: 27, durationMs: 1, daysAgo: 0.5, dryRun: true });
    await pastRun(database, { strategy: 'categories', total: 27, durationMs: 1, daysAgo: 0.5, onlyMissing: true });

    const result = await estimateOf(viewer.session, { scope: { strategies: ['categories', 'recommendations'] } });
    const categories = byName(result, 'categories');
    expect(categories.duration).toEqual({ expectedMs: Math.round((categories.keys.count / 50) * 1000), basis: 'history', keysPerSecond: 50, runs: 10 });
    expect(byName(result, 'recommendations').duration).toEqual({ expectedMs: null, basis: 'none', keysPerSecond: null, runs: 0 });
    expect(result.total).toMatchObject({ expectedMs: categories.duration.expectedMs, durationComplete: false });
  });

  it('adds a run’s own overhead (its process, its saves) from the last runs’ durations beyond their strategies', async () => {
    const { database, viewer } = await setup();
    // Runs that took 800 ms more than their strategy: starting the run process, saving the results.
    for (let i = 1; i <= 10; i++) await pastRun(database, { strategy: 'categories', total: 27, durationMs: 540, daysAgo: i, runDurationMs: 540 + 800 + i });
    const result = await estimateOf(viewer.session, { scope: { strategies: ['categories'] } });
    expect(result.total.overheadMs).toBe(806); // the median of 801..810
    expect(result.total.expectedMs).toBe(byName(result, 'categories').duration.expectedMs! + 806);
  });

  it('measures cache memory with MEMORY USAGE once keys are cached, and from loaded values before', async () => {
    const { database, prefix, runtime, viewer } = await setup();
    const cold = byName(await estimateOf(viewer.session, { scope: { strategies: ['categories'] } }), 'categories');
    expect(cold.memory).toMatchObject({ basis: 'loaded_values', sampled: 10 });

    const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['categories'] } });
    await run.done;
    const ids = await database.rows<{ id: number }>(sql`select id from categories where level in (1, 2)`);
    const keys = ['Category:tree:root', ...ids.map((r) => `Category:id:${r.id}`)];
    const redis = rawRedis();
    let usage: number[];
    let payload: number[];
    try {
      usage = await Promise.all(keys.map(async (k) => Number(await redis.call('MEMORY', 'USAGE', prefix + k))));
      payload = await Promise.all(keys.map(async (k) => (await redis.strlen(prefix + k)) + Buffer.byteLength(k)));
    } finally {
      redis.disconnect();
    }
    // Before: ten values loaded, each between the smallest and the largest key + value there is.
    expect(cold.memory.bytesPerKey!).toBeGreaterThanOrEqual(Math.min(...payload));
    expect(cold.memory.bytesPerKey!).toBeLessThanOrEqual(Math.max(...payload));
    expect(cold.memory.bytes).toBe(cold.memory.bytesPerKey! * keys.length);

    const warm = byName(await estimateOf(viewer.session, { scope: { strategies: ['categories'] } }), 'categories');
    const mean = Math.round(usage.reduce((a, b) => a + b, 0) / usage.length);
    expect(warm.memory).toEqual({ basis: 'memory_usage', sampled: keys.length, bytesPerKey: mean, bytes: mean * keys.length });
  });

  it('is returned by a dry run and shown in its detail; a real run has none', async () => {
    const { database, viewer, operator } = await setup();
    const started = await runs.POST(request('/api/runs', { session: operator.session, body: { scope: { strategies: ['categories', 'recommendations'] }, dryRun: true } }), undefined);
    expect(started.status).toBe(202);
    const { runId } = await started.json();
    for (let i = 0; i < 100; i++) {
      const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`);
      if (row?.status !== 'running') break;
      await sleep(50);
    }
    const detail = (await (await runDetail.GET(request(`/api/runs/${runId}`, { session: viewer.session }), { params: Promise.resolve({ id: runId }) })).json()) as { run: RunDetail };
    expect(detail.run).toMatchObject({ status: 'succeeded', dryRun: true });
    const [categories] = await database.rows<{ n: number }>(sql`select count(*)::int + 1 as n from categories where level in (1, 2)`);
    const saved = detail.run.estimate!;
    expect(saved.strategies.map((s) => [s.strategy, s.keys])).toEqual([
      ['recommendations', { count: 4, exact: true, basis: 'dry_run' }],
      ['categories', { count: categories!.n, exact: true, basis: 'dry_run' }],
    ]);
    expect(saved.total.keys).toBe(4 + categories!.n);
    expect(detail.run.total).toBe(saved.total.keys);

    const real = await runs.POST(request('/api/runs', { session: operator.session, body: { scope: { strategies: ['recommendations'] } } }), undefined);
    const realId = (await real.json()).runId;
    for (let i = 0; i < 100; i++) {
      const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${realId}::uuid`);
      if (row?.status !== 'running') break;
      await sleep(50);
    }
    const realDetail = (await (await runDetail.GET(request(`/api/runs/${realId}`, { session: viewer.session }), { params: Promise.resolve({ id: realId }) })).json()) as { run: RunDetail };
    expect(realDetail.run.estimate).toBeNull();
  });

  it('needs a signed-in viewer and refuses what POST /api/runs would refuse', async () => {
    const { viewer } = await setup();
    expect((await estimateRoute.POST(request('/api/runs/estimate', { body: { scope: { all: true } } }), undefined)).status).toBe(401);
    expect(await errorOf(await estimate(viewer.session, { scope: { strategies: ['nope_nope'] } }))).toMatchObject({ status: 400, field: 'scope.strategies' });
    expect(await errorOf(await estimate(viewer.session, { scope: { strategies: ['product_catalog'] } }))).toMatchObject({ status: 409, field: 'scope.strategies' });
    expect(await errorOf(await estimate(viewer.session, { scope: { all: true }, concurrency: 0 }))).toMatchObject({ status: 400, field: 'concurrency' });
    expect(await errorOf(await estimate(viewer.session, { scope: { all: true }, colour: 'red' }))).toMatchObject({ status: 400, field: 'colour' });
  });
});
