import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/**
 * One page of active product ids after `afterId`, ascending: keyset pagination on the primary key,
 * so every page costs the same however deep into a million products it is (OFFSET would not). ONE query.
 */
export async function loadActiveProductIds(database: Database, afterId: number, limit: number): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(sql`
    select id from products
    where status = 'active' and id > ${afterId}
    order by id
    limit ${limit}`);
  return rows.map((row) => row.id);
}
