import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { registerStrategies } from '@/server/contexts';
import { ShopReads } from '@/server/contexts/shop-reads';
import { type Database, openPglite } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';
import { getCoverageOverview } from '@/server/effect/coverage-queries';
import { CoverageSampler } from '@/server/effect/coverage-sampler';
import { estimateRun } from '@/server/effect/estimate-run';
import { getHitRate } from '@/server/effect/hit-rate';
import { ReadCounter } from '@/server/reads/read-counter';
import { StrategySettingsCache } from '@/server/reads/strategy-settings-cache';
import { StrategyRegistry } from '@/server/warmup/registry';
import { resolveStrategies } from '@/server/warmup/settings';
import { TEST_SHOP } from '../../support/build-templates';

// The zero-setup default runs on embedded PGlite: the read path, its counts, the coverage samples
// and the estimates must work there too (one process: no advisory lock is needed).
let pglite: Database;

beforeAll(async () => {
  pglite = await openPglite('memory://');
  await applyMigrations(pglite);
  await seedShop(pglite, { ...TEST_SHOP, now: new Date() });
  await pglite.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
}, 120_000);

afterAll(async () => {
  await pglite?.close();
});

describe('whether the warmup helps, on embedded PGlite', () => {
  it('reads, counts, samples coverage and estimates', async () => {
    const registry = registerStrategies(new StrategyRegistry());
    const cache = new MemoryCache({ maxBytes: 16 * 1024 * 1024 });
    const counter = new ReadCounter(pglite);
    const reads = new ShopReads({ cache, database: pglite, counter, settings: new StrategySettingsCache(pglite, registry) });
    const [product] = await pglite.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 1`);
    expect((await reads.product(product!.id)).hit).toBe(false);
    expect((await reads.product(product!.id)).hit).toBe(true);
    await counter.flush();
    const hitRate = await getHitRate(pglite, { family: 'products', from: new Date(Date.now() - 3_600_000).toISOString() });
    expect(hitRate.totals[0]).toMatchObject({ hits: 1, misses: 1, dbQueries: 1, dbQueriesAvoided: 1 });

    const sampler = new CoverageSampler({ database: pglite, cache, registry, logger: pino({ level: 'silent' }), intervalMs: 300_000 });
    expect(await sampler.samplePeriodically()).toBe(true);
    const overview = await getCoverageOverview(pglite, registry, 5);
    const catalog = overview.strategies.find((s) => s.strategy === 'product_catalog')!;
    const [active] = await pglite.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
    expect(catalog.latest).toMatchObject({ warmSetSize: active!.n, sampled: 300 });
    // One product of the catalog is cached: at most that one is in the sample.
    expect(catalog.latest!.present).toBeLessThanOrEqual(1);

    const strategies = (await resolveStrategies(pglite, registry)).filter((s) => s.name === 'categories' || s.name === 'product_catalog');
    const estimate = await estimateRun({ database: pglite, cache }, strategies);
    expect(estimate.strategies.find((s) => s.strategy === 'product_catalog')!.keys).toEqual({ count: active!.n, exact: true, basis: 'count_keys' });
    expect(estimate.total.durationComplete).toBe(false);
  });
});
