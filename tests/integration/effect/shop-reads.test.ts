import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import type { Cache } from '@/server/cache/cache';
import { registerStrategies } from '@/server/contexts';
import { ShopReads } from '@/server/contexts/shop-reads';
import type { Database } from '@/server/db/client';
import { ReadCounter } from '@/server/reads/read-counter';
import { READ_FAMILY_INFO } from '@/server/reads/read-families';
import { StrategySettingsCache } from '@/server/reads/strategy-settings-cache';
import { StrategyRegistry } from '@/server/warmup/registry';
import { overrideCache } from '../../support/cache-override';
import { useTestDatabase } from '../../support/db';
import { useTestRedisCache } from '../../support/warmer';

/** A view of the database that counts the queries made through it: the loaders' only way in. */
function spied(database: Database): { database: Database; queries: () => number } {
  let n = 0;
  return {
    database: { ...database, rows: (query) => (n++, database.rows(query)) } as Database,
    queries: () => n,
  };
}

async function setup(options: { cache?: Cache; settingsMaxAgeMs?: number } = {}) {
  const { database } = await useTestDatabase({ shop: true });
  const cache = options.cache ?? (await useTestRedisCache('reads')).cache;
  const registry = registerStrategies(new StrategyRegistry());
  const spy = spied(database);
  const counter = new ReadCounter(database);
  const settings = new StrategySettingsCache(database, registry, options.settingsMaxAgeMs ?? 5_000);
  const reads = new ShopReads({ cache, database: spy.database, counter, settings, logger: pino({ level: 'silent' }) });
  // Settings are read on the first miss and kept: load them now so the spy counts loads only.
  await settings.get();
  return { database, cache, counter, settings, reads, spy };
}

async function firstProductId(database: Database, status = 'active'): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`select id from products where status = ${status} order by id limit 1`);
  return row!.id;
}

describe('the shop read path', () => {
  it('misses a product first (one query, cached with the TTL in force), then hits it without a query', async () => {
    const { database, cache, counter, reads, spy } = await setup();
    const id = await firstProductId(database);
    const [expected] = await database.rows<{ name: string; price: string }>(sql`select name, price::text as price from products where id = ${id}`);

    const first = await reads.product(id);
    expect(first.hit).toBe(false);
    const product = JSON.parse(first.value!);
    expect(product).toMatchObject({ id, name: expected!.name, price: Number(expected!.price) });
    expect(spy.queries()).toBe(1);
    expect(await cache.get(`Product:id:${id}`)).toBe(first.value);
    // hot_products' TTL (product_catalog is off by default).
    const ttl = await cache.ttlMs(`Product:id:${id}`);
    expect(ttl).toBeGreaterThan(7195_000);
    expect(ttl).toBeLessThanOrEqual(7200_000);

    const second = await reads.product(id);
    expect(second).toEqual({ value: first.value, hit: true });
    expect(spy.queries()).toBe(1);
    expect(counter.pending()).toEqual({ products: { hits: 1, misses: 1, dbQueries: 1 } });
  });

  it('writes with the TTL operators set, the longest of the family’s enabled strategies, once the settings refresh', async () => {
    const { database, cache, reads } = await setup({ settingsMaxAgeMs: 0 });
    const id = await firstProductId(database);
    await database.rows(sql`insert into strategy_settings (strategy, ttl_seconds) values ('hot_products', 600)`);
    await reads.product(id);
    expect(await cache.ttlMs(`Product:id:${id}`)).toBeGreaterThan(595_000);
    expect(await cache.ttlMs(`Product:id:${id}`)).toBeLessThanOrEqual(600_000);

    await cache.delete([`Product:id:${id}`]);
    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
    await reads.product(id);
    expect(await cache.ttlMs(`Product:id:${id}`)).toBeGreaterThan(86_395_000);
  });

  it('answers null for a product that does not exist, caches nothing, and counts the miss and its query', async () => {
    const { cache, counter, reads, spy } = await setup();
    expect(await reads.product(2_000_000)).toEqual({ value: null, hit: false });
    expect(await reads.product(2_000_000)).toEqual({ value: null, hit: false });
    expect(await cache.exists('Product:id:2000000')).toBe(false);
    expect(spy.queries()).toBe(2);
    expect(counter.pending()).toEqual({ products: { hits: 0, misses: 2, dbQueries: 2 } });
  });

  it('reads every family through the keys its strategies warm, each miss costing the queries the family declares', async () => {
    const { database, cache, counter, reads, spy } = await setup();
    const [category] = await database.rows<{ id: number; name: string }>(sql`select id, name from categories where level = 2 order by id limit 1`);
    const [roots] = await database.rows<{ n: number }>(sql`select count(*)::int as n from categories where level = 1`);
    const [user] = await database.rows<{ id: number; email: string }>(sql`
      select u.id, u.email from shop_users u
      where exists (select 1 from shop_sessions s where s.user_id = u.id and s.expires_at > now()) order by u.id limit 1`);

    const tree = await reads.categoryTree();
    expect(JSON.parse(tree.value!).children).toHaveLength(roots!.n);
    expect(await cache.exists('Category:tree:root')).toBe(true);
    const one = await reads.category(category!.id);
    expect(JSON.parse(one.value!)).toMatchObject({ id: category!.id, name: category!.name, level: 2 });
    const homepage = await reads.recommendation('homepage');
    const list = JSON.parse(homepage.value!);
    expect(list.list).toBe('homepage');
    expect(list.products.length).toBeGreaterThan(0);
    expect(list.products.length).toBeLessThanOrEqual(20);
    expect(await cache.exists('recommendations:homepage')).toBe(true);
    const session = await reads.session(user!.id);
    expect(JSON.parse(session.value!)).toMatchObject({ userId: user!.id, user: { email: user!.email } });
    expect(await cache.exists(`User:session:${user!.id}`)).toBe(true);
    expect([tree, one, homepage, session].every((r) => !r.hit)).toBe(true);

    for (const again of [await reads.categoryTree(), await reads.category(category!.id), await reads.recommendation('homepage'), await reads.session(user!.id)]) {
      expect(again.hit).toBe(true);
    }
    // A list the shop does not have is not a read at all.
    expect(await reads.recommendation('nope')).toEqual({ value: null, hit: false });

    const pending = counter.pending();
    expect(pending).toEqual({
      categories: { hits: 2, misses: 2, dbQueries: 2 * READ_FAMILY_INFO.categories.queriesPerMiss },
      recommendations: { hits: 1, misses: 1, dbQueries: READ_FAMILY_INFO.recommendations.queriesPerMiss },
      sessions: { hits: 1, misses: 1, dbQueries: READ_FAMILY_INFO.sessions.queriesPerMiss },
    });
    const recorded = Object.values(pending).reduce((n, p) => n + p.dbQueries, 0);
    expect(spy.queries()).toBe(recorded);
  });

  it('answers from the database when the cache fails, counting a miss', async () => {
    const memory = new MemoryCache({ maxBytes: 1024 * 1024 });
    const broken = overrideCache(memory, {
      get: async () => {
        throw new Error('cache down');
      },
    });
    const { database, counter, reads } = await setup({ cache: broken });
    const id = await firstProductId(database);
    const result = await reads.product(id);
    expect(result.hit).toBe(false);
    expect(JSON.parse(result.value!).id).toBe(id);
    expect(counter.pending()).toEqual({ products: { hits: 0, misses: 1, dbQueries: 1 } });
  });
});

