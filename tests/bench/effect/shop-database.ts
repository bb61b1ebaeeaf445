// The simulator's shop: a database of its own on the local Postgres, seeded once and reused while
// its data is fresh, and what the traffic needs to know of it (popularity order, categories, users).
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';

/**
 * The seed builds its data around the moment it runs: "users active in the last hour" (the sessions
 * warm set, and the shoppers of the traffic) and live sessions depend on it. A shop seeded longer
 * ago than this is seeded again (100,000 products take about 10 s).
 */
const FRESH_FOR_MS = 10 * 60_000;

export type ShopFacts = {
  /** Product ids by popularity: all-time units sold in paid-or-later orders, then never-sold products by id. */
  popularity: Int32Array;
  /** Level-1 and level-2 categories (the ones the shop reads one by one). */
  categories: number[];
  /** Users active in the last hour who hold a live session: the shoppers of the moment. */
  currentShoppers: number[];
  /** Other users holding a live session (active earlier today). */
  returningShoppers: number[];
};

export async function ensureShopDatabase(url: string, products: number, log: (line: string) => void): Promise<Database> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  const database = await openPostgres(url, 4);
  await applyMigrations(database);
  const [state] = await database.rows<{ products: number; seededMs: number | null }>(sql`
    select (select count(*)::int from products) as products,
           (select (extract(epoch from max(last_active_at)) * 1000)::float8 from shop_users) as "seededMs"`);
  const fresh = state!.seededMs !== null && Date.now() - state!.seededMs < FRESH_FOR_MS;
  if (state!.products === products && fresh) {
    log(`Reusing the shop in ${name}: ${products} products, seeded ${Math.round((Date.now() - state!.seededMs!) / 60_000)} min ago`);
  } else {
    log(`Seeding ${products} products into ${name} (${state!.products === products ? 'its data is older than 10 minutes' : 'new shop'})...`);
    const result = await seedShop(database, { products, seed: 42, reset: true });
    // Freshly copied rows get their hint bits and visibility map on first touch, and autovacuum
    // comes for them soon: do both now, so neither lands in the middle of the first variant.
    const started = performance.now();
    await database.rows(sql.raw('vacuum (analyze) categories, products, shop_users, shop_sessions, orders, order_items'));
    log(`Seeded ${result.totalRows} rows in ${result.seconds.toFixed(1)} s, vacuumed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return database;
}

export async function readShopFacts(database: Database): Promise<ShopFacts> {
  const ranked = await database.rows<{ id: number }>(sql`
    select p.id
    from products p
    left join (
      select oi.product_id, sum(oi.quantity) as units
      from order_items oi join orders o on o.id = oi.order_id
      where o.status in ('paid', 'processing', 'shipped', 'delivered')
      group by oi.product_id
    ) sold on sold.product_id = p.id
    order by coalesce(sold.units, 0) desc, p.id`);
  const categories = await database.rows<{ id: number }>(sql`select id from categories where level in (1, 2) order by id`);
  const shoppers = await database.rows<{ id: number; current: boolean }>(sql`
    select u.id, u.last_active_at > now() - interval '1 hour' as current
    from shop_users u
    where exists (select 1 from shop_sessions s where s.user_id = u.id and s.expires_at > now() + interval '5 minutes')
    order by u.id`);
  return {
    popularity: Int32Array.from(ranked.map((r) => r.id)),
    categories: categories.map((r) => r.id),
    currentShoppers: shoppers.filter((s) => s.current).map((s) => s.id),
    returningShoppers: shoppers.filter((s) => !s.current).map((s) => s.id),
  };
}

/** Server-side read counts per family, summed over every minute row (the simulator owns the database). */
export async function readCounts(database: Database): Promise<Map<string, { hits: number; misses: number; dbQueries: number }>> {
  const rows = await database.rows<{ family: string; hits: number; misses: number; dbQueries: number }>(sql`
    select family, sum(hits)::float8 as hits, sum(misses)::float8 as misses, sum(db_queries)::float8 as "dbQueries"
    from cache_reads group by family`);
  return new Map(rows.map((r) => [r.family, { hits: r.hits, misses: r.misses, dbQueries: r.dbQueries }]));
}

/** The startup run of the server just started: what the warmup did before the traffic. */
export async function lastStartupRun(database: Database, since: Date) {
  const [run] = await database.rows<{ id: string; status: string; durationMs: number | null; warmed: number; strategies: string[] }>(sql`
    select id::text as id, status, duration_ms as "durationMs", warmed::int as warmed, strategies
    from runs where trigger = 'startup' and created_at >= ${since.toISOString()}::timestamptz
    order by created_at desc limit 1`);
  return run ?? null;
}
