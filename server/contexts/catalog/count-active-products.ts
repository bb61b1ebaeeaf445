import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/** How many products are active. ONE query. */
export async function countActiveProducts(database: Database): Promise<number> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
  return row!.n;
}
