import 'server-only';
import { sql } from 'drizzle-orm';
import type { ShopCounts, SystemStatus } from '@/lib/status';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';

export type StatusDeps = { database: Database; cache: Cache; startedAt: Date };

/** The shop's size and the health of the database and the cache, measured now. */
export async function getSystemStatus(runtime: StatusDeps): Promise<SystemStatus> {
  const { database, cache } = runtime;
  const [dbHealth, cacheHealth, shop] = await Promise.all([
    database.health(),
    cache.health(),
    getShopCounts(runtime).then(
      (counts) => ({ counts }),
      (error: Error) => ({ error: error.message }),
    ),
  ]);
  return {
    shop: 'counts' in shop ? shop.counts : null,
    shopError: 'error' in shop ? shop.error : undefined,
    database: {
      kind: database.kind,
      description: database.describe(),
      ok: dbHealth.ok,
      latencyMs: round(dbHealth.latencyMs),
      error: dbHealth.ok ? undefined : dbHealth.error,
    },
    cache: {
      kind: cache.kind,
      description: cache.describe(),
      ok: cacheHealth.ok,
      latencyMs: round(cacheHealth.latencyMs),
      error: cacheHealth.error,
      details: cacheHealth.details,
    },
    startedAt: runtime.startedAt.toISOString(),
    checkedAt: new Date().toISOString(),
  };
}

export async function getShopCounts(runtime: Pick<StatusDeps, 'database'>): Promise<ShopCounts> {
  const [row] = await runtime.database.rows<ShopCounts>(sql`
    select (select count(*)::int from categories) as "categories",
           (select count(*)::int from products) as "products",
           (select count(*)::int from products where status = 'active') as "activeProducts",
           (select count(*)::int from orders) as "orders",
           (select count(*)::int from shop_users) as "users",
           (select count(*)::int from shop_sessions where expires_at > now()) as "liveSessions"`);
  return row!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
