import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

type Boundary = { first: number; keys: number; last: number };

/**
 * The active products split into consecutive id ranges of `size` products (the last one smaller),
 * each with its product count: the catalog's shards. ONE query: every `size`-th id in id order is
 * a boundary, and the last range ends just past the largest id.
 */
export async function activeProductRanges(database: Database, size: number): Promise<{ from: number; to: number; keys: number }[]> {
  const step = Math.max(1, Math.floor(size));
  const rows = await database.rows<Boundary>(sql`
    with numbered as (
      select id, row_number() over (order by id) - 1 as n, count(*) over () as total, max(id) over () as last
      from products where status = 'active'
    )
    select id as first, least(${step}, total - n)::int as keys, last
    from numbered
    where n % ${step} = 0
    order by id`);
  return rows.map((row, i) => ({ from: row.first, to: i + 1 < rows.length ? rows[i + 1]!.first : row.last + 1, keys: row.keys }));
}
