import 'server-only';
import { sql } from 'drizzle-orm';

/**
 * CTEs (for a `with recursive` list) giving every category its path from the root to itself:
 * `category_paths(id, path, category)`, where `path` is the JSON array `[{id, name, slug}, ...]` and
 * `category` the JSON object `{id, name, slug, path}` a product embeds.
 *
 * The category table holds tens of rows, so computing every path once per query and hash-joining
 * it is cheaper than walking the tree per product, even for a batch of a thousand products.
 * row_to_json (not json_build_object) keeps the text compact: it is repeated in every cached product.
 */
export const categoryPathsCte = sql`
  category_nodes(id, parent_id, node) as (
    select c.id, c.parent_id, row_to_json(n)::text
    from categories c cross join lateral (select c.id, c.name, c.slug) n
  ),
  category_chain(id, nodes) as (
    select id, array[node] from category_nodes where parent_id is null
    union all
    select k.id, chain.nodes || k.node
    from category_nodes k join category_chain chain on k.parent_id = chain.id
  ),
  category_paths(id, path, category) as (
    select c.id, p.path, row_to_json(o)
    from category_chain chain
    join categories c on c.id = chain.id
    cross join lateral (select ('[' || array_to_string(chain.nodes, ',') || ']')::json as path) p
    cross join lateral (select c.id, c.name, c.slug, p.path) o
  )`;
