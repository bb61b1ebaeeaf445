import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { productKey } from '@/server/contexts/catalog/product-key';
import { productCatalogStrategy } from '@/server/contexts/catalog/product-catalog-strategy';
import { SALES_DEBOUNCE_MS } from '@/server/contexts/catalog/change-rules';
import { allStrategies } from '@/server/contexts';
import { sessionKey } from '@/server/contexts/identity/session-key';
import { loadSessionsJson } from '@/server/contexts/identity/load-sessions-json';
import { loadStreamState } from '@/server/freshness/freshness-store';
import type { WarmupStrategy } from '@/server/warmup/strategy';
import { type ShopDatabase, type ShopServer, startShopServer, startTestConsumer, testRedisCache, waitFor } from '../../support/freshness';
import type { RedisCache } from '@/server/cache/redis-cache';
import postgres from 'postgres';
import { overrideCache } from '../../support/cache-override';

// The same behaviour on both change streams: logical replication (a Postgres of the test's own with
// wal_level=logical) and the trigger fallback (the shared test server, whose wal_level is replica).
describe.each(['logical', 'triggers'] as const)('re-warming on change through %s', (mode) => {
  let server: ShopServer;
  beforeAll(async () => {
    server = await startShopServer(mode);
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
  });

  async function activeProducts(shop: ShopDatabase, n: number): Promise<number[]> {
    const rows = await shop.admin<{ id: number }[]>`select id from products where status = 'active' order by id limit ${n}`;
    return rows.map((r) => r.id);
  }

  async function cacheProducts(shop: ShopDatabase, cache: RedisCache, ids: number[]): Promise<void> {
    const values = await loadProductsJson(shop.database, ids);
    await cache.setMany(ids.map((id, i) => ({ key: productKey(id), value: values[i]!, ttlSeconds: 3600 })));
  }

  const priceOf = async (cache: RedisCache, id: number) => {
    const value = await cache.get(productKey(id));
    return value === null ? null : (JSON.parse(value) as { price: number; stock: number; status: string }).price;
  };

  async function streaming(consumer: { status: { state: string } }): Promise<void> {
    await waitFor('the consumer to stream', () => consumer.status.state === 'streaming');
  }

  test('an update re-warms its cached keys with the new value, with their TTL, and leaves cold keys cold', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [warm, cold] = await activeProducts(shop, 2);
    await cacheProducts(shop, cache, [warm!]);
    const { consumer } = startTestConsumer(shop.database, cache, { mode });
    await streaming(consumer);
    expect(consumer.status.mode).toBe(mode);

    await shop.admin`update products set price = 123.45, stock = 7 where id in (${warm!}, ${cold!})`;
    await waitFor('the new price in Redis', async () => (await priceOf(cache, warm!)) === 123.45);
    const value = JSON.parse((await cache.get(productKey(warm!)))!);
    expect(value).toMatchObject({ id: warm, price: 123.45, stock: 7 });
    // hot_products owns the key (highest priority of the enabled strategies warming it): its 2 h TTL.
    const ttl = await cache.ttlMs(productKey(warm!));
    expect(ttl).toBeGreaterThan(7000_000);
    expect(ttl).toBeLessThanOrEqual(7200_000);
    await new Promise((r) => setTimeout(r, 400));
    expect(await cache.get(productKey(cold!))).toBeNull();

    const stats = await waitFor('the counts', async () => {
      const [row] = await shop.admin<{ changes: string; rewarmed: string; skipped: string; delay: string[] }[]>`
        select sum(changes)::text as changes, sum(rewarmed)::text as rewarmed, sum(skipped)::text as skipped, max(delay_max_ms)::text as delay
        from freshness_stats where strategy = 'hot_products'`;
      return row && Number(row.rewarmed) >= 1 ? row : null;
    });
    expect(Number(stats.changes)).toBe(2);
    expect(Number(stats.skipped)).toBe(1); // the cold one
    expect(Number(stats.delay)).toBeLessThan(5000);
  });

  test('a deactivated product and a deleted session lose their keys; a cached list is reloaded without the product', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [product] = await activeProducts(shop, 1);
    await cacheProducts(shop, cache, [product!]);
    const [session] = await shop.admin<{ user_id: number }[]>`select user_id from shop_sessions where expires_at > now() order by user_id limit 1`;
    const [sessionValue] = await loadSessionsJson(shop.database, [session!.user_id], new Date());
    await cache.set(sessionKey(session!.user_id), sessionValue!, 900);
    // new_arrivals holds the newest products; make ours the newest so the list holds it.
    await shop.admin`update products set created_at = now() - interval '1 minute' where id = ${product!}`;
    const { consumer } = startTestConsumer(shop.database, cache, { mode });
    await streaming(consumer);
    await waitFor('the product re-warmed after its created_at moved', async () => (await cache.get(productKey(product!))) !== null);
    const list = JSON.stringify({ list: 'new_arrivals', generatedAt: new Date().toISOString(), products: [{ id: product, name: 'x' }] });
    await cache.set('recommendations:new_arrivals', list, 1800);

    await shop.admin`update products set status = 'inactive' where id = ${product!}`;
    await shop.admin`delete from shop_sessions where user_id = ${session!.user_id}`;
    await waitFor('the product key deleted', async () => (await cache.get(productKey(product!))) === null);
    await waitFor('the session key deleted', async () => (await cache.get(sessionKey(session!.user_id))) === null);
    const reloaded = await waitFor('the list reloaded', async () => {
      const value = await cache.get('recommendations:new_arrivals');
      return value && value !== list ? (JSON.parse(value) as { products: { id: number }[] }) : null;
    });
    expect(reloaded.products.map((p) => p.id)).not.toContain(product);
  });

  test('a burst of 50 updates to one product loads it once and leaves the last value', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [product] = await activeProducts(shop, 1);
    await cacheProducts(shop, cache, [product!]);
    const loaded: string[] = [];
    const counting = allStrategies.map((s): WarmupStrategy =>
      s.name === 'hot_products' ? { ...s, loadMany: async (keys, ctx) => (loaded.push(...keys), s.loadMany!(keys, ctx)) } : s,
    );
    // A window of a second: "50 updates in a second" whatever the shared machine's pace.
    const { consumer } = startTestConsumer(shop.database, cache, { mode, strategies: counting, env: { KILN_CHANGE_COALESCE_MS: '1000' } });
    await streaming(consumer);

    // 50 transactions, one after the other on one connection (pipelined), as fast as Postgres takes them.
    const one = postgres(shop.url, { max: 1, onnotice: () => {} });
    try {
      await Promise.all(Array.from({ length: 50 }, (_, i) => one`update products set price = ${100 + i} where id = ${product!}`));
    } finally {
      await one.end();
    }
    await waitFor('the last price', async () => (await priceOf(cache, product!)) === 149);
    await new Promise((r) => setTimeout(r, 500));
    expect(loaded.filter((k) => k === productKey(product!))).toHaveLength(1);
  });

  test('a consumer killed before its write leaves the change to the next one, which misses nothing', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const ids = await activeProducts(shop, 3);
    await cacheProducts(shop, cache, ids);
    // The first consumer dies between loading and writing: its cache refuses every re-warm.
    let attempts = 0;
    const broken = overrideCache(cache, {
      refreshMany: async () => {
        attempts++;
        throw new Error('killed before the write');
      },
    });
    const first = startTestConsumer(shop.database, broken, { mode, owner: 'first' });
    await streaming(first.consumer);
    await shop.admin`update products set price = 201 where id = ${ids[0]!}`;
    await waitFor('the first consumer to try', () => attempts > 0);
    await first.consumer.stop();
    // While nothing consumes, more changes.
    await shop.admin`update products set price = 202 where id = ${ids[1]!}`;
    await shop.admin`update products set price = 203 where id = ${ids[2]!}`;
    expect(await priceOf(cache, ids[0]!)).not.toBe(201);

    const second = startTestConsumer(shop.database, cache, { mode, owner: 'second' });
    await streaming(second.consumer);
    await waitFor('every change re-warmed', async () => (await priceOf(cache, ids[0]!)) === 201 && (await priceOf(cache, ids[1]!)) === 202 && (await priceOf(cache, ids[2]!)) === 203);
  });

  test('two replicas never both consume, and the second takes over when the first stops', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [product] = await activeProducts(shop, 1);
    await cacheProducts(shop, cache, [product!]);
    const a = startTestConsumer(shop.database, cache, { mode, owner: 'replica-a' });
    const b = startTestConsumer(shop.database, cache, { mode, owner: 'replica-b' });
    let both = 0;
    const sampler = setInterval(() => {
      if (a.consumer.status.holding && b.consumer.status.holding) both++;
    }, 5);
    try {
      await waitFor('one of them to stream', () => a.consumer.status.state === 'streaming' || b.consumer.status.state === 'streaming');
      await new Promise((r) => setTimeout(r, 600));
      const [holder, other] = a.consumer.status.holding ? [a, b] : [b, a];
      expect(holder.consumer.status.holding).toBe(true);
      expect(other.consumer.status.state).toBe('waiting');
      await shop.admin`update products set price = 301 where id = ${product!}`;
      await waitFor('the holder re-warms', async () => (await priceOf(cache, product!)) === 301);
      expect(other.batches).toHaveLength(0);

      await holder.consumer.stop();
      await waitFor('the other to take over', () => other.consumer.status.state === 'streaming');
      await shop.admin`update products set price = 302 where id = ${product!}`;
      await waitFor('the new holder re-warms', async () => (await priceOf(cache, product!)) === 302);
      const state = await loadStreamState(shop.database);
      expect(state?.holder).toBe(other === a ? 'replica-a' : 'replica-b');
    } finally {
      clearInterval(sampler);
    }
    expect(both).toBe(0);
  });

  test('a batch a run loaded before a change does not overwrite the re-warmed value', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [product] = await activeProducts(shop, 1);
    await cacheProducts(shop, cache, [product!]);
    const { consumer } = startTestConsumer(shop.database, cache, { mode });
    await streaming(consumer);

    // The run's batch: position read, value loaded (old price), then held until the change is re-warmed.
    const { warmStrategy } = await import('@/server/warmup/engine');
    const { ConcurrencyLimiter } = await import('@/server/warmup/limiter');
    const { readWalPosition } = await import('@/server/freshness/rewarm-plan');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let loadedOld!: () => void;
    const loadedOldValue = new Promise<void>((r) => (loadedOld = r));
    const slow: WarmupStrategy = {
      ...(productCatalogStrategy as unknown as WarmupStrategy),
      async *keys() {
        yield [productKey(product!)];
      },
      loadMany: async (keys, ctx) => {
        const values = await productCatalogStrategy.loadMany!(keys, ctx as Parameters<NonNullable<typeof productCatalogStrategy.loadMany>>[1]);
        loadedOld();
        await held;
        return values;
      },
    };
    const run = warmStrategy(
      { strategy: slow, name: 'product_catalog', priority: 10, ttlSeconds: 86_400, defaultTtlSeconds: 86_400, enabled: true, options: {} },
      {
        cache,
        database: shop.database,
        limiter: new ConcurrencyLimiter(2),
        signal: new AbortController().signal,
        batchSize: 100,
        loadTimeoutMs: 30_000,
        onlyMissing: false,
        dryRun: false,
        now: new Date(),
        readVersion: () => readWalPosition(shop.database),
      },
    );
    await loadedOldValue;
    await shop.admin`update products set price = 401 where id = ${product!}`;
    await waitFor('the change re-warmed', async () => (await priceOf(cache, product!)) === 401);
    release();
    const stats = await run;
    expect(stats).toMatchObject({ warmed: 0, skipped: 1, failed: 0 });
    expect(await priceOf(cache, product!)).toBe(401);
  });

  test('sales move the rankings: order changes reload the cached sales lists once, after the debounce, from a durable wait', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const stale = JSON.stringify({ list: 'best_sellers', generatedAt: '2000-01-01T00:00:00.000Z', products: [] });
    await cache.ready();
    await cache.set('recommendations:best_sellers', stale, 1800);
    const loaded: string[] = [];
    const counting = allStrategies.map((s): WarmupStrategy =>
      s.name === 'recommendations' ? { ...s, load: async (key, ctx) => (loaded.push(key), s.load(key, ctx)) } : s,
    );
    const { consumer } = startTestConsumer(shop.database, cache, { mode, strategies: counting });
    await streaming(consumer);
    const orders = await shop.admin<{ id: number }[]>`select id from orders where status = 'pending' order by id limit 3`;
    const started = Date.now();
    for (const order of orders) await shop.admin`update orders set status = 'paid', paid_at = now() where id = ${order.id}`;
    // Waiting in Postgres, not in memory: a restart meanwhile would still reload them.
    const waiting = await waitFor('the lists waiting', async () => {
      const rows = await shop.admin<{ key: string }[]>`select key from change_pending order by key`;
      return rows.length ? rows.map((r) => r.key) : null;
    });
    expect(waiting).toEqual(['recommendations:best_sellers', 'recommendations:homepage', 'recommendations:trending']);
    await waitFor('the list reloaded', async () => (await cache.get('recommendations:best_sellers')) !== stale, 20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SALES_DEBOUNCE_MS - 500);
    expect(loaded.filter((k) => k === 'recommendations:best_sellers')).toHaveLength(1);
    await waitFor('the wait cleared', async () => (await shop.admin`select 1 from change_pending`).length === 0);
  });

  test('the strategy setting turns re-warming off for its keys', async () => {
    const shop = await server.shop();
    const { cache } = testRedisCache();
    const [product] = await activeProducts(shop, 1);
    await cacheProducts(shop, cache, [product!]);
    await shop.admin`insert into strategy_settings (strategy, rewarm_on_change) values ('hot_products', false)`;
    const { consumer, batches } = startTestConsumer(shop.database, cache, { mode });
    await streaming(consumer);
    const before = await priceOf(cache, product!);
    await shop.admin`update products set price = 501 where id = ${product!}`;
    await waitFor('the change read', () => batches.some((b) => b.changes > 0));
    await new Promise((r) => setTimeout(r, 300));
    expect(await priceOf(cache, product!)).toBe(before);
  });
});