describe('the read counter', () => {
  const MINUTE = 60_000;
  const at = Date.parse('2026-03-02T10:15:00Z');

  async function rows(database: Database) {
    return database.rows<{ bucket: string; family: string; hits: number; misses: number; db_queries: number }>(sql`
      select to_char(bucket_start at time zone 'UTC', 'HH24:MI') as bucket, family, hits::int, misses::int, db_queries::int
      from cache_reads order by bucket_start, family`);
  }

  it('adds its counts to one row per family and minute, flush after flush', async () => {
    const { database } = await useTestDatabase();
    let now = at + 5_000;
    const counter = new ReadCounter(database, { now: () => now });
    counter.record('products', true);
    counter.record('products', false, 1);
    counter.record('sessions', false, 1);
    expect(await counter.flush()).toBe(2);
    now = at + 50_000;
    counter.record('products', true);
    now = at + MINUTE + 1;
    counter.record('products', true);
    await counter.flush();
    expect(await counter.flush()).toBe(0);
    expect(await rows(database)).toEqual([
      { bucket: '10:15', family: 'products', hits: 2, misses: 1, db_queries: 1 },
      { bucket: '10:15', family: 'sessions', hits: 0, misses: 1, db_queries: 1 },
      { bucket: '10:16', family: 'products', hits: 1, misses: 0, db_queries: 0 },
    ]);
  });

  it('keeps the counts of a failed flush for the next one, and writes what is left when stopped', async () => {
    const { database } = await useTestDatabase();
    let failNext = true;
    const flaky = {
      ...database,
      rows: (query) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        }
        return database.rows(query);
      },
    } as Database;
    const counter = new ReadCounter(flaky, { now: () => at });
    counter.record('categories', false, 1);
    expect(await counter.flush()).toBe(0);
    expect(counter.pending()).toEqual({ categories: { hits: 0, misses: 1, dbQueries: 1 } });
    counter.record('categories', true);
    await counter.stop();
    expect(counter.pending()).toEqual({});
    expect(await rows(database)).toEqual([{ bucket: '10:15', family: 'categories', hits: 1, misses: 1, db_queries: 1 }]);
  });
});
