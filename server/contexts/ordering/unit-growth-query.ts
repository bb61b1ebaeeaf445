import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { timestamptz } from '../../db/sql-fragments';
import { daysBefore, paidOrderFilter } from './paid-order-filter';

/**
 * A subquery of the products whose sales grew: `(product_id, units, previous_units, growth)` where
 * `units` were sold in the last `days` days before `now`, `previous_units` in the `days` before
 * those, and `growth = units - previous_units > 0` (products that did not grow are left out).
 * One scan over the two windows, split with FILTER.
 */
export function unitGrowthQuery(now: Date, days = 7): SQL {
  const split = timestamptz(daysBefore(now, days));
  return sql`
    select product_id, units, previous_units, units - previous_units as growth
    from (
      select oi.product_id,
             coalesce(sum(oi.quantity) filter (where o.paid_at > ${split}), 0)::int as units,
             coalesce(sum(oi.quantity) filter (where o.paid_at <= ${split}), 0)::int as previous_units
      from orders o
      join order_items oi on oi.order_id = o.id
      where ${paidOrderFilter({ from: daysBefore(now, 2 * days), until: now })}
      group by oi.product_id
    ) windows
    where units > previous_units`;
}
