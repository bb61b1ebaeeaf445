import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedDemoShopIfEmpty } from '@/server/db/seed/demo';
import { ShopNotEmptyError, seedShop } from '@/server/db/seed/seed-shop';
import { useTestDatabase } from '../support/db';

const now = new Date('2026-11-20T12:00:00Z');

async function tableDigest(database: Database, table: string): Promise<string> {
  const [row] = await database.rows<{ digest: string }>(
    sql.raw(`select md5(string_agg(t::text, '|' order by t::text)) as digest from ${table} t`),
  );
  return row!.digest;
}

describe('the demo-shop generator', () => {
  it('builds the same shop from the same seed and moment', async () => {
    const a = await useTestDatabase();
    const b = await useTestDatabase();
    await seedShop(a.database, { products: 300, seed: 7, now });
    await seedShop(b.database, { products: 300, seed: 7, now });
    for (const table of ['categories', 'products', 'shop_users', 'orders', 'order_items', 'shop_sessions']) {
      expect(await tableDigest(a.database, table), table).toBe(await tableDigest(b.database, table));
    }
  });

  it('builds a believable shop: a three-level tree, a long tail of sales, live sessions', async () => {
    const { database } = await useTestDatabase();
    const result = await seedShop(database, { products: 2000, seed: 42, now });
    expect(result.rows.products).toBe(2000);
    expect(result.rows.order_items).toBe(10_000);
    expect(result.rowsPerSecond).toBeGreaterThan(0);

    const levels = await database.rows<{ level: number; n: number }>(sql`select level, count(*)::int as n from categories group by level order by level`);
    expect(levels.map((l) => l.level)).toEqual([1, 2, 3]);
    expect(levels[0]!.n).toBe(5);
    expect(levels[1]!.n).toBe(20);
    expect(levels[2]!.n).toBeGreaterThan(0);

    // Skewed popularity: the top 1% of products sell far more than their share.
    const [share] = await database.rows<{ top: number }>(sql`
      with units as (select product_id, sum(quantity) as u from order_items group by product_id),
           ranked as (select u, row_number() over (order by u desc) as r from units)
      select (sum(u) filter (where r <= 20))::float / sum(u) as top from ranked`);
    expect(share!.top).toBeGreaterThan(0.3);

    // Trending: some products sold much more in the last 7 days than in the 7 before.
    const [trend] = await database.rows<{ n: number }>(sql`
      with w as (
        select oi.product_id,
               sum(oi.quantity) filter (where o.paid_at > ${now.toISOString()}::timestamptz - interval '7 days') as recent,
               sum(oi.quantity) filter (where o.paid_at <= ${now.toISOString()}::timestamptz - interval '7 days'
                                          and o.paid_at > ${now.toISOString()}::timestamptz - interval '14 days') as before
        from order_items oi join orders o on o.id = oi.order_id
        where o.paid_at > ${now.toISOString()}::timestamptz - interval '14 days' group by oi.product_id)
      select count(*)::int as n from w where recent >= 3 * greatest(before, 1) and recent >= 10`);
    expect(trend!.n).toBeGreaterThanOrEqual(3);

    // Orders span 60 days; paid-or-later orders have paid_at, pending ones do not.
    const [orders] = await database.rows<{ days: number; unpaid_paid: number }>(sql`
      select extract(day from max(created_at) - min(created_at))::int as days,
             count(*) filter (where status in ('paid','processing','shipped','delivered') and paid_at is null)::int as unpaid_paid
      from orders`);
    expect(orders!.days).toBeGreaterThanOrEqual(58);
    expect(orders!.unpaid_paid).toBe(0);

    // Some users were active in the last hour; most of them, not all, hold a live session with a cart.
    const [users] = await database.rows<{ active: number; live: number; carts: number }>(sql`
      select count(*) filter (where u.last_active_at > ${now.toISOString()}::timestamptz - interval '1 hour')::int as active,
             count(*) filter (where u.last_active_at > ${now.toISOString()}::timestamptz - interval '1 hour'
                              and exists (select 1 from shop_sessions s where s.user_id = u.id and s.expires_at > ${now.toISOString()}::timestamptz))::int as live,
             (select count(*)::int from shop_sessions where jsonb_array_length(cart->'items') > 0) as carts
      from shop_users u`);
    expect(users!.active).toBeGreaterThan(10);
    expect(users!.live).toBeGreaterThan(users!.active / 2);
    expect(users!.live).toBeLessThan(users!.active);
    expect(users!.carts).toBeGreaterThan(0);
  });

  it('refuses a shop that has data unless asked to reset it, and sets the id sequences past the seeded rows', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await expect(seedShop(database, { products: 100, seed: 1, now })).rejects.toBeInstanceOf(ShopNotEmptyError);
    await seedShop(database, { products: 100, seed: 1, now, reset: true });
    const [row] = await database.rows<{ n: number; id: number }>(sql`
      with ins as (insert into categories (level, name, slug) values (1, 'New', 'new-top') returning id)
      select (select count(*)::int from products) as n, (select id from ins) as id`);
    expect(row!.n).toBe(100);
    expect(row!.id).toBe(51);
  });
});

describe('migrations and the start-up demo seed', () => {
  it('apply idempotently, also when two processes race', async () => {
    const { database } = await useTestDatabase();
    await Promise.all([applyMigrations(database), applyMigrations(database)]);
    const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
    expect(row!.n).toBeGreaterThanOrEqual(20);
  });

  it('seeds an empty shop once, and again after an interrupted seed', async () => {
    const { database } = await useTestDatabase();
    const logger = pino({ level: 'silent' });
    expect(await seedDemoShopIfEmpty(database, 50, logger)).toBe(true);
    expect(await seedDemoShopIfEmpty(database, 50, logger)).toBe(false);
    await database.rows(sql`insert into audit_log (actor, action) values ('system', 'demo_seed.started')`);
    expect(await seedDemoShopIfEmpty(database, 50, logger)).toBe(true);
    const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products`);
    expect(row!.n).toBe(50);
  });
});
