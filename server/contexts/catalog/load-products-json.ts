import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { intArray, isoTimestamp } from '../../db/sql-fragments';
import { categoryPathsCte } from './category-paths-cte';

/**
 * The shop's product value (the `Product:id:{id}` key family), built as JSON text by Postgres:
 * `{id, name, slug, description, price, currency, stock, status, attributes,
 *   category: {id, name, slug, path: [{id, name, slug}, root first]}, createdAt, updatedAt}`.
 * `price` is a JSON number; times are ISO-8601 UTC text as JS `toISOString()` writes them.
 * Inactive products are returned too (their `status` says so): the shop decides what to show.
 *
 * Returns one entry per id, in the order given (null: no such product; a repeated id gets the
 * same value twice). Costs ONE query (none for an empty list), whatever the number of ids: this is
 * the read a cache miss on a product pays, and the batch read of the product warmups.
 */
export async function loadProductsJson(database: Database, ids: readonly number[]): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  // row_to_json of a lateral row, not json_build_object: its text has no spaces around ':' and ',',
  // which is a few percent of every one of a million cached values.
  const rows = await database.rows<{ id: number; json: string }>(sql`
    with recursive ${categoryPathsCte}
    select p.id, row_to_json(v)::text as json
    from products p
    join category_paths cp on cp.id = p.category_id
    cross join lateral (
      select p.id, p.name, p.slug, p.description, p.price, p.currency, p.stock, p.status, p.attributes,
             cp.category,
             ${isoTimestamp(sql`p.created_at`)} as "createdAt",
             ${isoTimestamp(sql`p.updated_at`)} as "updatedAt"
    ) v
    where p.id = any(${intArray(ids)})`);
  const byId = new Map(rows.map((row) => [row.id, row.json]));
  return ids.map((id) => byId.get(id) ?? null);
}
