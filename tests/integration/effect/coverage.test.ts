import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import * as coverage from '@/app/api/effect/coverage/route';
import * as history from '@/app/api/effect/coverage/history/route';
import * as sample from '@/app/api/effect/coverage/sample/route';
import * as runCoverage from '@/app/api/runs/[id]/coverage/route';
import type { CoverageHistory, CoverageOverview, CoverageSample, RunCoverage } from '@/lib/api/effect';
import { MemoryCache } from '@/server/cache/memory-cache';
import { registerStrategies } from '@/server/contexts';
import type { Database } from '@/server/db/client';
import { CoverageSampler } from '@/server/effect/coverage-sampler';
import { StrategyRegistry } from '@/server/warmup/registry';
import type { Runtime } from '@/server/runtime';
import { errorOf, request, signedIn } from '../../support/api';
import { overrideCache } from '../../support/cache-override';
import { useTestDatabase } from '../../support/db';
import { rawRedis } from '../../support/redis';
import { useTestRuntime } from '../../support/runtime';
import { useTestRedisCache } from '../../support/warmer';

const histogramOf = (s: CoverageSample) => Object.fromEntries(s.ttlHistogram.map((b) => [b.bucket, b.keys]));

async function setup() {
  const { database } = await useTestDatabase({ shop: true });
  const { cache, prefix } = await useTestRedisCache('coverage');
  const runtime = await useTestRuntime(database, { cache });
  const viewer = await signedIn(database, 'viewer');
  const operator = await signedIn(database, 'operator');
  return { database, cache, prefix, runtime, viewer, operator };
}

async function warm(runtime: Runtime, strategies: string[]): Promise<string> {
  const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies } });
  expect((await run.done).status).toBe('succeeded');
  await runtime.coverage.idle();
  return run.runId;
}

async function sampleNow(session: string, strategies: string[]): Promise<CoverageSample[]> {
  const response = await sample.POST(request('/api/effect/coverage/sample', { session, body: { strategies } }), undefined);
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { samples: CoverageSample[] }).samples;
}

async function categoryKeys(database: Database): Promise<string[]> {
  const rows = await database.rows<{ id: number }>(sql`select id from categories where level in (1, 2) order by id`);
  return ['Category:tree:root', ...rows.map((r) => `Category:id:${r.id}`)];
}

