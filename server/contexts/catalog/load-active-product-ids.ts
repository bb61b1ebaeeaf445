import 'server-only';
import { and, asc, count, eq, gt, gte, lt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { products } from '../../db/schema';

/** Product ids in [from, to); the whole space when absent. */
export type IdRange = { from: number; to: number };

function activeIn(range?: IdRange, afterId?: number) {
  return and(
    eq(products.status, 'active'),
    afterId !== undefined ? gt(products.id, afterId) : undefined,
    range ? gte(products.id, range.from) : undefined,
    range ? lt(products.id, range.to) : undefined,
  );
}

/**
 * One page of active product ids after `afterId` (within `range` if given), ascending: keyset
 * pagination on the primary key, so every page costs the same however deep into a million
 * products it is (OFFSET would not). ONE query.
 */
export async function loadActiveProductIds(database: Database, afterId: number, limit: number, range?: IdRange): Promise<number[]> {
  const rows = await database.db.select({ id: products.id }).from(products).where(activeIn(range, afterId)).orderBy(asc(products.id)).limit(limit);
  return rows.map((row) => row.id);
}

/** How many products are active (within `range` if given). ONE query. */
export async function countActiveProducts(database: Database, range?: IdRange): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(products).where(activeIn(range));
  return row!.n;
}
