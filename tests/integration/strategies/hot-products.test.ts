import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { hotProductsStrategy } from '@/server/contexts/catalog/hot-products-strategy';
import { DAY_MS, type SaleRow, pathTo, rankByUnits, readCategories, readSales, unitsSold } from '../../support/shop-facts';
import { allKeys, keyBatches, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

const shop = useSharedShopDatabase();
let sales: SaleRow[];

beforeAll(async () => {
  sales = await readSales(shop().database);
});

/** The expected keys, computed in JS from the raw order items. */
function expectedKeys(now: Date, days: number, topN: number): string[] {
  const units = unitsSold(sales, now.getTime() - days * DAY_MS, now.getTime());
  return rankByUnits(units)
    .slice(0, topN)
    .map((id) => `Product:id:${id}`);
}

describe('the hot_products strategy', () => {
  it('warms the 100 products that sold the most units in paid-or-later orders of the last 30 days', async () => {
    const { database, seedNow } = shop();
    const keys = await allKeys(hotProductsStrategy, strategyContext(hotProductsStrategy, database, { now: seedNow }));
    const expected = expectedKeys(seedNow, 30, 100);
    expect(expected).toHaveLength(100);
    expect(keys).toEqual(expected);
  });

  it('counts the window back from the run start, ignoring orders paid after it', async () => {
    const { database, seedNow } = shop();
    const now = new Date(seedNow.getTime() - 20 * DAY_MS);
    const keys = await allKeys(hotProductsStrategy, strategyContext(hotProductsStrategy, database, { now }));
    expect(keys).toEqual(expectedKeys(now, 30, 100));
    expect(keys).not.toEqual(expectedKeys(seedNow, 30, 100));
  });

  it('leaves out refunded orders although they were paid', async () => {
    const { database, seedNow } = shop();
    const from = seedNow.getTime() - 30 * DAY_MS;
    const paidInWindow = sales.filter((s) => s.paidAt !== null && s.paidAt > from && s.paidAt <= seedNow.getTime());
    expect(paidInWindow.some((s) => s.status === 'refunded')).toBe(true);
    const anyStatus = new Map<number, number>();
    for (const sale of paidInWindow) anyStatus.set(sale.productId, (anyStatus.get(sale.productId) ?? 0) + sale.quantity);

    const ctx = strategyContext(hotProductsStrategy, database, { now: seedNow, options: { topN: 600 } });
    const keys = await allKeys(hotProductsStrategy, ctx);
    expect(keys).toEqual(expectedKeys(seedNow, 30, 600));
    expect(keys).not.toEqual(rankByUnits(anyStatus).map((id) => `Product:id:${id}`));
  });

  it('takes the top N and the window from its options', async () => {
    const { database, seedNow } = shop();
    const top5 = await allKeys(hotProductsStrategy, strategyContext(hotProductsStrategy, database, { now: seedNow, options: { topN: 5 } }));
    expect(top5).toEqual(expectedKeys(seedNow, 30, 100).slice(0, 5));

    const week = await allKeys(hotProductsStrategy, strategyContext(hotProductsStrategy, database, { now: seedNow, options: { days: 7 } }));
    expect(week).toEqual(expectedKeys(seedNow, 7, 100));
    expect(new Set(week)).not.toEqual(new Set(expectedKeys(seedNow, 30, 100)));
  });

  it('refuses options out of range or unknown', () => {
    expect(hotProductsStrategy.optionsSchema.parse({})).toEqual({ topN: 100, days: 30 });
    expect(() => hotProductsStrategy.optionsSchema.parse({ topN: 0 })).toThrow();
    expect(() => hotProductsStrategy.optionsSchema.parse({ days: 366 })).toThrow();
    expect(() => hotProductsStrategy.optionsSchema.parse({ topN: 2.5 })).toThrow();
    expect(() => hotProductsStrategy.optionsSchema.parse({ top: 5 })).toThrow();
  });

  it('yields its keys in batches of the batch size', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(hotProductsStrategy, database, { now: seedNow, batchSize: 7, options: { topN: 20 } });
    const batches = await keyBatches(hotProductsStrategy, ctx);
    expect(batches.map((b) => b.length)).toEqual([7, 7, 6]);
    expect(batches.flat()).toEqual(expectedKeys(seedNow, 30, 20));
  });

  it('loads each product with its price, attributes and category path from the root', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(hotProductsStrategy, database, { now: seedNow, options: { topN: 3 } });
    const keys = await allKeys(hotProductsStrategy, ctx);
    const categories = await readCategories(database);
    for (const key of keys) {
      const id = Number(key.split(':')[2]);
      const value = JSON.parse((await hotProductsStrategy.load(key, ctx))!);
      const [row] = await database.rows<{
        name: string; slug: string; description: string; price: string; currency: string; stock: number;
        status: string; attributes: unknown; category_id: number; created_ms: number; updated_ms: number;
      }>(sql`
        select name, slug, description, price::text as price, currency, stock, status::text as status, attributes, category_id,
               (extract(epoch from created_at) * 1000)::float8 as created_ms, (extract(epoch from updated_at) * 1000)::float8 as updated_ms
        from products where id = ${id}`);
      expect(value).toMatchObject({
        id,
        name: row!.name,
        slug: row!.slug,
        description: row!.description,
        price: Number(row!.price),
        currency: row!.currency,
        stock: row!.stock,
        status: row!.status,
        attributes: row!.attributes,
      });
      expect(typeof value.price).toBe('number');
      expect(Date.parse(value.createdAt)).toBe(row!.created_ms);
      expect(Date.parse(value.updatedAt)).toBe(row!.updated_ms);
      expect(value.createdAt).toBe(new Date(row!.created_ms).toISOString());
      const path = pathTo(categories, row!.category_id);
      expect(path.length).toBeGreaterThanOrEqual(2);
      expect(value.category).toEqual({
        id: row!.category_id,
        name: path.at(-1)!.name,
        slug: path.at(-1)!.slug,
        path: path.map((c) => ({ id: c.id, name: c.name, slug: c.slug })),
      });
    }
  });

  it('loads a batch in the order of its keys, with null for products that do not exist', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(hotProductsStrategy, database, { now: seedNow, options: { topN: 3 } });
    const [a, b, c] = await allKeys(hotProductsStrategy, ctx);
    const batch = [c!, 'Product:id:999999', a!, b!, a!];
    const values = await hotProductsStrategy.loadMany!(batch, ctx);
    expect(values).toHaveLength(5);
    expect(values[1]).toBeNull();
    expect(values[4]).toBe(values[2]);
    for (const [i, key] of batch.entries()) {
      expect(values[i]).toBe(await hotProductsStrategy.load(key, ctx));
      if (values[i]) expect(`Product:id:${JSON.parse(values[i]!).id}`).toBe(key);
    }
    expect(await hotProductsStrategy.loadMany!([], ctx)).toEqual([]);
  });

  it('throws on a malformed key, naming it', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(hotProductsStrategy, database, { now: seedNow });
    for (const key of ['Product:id:abc', 'Product:id:012', 'Product:id:', 'Product:id:-4', 'product:id:4', 'Category:id:4', 'Product:id:99999999999']) {
      await expect(hotProductsStrategy.load(key, ctx)).rejects.toThrow(`"${key}"`);
      await expect(hotProductsStrategy.loadMany!(['Product:id:1', key], ctx)).rejects.toThrow(`"${key}"`);
    }
  });
});
