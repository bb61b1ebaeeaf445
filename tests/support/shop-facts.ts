import { sql } from 'drizzle-orm';
import type { Database } from '@/server/db/client';

// Plain reads of the seeded shop for tests to compute expectations in JS, independently of the
// SQL under test. The shop of the tests is small (hundreds of products, thousands of order items).

export type SaleRow = { productId: number; quantity: number; status: string; paidAt: number | null };
export type ProductRow = { id: number; status: string; createdAt: number; categoryId: number; name: string; price: string };
export type CategoryRow = { id: number; parentId: number | null; level: number; name: string; slug: string; position: number };

/** Written out here on purpose rather than imported: the test states what "paid or later" means. */
export const PAID_STATUSES = new Set(['paid', 'processing', 'shipped', 'delivered']);

const epochMs = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

export async function readSales(database: Database): Promise<SaleRow[]> {
  const rows = await database.rows<{ product_id: number; quantity: number; status: string; paid_ms: number | null }>(sql`
    select oi.product_id, oi.quantity, o.status::text as status, ${epochMs('o.paid_at')} as paid_ms
    from order_items oi, orders o where o.id = oi.order_id`);
  return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity, status: r.status, paidAt: r.paid_ms }));
}

export async function readProducts(database: Database): Promise<ProductRow[]> {
  const rows = await database.rows<{ id: number; status: string; created_ms: number; category_id: number; name: string; price: string }>(sql`
    select id, status::text as status, ${epochMs('created_at')} as created_ms, category_id, name, price::text as price from products`);
  return rows.map((r) => ({ id: r.id, status: r.status, createdAt: r.created_ms, categoryId: r.category_id, name: r.name, price: r.price }));
}

export async function readCategories(database: Database): Promise<CategoryRow[]> {
  const rows = await database.rows<{ id: number; parent_id: number | null; level: number; name: string; slug: string; position: number }>(
    sql`select id, parent_id, level, name, slug, position from categories`,
  );
  return rows.map((r) => ({ id: r.id, parentId: r.parent_id, level: r.level, name: r.name, slug: r.slug, position: r.position }));
}

/** Units sold per product in paid-or-later orders paid in (from, until]. */
export function unitsSold(sales: SaleRow[], from: number, until: number): Map<number, number> {
  const units = new Map<number, number>();
  for (const sale of sales) {
    if (!PAID_STATUSES.has(sale.status) || sale.paidAt === null) continue;
    if (sale.paidAt <= from || sale.paidAt > until) continue;
    units.set(sale.productId, (units.get(sale.productId) ?? 0) + sale.quantity);
  }
  return units;
}

/** Product ids by units, most first, ties by id ascending. */
export function rankByUnits(units: Map<number, number>): number[] {
  return [...units.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id]) => id);
}

/** The categories from the root down to `id`, following parent links. */
export function pathTo(categories: CategoryRow[], id: number): CategoryRow[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const path: CategoryRow[] = [];
  for (let c = byId.get(id); c; c = c.parentId === null ? undefined : byId.get(c.parentId)) path.unshift(c);
  return path;
}

export const DAY_MS = 86_400_000;
