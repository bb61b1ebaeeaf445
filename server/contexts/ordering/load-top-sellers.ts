import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { type SalesWindow, unitsSoldQuery } from './units-sold-query';

export type TopSeller = { productId: number; units: number };

/**
 * The `limit` products that sold the most units in the window (paid-or-later orders), most first,
 * ties broken by product id so the set is the same on every run over the same data. ONE query.
 */
export async function loadTopSellers(database: Database, window: SalesWindow, limit: number): Promise<TopSeller[]> {
  const rows = await database.rows<{ product_id: number; units: number }>(sql`
    select product_id, units
    from (${unitsSoldQuery(window)}) sold
    order by units desc, product_id
    limit ${limit}`);
  return rows.map((row) => ({ productId: row.product_id, units: row.units }));
}
