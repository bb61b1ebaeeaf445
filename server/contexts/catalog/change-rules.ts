import 'server-only';
import { sql } from 'drizzle-orm';
import { intArray } from '../../db/sql-fragments';
import type { AffectedKey, ChangeRule, RowChange, RuleContext } from '../../freshness/change';
import { CATEGORY_TREE_KEY, categoryKey } from './category-key';
import { productKey } from './product-key';
import { recommendationKey } from './recommendation-key';
import { RECOMMENDATION_LISTS } from './recommendation-lists';

/**
 * Which catalog keys a change to a shop row affects (re-warmed by server/freshness):
 * - a product: its `Product:id:{id}` (hot_products where cached; product_catalog's warm set is every
 *   active product), deleted when the product is gone or inactive; the recommendation lists that
 *   hold it; new_arrivals and the homepage for a new active product;
 * - a category: itself, its parent (children), its descendants (path) and the tree; the products
 *   under it (their category path) where cached; the lists holding one of those products;
 * - an order or order item: the sales rankings (best sellers, trending, homepage), at most every
 *   5 s. (Which products are hot_products moves too: the next hot_products run picks that up.)
 */

const PRODUCT_STRATEGIES = ['hot_products', 'product_catalog'] as const;
const LIST_KEYS = RECOMMENDATION_LISTS.map(recommendationKey);
const SALES_LISTS = ['best_sellers', 'trending', 'homepage'].map(recommendationKey);
/** A sale moves the rankings; reloading them (aggregations over every order) more often costs more than it gives. */
export const SALES_DEBOUNCE_MS = 5000;

const id = (change: RowChange, column: string): number | null => {
  const value = change.row[column];
  return value && /^\d+$/.test(value) ? Number(value) : null;
};

function productKeys(change: RowChange, productId: number, gone: boolean): AffectedKey[] {
  return PRODUCT_STRATEGIES.map((strategy) => ({
    key: productKey(productId),
    strategy,
    action: gone ? 'delete' : 'rewarm',
    // Every active product is in product_catalog's warm set; hot_products' is its top sellers.
    inWarmSet: strategy === 'product_catalog' && !gone,
    from: change,
  }));
}

/** The cached recommendation lists that show one of these products (or a product of these categories). */
async function listsHolding(ctx: RuleContext, match: (product: { id: number; category?: { id: number } }) => RowChange | undefined): Promise<AffectedKey[]> {
  const values = await ctx.cachedValues(LIST_KEYS);
  const affected: AffectedKey[] = [];
  values.forEach((value, i) => {
    if (!value) return;
    let products: { id: number; category?: { id: number } }[] = [];
    try {
      products = (JSON.parse(value) as { products?: typeof products }).products ?? [];
    } catch {
      return; // not a value Kiln wrote: left alone
    }
    for (const product of products) {
      const from = match(product);
      if (from) {
        affected.push({ key: LIST_KEYS[i]!, strategy: 'recommendations', action: 'rewarm', inWarmSet: true, from });
        break;
      }
    }
  });
  return affected;
}

const productsRule: ChangeRule = {
  name: 'catalog.products',
  table: 'products',
  columns: ['id', 'status', 'category_id'],
  async affects(changes, ctx) {
    const affected: AffectedKey[] = [];
    const byId = new Map<number, RowChange>();
    for (const change of changes) {
      const productId = id(change, 'id');
      if (productId === null) continue;
      affected.push(...productKeys(change, productId, change.op === 'delete' || change.row.status === 'inactive'));
      byId.set(productId, change);
      if (change.op === 'insert' && change.row.status !== 'inactive') {
        for (const list of ['new_arrivals', 'homepage']) {
          affected.push({ key: recommendationKey(list), strategy: 'recommendations', action: 'rewarm', inWarmSet: true, from: change });
        }
      }
    }
    if (byId.size) affected.push(...(await listsHolding(ctx, (p) => byId.get(p.id))));
    return affected;
  },
};

const categoriesRule: ChangeRule = {
  name: 'catalog.categories',
  table: 'categories',
  columns: ['id', 'parent_id', 'level'],
  async affects(changes, ctx) {
    const affected: AffectedKey[] = [];
    const byCategory = new Map<number, RowChange>();
    for (const change of changes) {
      const categoryId = id(change, 'id');
      if (categoryId === null) continue;
      byCategory.set(categoryId, change);
      const level = id(change, 'level');
      affected.push({ key: categoryKey(categoryId), strategy: 'categories', action: change.op === 'delete' ? 'delete' : 'rewarm', inWarmSet: level !== null && level <= 2, from: change });
      const parent = id(change, 'parent_id');
      // Its parent lists it among its children; a parent is level 1 or 2, always warmed.
      if (parent !== null) affected.push({ key: categoryKey(parent), strategy: 'categories', action: 'rewarm', inWarmSet: true, from: change });
      affected.push({ key: CATEGORY_TREE_KEY, strategy: 'categories', action: 'rewarm', inWarmSet: true, from: change });
    }
    if (byCategory.size === 0) return affected;
    // Descendants carry its name in their path, and so do the products under them.
    const rows = await ctx.database.rows<{ id: number; level: number; root: number }>(sql`
      with recursive sub as (
        select c.id, c.level, c.id as root from categories c where c.id = any(${intArray([...byCategory.keys()])})
        union all
        select c.id, c.level, sub.root from categories c join sub on c.parent_id = sub.id
      )
      select id, level, root from sub`);
    const rootOf = new Map<number, number>();
    for (const row of rows) {
      rootOf.set(row.id, row.root);
      if (row.id !== row.root) {
        affected.push({ key: categoryKey(row.id), strategy: 'categories', action: 'rewarm', inWarmSet: row.level <= 2, from: byCategory.get(row.root)! });
      }
    }
    const products = await ctx.database.rows<{ id: number; category_id: number }>(
      sql`select id, category_id from products where category_id = any(${intArray([...rootOf.keys()])})`,
    );
    for (const product of products) {
      const change = byCategory.get(rootOf.get(product.category_id)!)!;
      for (const strategy of PRODUCT_STRATEGIES) affected.push({ key: productKey(product.id), strategy, action: 'rewarm', from: change });
    }
    affected.push(...(await listsHolding(ctx, (p) => (p.category ? byCategory.get(rootOf.get(p.category.id) ?? -1) : undefined))));
    return affected;
  },
};

function salesRule(table: 'orders' | 'order_items', columns: string[]): ChangeRule {
  return {
    name: `catalog.${table}`,
    table,
    columns,
    debounceMs: SALES_DEBOUNCE_MS,
    async affects(changes) {
      const last = changes.at(-1);
      if (!last) return [];
      // Every sale moves the rankings alike: one change stands for the batch (the earliest, for the delay).
      const first = changes[0]!;
      return SALES_LISTS.map((key) => ({ key, strategy: 'recommendations', action: 'rewarm' as const, inWarmSet: true, from: first }));
    },
  };
}

/** The catalog context's change rules. */
export const catalogChangeRules: ChangeRule[] = [
  productsRule,
  categoriesRule,
  salesRule('orders', ['id', 'status']),
  salesRule('order_items', ['order_id', 'product_id']),
];
