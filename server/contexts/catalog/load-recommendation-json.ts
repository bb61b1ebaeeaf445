import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { isoTimestamp } from '../../db/sql-fragments';
import { type RecommendationList, rankings } from './recommendation-lists';

/**
 * The shop's value of one recommendation list (the `recommendations:{list}` keys), as JSON text:
 * `{list, generatedAt, products: [{id, name, slug, price, currency, category: {id, name}, ...metric}]}`
 * with at most `size` active products in rank order. The metric depends on the list:
 * - trending: `units` (last 7 days), `previousUnits` (the 7 before), `growth` (their difference,
 *   positive; products that did not grow are not trending), ties by id;
 * - best_sellers: `units`, all time up to `now`, ties by id;
 * - new_arrivals: `createdAt`, newest first, ties by id descending;
 * - homepage: the three lists interleaved (see recommendation-lists.ts), each product with `source`
 *   (the list it came from) and that list's metric.
 * Sales count paid-or-later orders only. `generatedAt` is `now`.
 *
 * A list with no products is still a value (`products: []`): the shop then shows nothing without
 * asking the database again, which is the point of warming it. ONE query.
 */
export async function loadRecommendationJson(
  database: Database,
  list: RecommendationList,
  options: { size: number },
  now: Date,
): Promise<string> {
  const [row] = await database.rows<{ json: string }>(sql`
    select json_build_object(
      'list', ${list}::text,
      'generatedAt', ${now.toISOString()}::text,
      'products', coalesce(json_agg(json_strip_nulls(json_build_object(
        'id', p.id, 'name', p.name, 'slug', p.slug, 'price', p.price, 'currency', p.currency,
        'category', json_build_object('id', c.id, 'name', c.name),
        'source', case when ${list}::text = 'homepage' then r.source end,
        'units', r.units, 'previousUnits', r.previous_units, 'growth', r.growth,
        'createdAt', ${isoTimestamp(sql`r.created_at`)}
      )) order by r.rank), '[]'::json)
    )::text as json
    from (${rankings[list](now, options.size)}) r
    join products p on p.id = r.product_id
    join categories c on c.id = p.category_id`);
  return row!.json;
}
