import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { paidOrderFilter } from './paid-order-filter';

export type SalesWindow = { from?: Date; until: Date };

/**
 * A subquery of units sold per product, `(product_id, units)`, over paid-or-later orders paid in
 * the window (see paidOrderFilter): the ordering context's definition of a sale, for other
 * contexts to rank by without knowing the order tables.
 */
export function unitsSoldQuery(window: SalesWindow): SQL {
  return sql`
    select oi.product_id, sum(oi.quantity)::int as units
    from orders o
    join order_items oi on oi.order_id = o.id
    where ${paidOrderFilter(window)}
    group by oi.product_id`;
}
