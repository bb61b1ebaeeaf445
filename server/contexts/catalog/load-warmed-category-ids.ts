import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/**
 * The categories the shop reads one by one (its menus show levels 1 and 2; level-3 pages come from
 * their parent's children), by id. ONE query.
 */
export async function loadWarmedCategoryIds(database: Database): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(sql`select id from categories where level in (1, 2) order by id`);
  return rows.map((row) => row.id);
}
