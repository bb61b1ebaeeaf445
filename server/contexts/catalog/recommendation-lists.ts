import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { unitGrowthQuery } from '../ordering/unit-growth-query';
import { unitsSoldQuery } from '../ordering/units-sold-query';
import { timestamptz } from '../../db/sql-fragments';

export const RECOMMENDATION_LISTS = ['homepage', 'trending', 'new_arrivals', 'best_sellers'] as const;
export type RecommendationList = (typeof RECOMMENDATION_LISTS)[number];

/** How many days "trending" compares: the last N days against the N before them. */
export const TRENDING_DAYS = 7;

/**
 * Each list as a subquery of ranked active products with one shared column set, so the homepage can
 * mix them and one JSON builder serves all: `(product_id, rank, source, units, previous_units,
 * growth, created_at)`; the metrics a list does not have are null.
 */
type Ranking = (now: Date, size: number) => SQL;

const trending: Ranking = (now, size) => sql`
  select g.product_id, row_number() over (order by g.growth desc, g.product_id) as rank, 'trending' as source,
         g.units, g.previous_units, g.growth, null::timestamptz as created_at
  from (${unitGrowthQuery(now, TRENDING_DAYS)}) g
  join products p on p.id = g.product_id and p.status = 'active'
  order by g.growth desc, g.product_id
  limit ${size}`;

const bestSellers: Ranking = (now, size) => sql`
  select s.product_id, row_number() over (order by s.units desc, s.product_id) as rank, 'best_sellers' as source,
         s.units, null::int as previous_units, null::int as growth, null::timestamptz as created_at
  from (${unitsSoldQuery({ until: now })}) s
  join products p on p.id = s.product_id and p.status = 'active'
  order by s.units desc, s.product_id
  limit ${size}`;

// Products created after the run started wait for the next run, like orders do.
const newArrivals: Ranking = (now, size) => sql`
  select p.id as product_id, row_number() over (order by p.created_at desc, p.id desc) as rank, 'new_arrivals' as source,
         null::int as units, null::int as previous_units, null::int as growth, p.created_at
  from products p
  where p.status = 'active' and p.created_at <= ${timestamptz(now)}
  order by p.created_at desc, p.id desc
  limit ${size}`;

/**
 * Round-robin over trending, best sellers and new arrivals (first of each, then second of each...),
 * a product appearing once, at its first place; each row keeps the list it came from.
 */
const homepage: Ranking = (now, size) => sql`
  select product_id, row_number() over (order by rank, source_order) as rank, source,
         units, previous_units, growth, created_at
  from (
    select distinct on (product_id) *
    from (
      select 0 as source_order, * from (${trending(now, size)}) t
      union all select 1, * from (${bestSellers(now, size)}) b
      union all select 2, * from (${newArrivals(now, size)}) n
    ) candidates
    order by product_id, rank, source_order
  ) firsts
  order by rank, source_order
  limit ${size}`;

export const rankings: Record<RecommendationList, Ranking> = {
  homepage,
  trending,
  new_arrivals: newArrivals,
  best_sellers: bestSellers,
};

export function isRecommendationList(value: string): value is RecommendationList {
  return (RECOMMENDATION_LISTS as readonly string[]).includes(value);
}
