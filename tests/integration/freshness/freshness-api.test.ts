import pino from 'pino';
import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import * as freshness from '@/app/api/freshness/route';
import * as strategy from '@/app/api/strategies/[name]/route';
import * as strategies from '@/app/api/strategies/route';
import type { FreshnessOverview } from '@/lib/api/freshness';
import type { StrategyView } from '@/lib/api/strategies';
import { MemoryCache } from '@/server/cache/memory-cache';
import { parseConfig } from '@/server/config';
import { allChangeRules, allStrategies } from '@/server/contexts';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { productKey } from '@/server/contexts/catalog/product-key';
import { openPglite } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';
import { ChangeStreamConsumer } from '@/server/freshness/consumer';
import { recordTallies } from '@/server/freshness/freshness-store';
import { StrategyRegistry } from '@/server/warmup/registry';
import { errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';
import { waitFor } from '../../support/freshness';

const named = (value: string) => ({ params: Promise.resolve({ name: value }) });

describe('the freshness API', () => {
  it('answers per strategy the counts and the delay percentiles of what the consumer recorded, bucketed', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const tally = (delaysMs: number[], extra = {}) => ({ rewarmed: delaysMs.length, deleted: 0, skipped: 0, failed: 0, delaysMs, lastError: null, ...extra });
    await recordTallies(database, new Map([['hot_products', tally([40, 60, 180])]]), new Map([['hot_products', 5]]), minute);
    await recordTallies(database, new Map([['hot_products', tally([900], { skipped: 2, failed: 1, lastError: { key: 'Product:id:9', error: 'boom' } })]]), new Map([['hot_products', 4]]), new Date(minute.getTime() + 10_000));
    await recordTallies(database, new Map([['sessions', tally([20])]]), new Map([['sessions', 1]]), new Date(minute.getTime() + 60_000));

    const response = await freshness.GET(request('/api/freshness?bucket=minute', viewer), undefined as never);
    expect(response.status).toBe(200);
    const body = (await response.json()) as FreshnessOverview;
    const hot = body.strategies.find((s) => s.strategy === 'hot_products')!;
    expect(hot.totals).toMatchObject({ changes: 9, rewarmed: 4, skipped: 2, failed: 1, maxMs: 900 });
    expect(hot.totals.p50Ms).toBe(100); // the 2nd of 4 delays lies in the 50-100 ms bucket: its top
    expect(hot.totals.p95Ms).toBe(900);
    expect(hot.points).toHaveLength(1);
    expect(hot.points[0]).toMatchObject({ bucketStart: minute.toISOString(), changes: 9 });
    expect(hot.lastError).toEqual({ key: 'Product:id:9', error: 'boom' });
    expect(body.strategies.find((s) => s.strategy === 'sessions')!.points[0]!.bucketStart).toBe(new Date(minute.getTime() + 60_000).toISOString());
    expect(body.strategies.map((s) => s.strategy)).toEqual(['hot_products', 'recommendations', 'categories', 'sessions', 'product_catalog']);

    const bad = await freshness.GET(request('/api/freshness?bucket=week', viewer), undefined as never);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).field).toBe('bucket');
    expect((await freshness.GET(request('/api/freshness'), undefined as never)).status).toBe(401);
  });

  it('turns re-warm on change off for a strategy, audited, and refuses a non-boolean naming the field with nothing saved', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const response = await strategy.PATCH(request('/api/strategies/sessions', { ...operator, method: 'PATCH', body: { rewarmOnChange: false } }), named('sessions'));
    expect(response.status).toBe(200);
    expect((await response.json()).strategy).toMatchObject({ name: 'sessions', rewarmOnChange: false, defaults: { rewarmOnChange: true } });
    const views: StrategyView[] = (await (await strategies.GET(request('/api/strategies', operator), undefined as never)).json()).strategies;
    expect(views.find((s) => s.name === 'sessions')!.rewarmOnChange).toBe(false);
    expect(views.find((s) => s.name === 'hot_products')!.rewarmOnChange).toBe(true);
    const [audit] = await database.rows<{ before: unknown; after: unknown }>(sql`select before, after from audit_log where action = 'strategy.update'`);
    expect(audit).toMatchObject({ before: { rewarmOnChange: true }, after: { rewarmOnChange: false } });

    const refused = await strategy.PATCH(request('/api/strategies/hot_products', { ...operator, method: 'PATCH', body: { rewarmOnChange: 'yes' } }), named('hot_products'));
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ field: 'rewarmOnChange', message: expect.stringMatching(/expected true or false/) });
    const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from strategy_settings where strategy = 'hot_products'`);
    expect(row!.n).toBe(0);
  });
});

describe('the embedded default', () => {
  it('re-warms through the trigger fallback on PGlite with the in-process cache', async () => {
    const seedNow = new Date(inject('seedNow'));
    const pglite = await openPglite('memory://');
    try {
      await applyMigrations(pglite);
      await seedShop(pglite, { products: 100, seed: 7, now: seedNow });
      const cache = new MemoryCache({ maxBytes: 16 * 1024 * 1024 });
      const [product] = await pglite.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 1`);
      const [value] = await loadProductsJson(pglite, [product!.id]);
      await cache.set(productKey(product!.id), value!, 600);
      const registry = new StrategyRegistry();
      for (const s of allStrategies) registry.register(s);
      const consumer = new ChangeStreamConsumer({
        database: pglite, cache, logger: pino({ level: 'silent' }), registry, rules: allChangeRules,
        config: parseConfig({ KILN_CHANGE_COALESCE_MS: '50', KILN_CHANGE_POLL_MS: '50' }).changeStream, owner: 'embedded',
      });
      consumer.start();
      try {
        await waitFor('the fallback to stream', () => consumer.status.state === 'streaming');
        expect(consumer.status.mode).toBe('triggers');
        await pglite.rows(sql`update products set price = 77.70 where id = ${product!.id}`);
        await waitFor('the new price cached', async () => JSON.parse((await cache.get(productKey(product!.id)))!).price === 77.7);
        const [left] = await pglite.rows<{ n: number }>(sql`select count(*)::int as n from change_log`);
        expect(left!.n).toBe(0);
      } finally {
        await consumer.stop();
      }
    } finally {
      await pglite.close();
    }
  });
});
