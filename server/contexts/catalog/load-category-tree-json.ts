import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

/** A category node with its children (already a JSON array expression), as a JSON expression. */
function node(alias: string, children: SQL): SQL {
  const c = sql.raw(alias);
  return sql`json_build_object('id', ${c}.id, 'name', ${c}.name, 'slug', ${c}.slug, 'level', ${c}.level, 'children', ${children})`;
}

/** The JSON array of the children of `parent`, each built by `build`, by position then id. */
function childrenOf(parent: string, alias: string, build: SQL): SQL {
  const c = sql.raw(alias);
  return sql`coalesce(
    (select json_agg(${build} order by ${c}.position, ${c}.id) from categories ${c} where ${c}.parent_id = ${sql.raw(parent)}.id),
    '[]'::json)`;
}

/**
 * The shop's whole category tree (the `Category:tree:root` key), as JSON text:
 * `{children: [{id, name, slug, level, children: [...]}]}`, every level nested, siblings ordered by
 * position then id; leaves carry `children: []`.
 *
 * The nesting is written out for three levels because the schema allows exactly three
 * (`categories_level_range`): Postgres cannot aggregate inside a recursive CTE. ONE query.
 */
export async function loadCategoryTreeJson(database: Database): Promise<string> {
  const level3 = node('c3', sql`'[]'::json`);
  const level2 = node('c2', childrenOf('c2', 'c3', level3));
  const level1 = node('c1', childrenOf('c1', 'c2', level2));
  const [row] = await database.rows<{ json: string }>(sql`
    select json_build_object('children', coalesce(json_agg(${level1} order by c1.position, c1.id), '[]'::json))::text as json
    from categories c1
    where c1.parent_id is null`);
  return row!.json;
}