describe('cache coverage', () => {
  it('samples a run’s strategies right after it, and moves exactly as keys are deleted and warmed again', async () => {
    const { database, prefix, runtime, viewer, operator } = await setup();
    const keys = await categoryKeys(database);
    const firstRun = await warm(runtime, ['categories']);

    const after = (await (await runCoverage.GET(request(`/api/runs/${firstRun}/coverage`, { session: viewer.session }), { params: Promise.resolve({ id: firstRun }) })).json()) as RunCoverage;
    expect(after.samples).toHaveLength(1);
    expect(after.samples[0]).toMatchObject({ strategy: 'categories', runId: firstRun, warmSetSize: keys.length, sampled: keys.length, present: keys.length, coverage: 1, marginOfError: 0 });
    expect(histogramOf(after.samples[0]!)).toEqual({ '0-10%': 0, '10-25%': 0, '25-50%': 0, '50-75%': 0, '75-100%': keys.length, over_ttl: 0, no_expiry: 0 });

    const redis = rawRedis();
    try {
      await redis.del(...keys.slice(0, 5).map((k) => prefix + k));
      // Two keys nearly expired (5% of the TTL left), one without an expiry.
      await redis.pexpire(prefix + keys[5], 720_000);
      await redis.pexpire(prefix + keys[6], 720_000);
      await redis.persist(prefix + keys[7]);
    } finally {
      redis.disconnect();
    }
    const [dropped] = await sampleNow(operator.session, ['categories']);
    // Five deleted, and the one without an expiry is no value of Kiln's: six not covered.
    expect(dropped).toMatchObject({ runId: null, warmSetSize: keys.length, sampled: keys.length, present: keys.length - 6 });
    expect(dropped!.coverage).toBeCloseTo((keys.length - 6) / keys.length, 10);
    expect(histogramOf(dropped!)).toMatchObject({ '0-10%': 2, '75-100%': keys.length - 8, no_expiry: 1 });

    const overview = (await (await coverage.GET(request('/api/effect/coverage', { session: viewer.session }), undefined)).json()) as CoverageOverview;
    const categories = overview.strategies.find((s) => s.strategy === 'categories')!;
    expect(categories.latest).toMatchObject({ id: dropped!.id, present: keys.length - 6 });
    expect(categories.latestAfterRun).toMatchObject({ runId: firstRun, present: keys.length });
    expect(overview.strategies.map((s) => s.strategy)).toEqual(['hot_products', 'recommendations', 'categories', 'sessions', 'product_catalog']);
    expect(overview.strategies.find((s) => s.strategy === 'sessions')!.latest).toBeNull();
    expect(overview.sampleIntervalMinutes).toBe(5);

    const secondRun = await warm(runtime, ['categories']);
    const list = (await (await history.GET(request('/api/effect/coverage/history?strategy=categories', { session: viewer.session }), undefined)).json()) as CoverageHistory;
    expect(list.series).toHaveLength(1);
    expect(list.series[0]!.samples.map((s) => [s.runId, s.present])).toEqual([
      [firstRun, keys.length],
      [null, keys.length - 6],
      [secondRun, keys.length],
    ]);
    expect(list.runs.map((r) => r.id)).toEqual([firstRun, secondRun]);
  });

  it('samples a warm set bigger than its sample uniformly, through the strategy’s own sampler', async () => {
    const { database, cache, runtime, operator } = await setup();
    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
    const [active] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
    expect(active!.n).toBeGreaterThan(300);
    await warm(runtime, ['product_catalog']);
    const [full] = await sampleNow(operator.session, ['product_catalog']);
    expect(full).toMatchObject({ warmSetSize: active!.n, sampled: 300, present: 300, coverage: 1 });
    expect(full!.marginOfError).toBeGreaterThan(0);
    expect(full!.marginOfError).toBeLessThan(0.06);

    const all: string[] = [];
    for await (const batch of cache.scan('Product:id:')) all.push(...batch);
    await cache.delete(all.filter((_, i) => i % 2 === 0));
    const [half] = await sampleNow(operator.session, ['product_catalog']);
    // A uniform sample of 300 of the ~290 remaining among ~580: within a few standard deviations of half.
    expect(half!.present).toBeGreaterThan(150 - 4 * 9);
    expect(half!.present).toBeLessThan(150 + 4 * 9);
    await cache.delete(all);
    const [none] = await sampleNow(operator.session, ['product_catalog']);
    expect(none).toMatchObject({ sampled: 300, present: 0, coverage: 0 });
  });

  it('warns when the cache evicted keys since the strategy’s previous sample', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const memory = new MemoryCache({ maxBytes: 8 * 1024 * 1024 });
    let evicted = 10;
    const evicting = overrideCache(memory, { health: async () => ({ ok: true, latencyMs: 0, details: { evictedKeys: evicted } }) });
    const runtime = await useTestRuntime(database, { cache: evicting });
    const viewer = await signedIn(database, 'viewer');
    const [first] = await runtime.coverage.sampleNow(['recommendations']);
    const [steady] = await runtime.coverage.sampleNow(['recommendations']);
    evicted = 25;
    const [grown] = await runtime.coverage.sampleNow(['recommendations']);
    const list = (await (await history.GET(request('/api/effect/coverage/history?strategy=recommendations', { session: viewer.session }), undefined)).json()) as CoverageHistory;
    const byId = new Map(list.series[0]!.samples.map((s) => [s.id, s]));
    expect(byId.get(first!)).toMatchObject({ evictedKeys: 10, evictionsSincePrevious: null, evictionWarning: false });
    expect(byId.get(steady!)).toMatchObject({ evictedKeys: 10, evictionsSincePrevious: 0, evictionWarning: false });
    expect(byId.get(grown!)).toMatchObject({ evictedKeys: 25, evictionsSincePrevious: 15, evictionWarning: true });
    const overview = (await (await coverage.GET(request('/api/effect/coverage', { session: viewer.session }), undefined)).json()) as CoverageOverview;
    expect(overview.evictionWarning).toBe(true);
  });

  it('takes the periodic sample on one process of several, once per interval', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const cache = new MemoryCache({ maxBytes: 8 * 1024 * 1024 });
    const replica = () =>
      new CoverageSampler({ database, cache, registry: registerStrategies(new StrategyRegistry()), logger: pino({ level: 'silent' }), intervalMs: 300_000 });
    const now = new Date();
    const results = await Promise.all([replica().samplePeriodically(now), replica().samplePeriodically(now), replica().samplePeriodically(now)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const count = async () => (await database.rows<{ n: number }>(sql`select count(*)::int as n from coverage_samples where run_id is null`))[0]!.n;
    // The four strategies enabled by default.
    expect(await count()).toBe(4);
    expect(await replica().samplePeriodically(new Date(now.getTime() + 60_000))).toBe(false);
    expect(await replica().samplePeriodically(new Date(now.getTime() + 300_000))).toBe(true);
    expect(await count()).toBe(8);
  });

  it('refuses anonymous reads, a viewer’s sample, unknown strategies and unknown runs', async () => {
    const { viewer, operator } = await setup();
    expect((await coverage.GET(request('/api/effect/coverage'), undefined)).status).toBe(401);
    expect((await sample.POST(request('/api/effect/coverage/sample', { session: viewer.session, body: {} }), undefined)).status).toBe(403);
    expect(await errorOf(await sample.POST(request('/api/effect/coverage/sample', { session: operator.session, body: { strategies: ['nope_nope'] } }), undefined))).toMatchObject({ status: 400, field: 'strategies' });
    expect(await errorOf(await history.GET(request('/api/effect/coverage/history?strategy=nope_nope', { session: viewer.session }), undefined))).toMatchObject({ status: 400, field: 'strategy' });
    const unknown = '00000000-0000-4000-8000-000000000001';
    expect(await errorOf(await runCoverage.GET(request(`/api/runs/${unknown}/coverage`, { session: viewer.session }), { params: Promise.resolve({ id: unknown }) }))).toMatchObject({ status: 404 });
  });
});
