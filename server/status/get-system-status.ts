import 'server-only';
import { sql } from 'drizzle-orm';
import type { ShopCounts, SystemStatus } from '@/lib/status';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import { RecentAnswers } from '../http/recent-answers';

export type StatusDeps = { database: Database; cache: Cache; startedAt: Date };

/**
 * The shop's counts are exact (count(*) over products, orders...: tens of milliseconds on a big
 * shop), so a process counts at most every 30 s and every poll in between reuses the answer; the
 * dashboard polls this endpoint.
 */
const COUNTS_MS = 30_000;
const recentCounts = new RecentAnswers<{ counts: ShopCounts; countedAt: string }>(COUNTS_MS, 1);

/** The health of the database and the cache, measured now, and the shop's size (counted at most 30 s ago). */
export async function getSystemStatus(runtime: StatusDeps): Promise<SystemStatus> {
  const { database, cache } = runtime;
  const [dbHealth, cacheHealth, shop] = await Promise.all([
    database.health(),
    cache.health(),
    recentCounts
      .get(database, 'counts', async () => {
        const countedAt = new Date().toISOString();
        return { counts: await getShopCounts(runtime), countedAt };
      })
      .then(
        (answer) => answer,
        (error: Error) => ({ error: error.message }),
      ),
  ]);
  return {
    shop: 'counts' in shop ? shop.counts : null,
    shopCountedAt: 'countedAt' in shop ? shop.countedAt : undefined,
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
