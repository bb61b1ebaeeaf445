import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { intArray } from '../../db/sql-fragments';
import { categoryPathsCte } from './category-paths-cte';

/**
 * The shop's category value (the `Category:id:{id}` key family), as JSON text:
 * `{id, name, slug, level, parentId, path: [{id, name, slug}, root first, itself last],
 *   children: [{id, name, slug, level}]}` with its direct children by position, then id.
 *
 * One entry per id, in the order given (null: no such category). ONE query (none for no ids).
 */
export async function loadCategoryJson(database: Database, ids: readonly number[]): Promise<(string | null)[]> {
  if (ids.length === 0) return [];
  const rows = await database.rows<{ id: number; json: string }>(sql`
    with recursive ${categoryPathsCte}
    select c.id, json_build_object(
      'id', c.id, 'name', c.name, 'slug', c.slug, 'level', c.level, 'parentId', c.parent_id,
      'path', cp.path,
      'children', coalesce(
        (select json_agg(json_build_object('id', k.id, 'name', k.name, 'slug', k.slug, 'level', k.level)
                         order by k.position, k.id)
         from categories k where k.parent_id = c.id),
        '[]'::json)
    )::text as json
    from categories c
    join category_paths cp on cp.id = c.id
    where c.id = any(${intArray(ids)})`);
  const byId = new Map(rows.map((row) => [row.id, row.json]));
  return ids.map((id) => byId.get(id) ?? null);
}
