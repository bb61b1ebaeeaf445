import 'server-only';
import { type SQL, sql } from 'drizzle-orm';
import { PAID_OR_LATER } from '../../db/schema/shop';
import { timestamptz } from '../../db/sql-fragments';

/** Statuses as SQL literals: constants from the schema, written inline so the planner sees them. */
const PAID_STATUSES = sql.raw(PAID_OR_LATER.map((status) => `'${status}'`).join(', '));

/**
 * What counts as a sale: an order (aliased `o`) that is paid or later and was paid in the window
 * (from, until]. `from` undefined means since the beginning. The upper bound is the run's `now`,
 * so orders paid while a run goes on wait for the next run and a ranking is reproducible.
 */
export function paidOrderFilter(window: { from?: Date; until: Date }): SQL {
  const from = window.from ? sql` and o.paid_at > ${timestamptz(window.from)}` : sql``;
  return sql`o.status in (${PAID_STATUSES}) and o.paid_at <= ${timestamptz(window.until)}${from}`;
}

/** The moment `days` days before `now`. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
