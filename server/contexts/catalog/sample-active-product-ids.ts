import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/**
 * About `size` active product ids picked uniformly at random, without reading the whole table:
 * random ids between the smallest and the largest are looked up by primary key (three candidates a
 * wanted id, as some are inactive or gaps), then shuffled so the cut at `size` favours no id range.
 * ONE query, a few hundred index probes however big the catalog.
 */
export async function sampleActiveProductIds(database: Database, size: number): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(sql`
    select id from (
      select distinct c.id
      from (select min(id) as lo, max(id) as hi from products) b
      cross join lateral (
        select (b.lo + floor(random() * (b.hi - b.lo + 1)))::int as id from generate_series(1, ${size * 3}::int)
      ) c
      where exists (select 1 from products p where p.id = c.id and p.status = 'active')
    ) candidates
    order by random()
    limit ${size}`);
  return rows.map((row) => row.id);
}
