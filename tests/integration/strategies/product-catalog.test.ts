import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { hotProductsStrategy } from '@/server/contexts/catalog/hot-products-strategy';
import { loadProductsJson } from '@/server/contexts/catalog/load-products-json';
import { productCatalogStrategy } from '@/server/contexts/catalog/product-catalog-strategy';
import { pathTo, readCategories, readProducts } from '../../support/shop-facts';
import { allKeys, keyBatches, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

const shop = useSharedShopDatabase();

describe('the product_catalog strategy', () => {
  it('is off by default: a bulk warmup an operator turns on', () => {
    expect(productCatalogStrategy.defaultEnabled).toBe(false);
    expect(productCatalogStrategy.defaultPriority).toBe(10);
    expect(productCatalogStrategy.defaultTtlSeconds).toBe(86_400);
    expect(productCatalogStrategy.tags).toEqual(['catalog', 'products', 'bulk']);
  });

  it('yields every active product once, in batches of at most the batch size', async () => {
    const { database, seedNow } = shop();
    const products = await readProducts(database);
    const active = products.filter((p) => p.status === 'active').map((p) => p.id);
    expect(active.length).toBeLessThan(products.length); // the shop has inactive products to leave out

    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow, batchSize: 100 });
    const batches = await keyBatches(productCatalogStrategy, ctx);
    expect(batches.slice(0, -1).every((b) => b.length === 100)).toBe(true);
    expect(batches.at(-1)!.length).toBeGreaterThan(0);
    expect(batches.at(-1)!.length).toBeLessThanOrEqual(100);
    const keys = batches.flat();
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(new Set(active.map((id) => `Product:id:${id}`)));
    expect(await productCatalogStrategy.countKeys!(ctx)).toBe(active.length);
  });

  it('ends cleanly when the active products fill the last batch exactly', async () => {
    const { database, seedNow } = shop();
    const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products where status = 'active'`);
    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow, batchSize: row!.n });
    const batches = await keyBatches(productCatalogStrategy, ctx);
    expect(batches.map((b) => b.length)).toEqual([row!.n]);
  });

  it('stops listing keys when the run is cancelled', async () => {
    const { database, seedNow } = shop();
    const controller = new AbortController();
    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow, batchSize: 50, signal: controller.signal });
    const seen: string[][] = [];
    await expect(
      (async () => {
        for await (const batch of productCatalogStrategy.keys(ctx)) {
          seen.push(batch);
          controller.abort(new Error('cancelled by the operator'));
        }
      })(),
    ).rejects.toThrow('cancelled by the operator');
    expect(seen).toHaveLength(1);
  });

  it('loads the same value as hot_products for the same key', async () => {
    const { database, seedNow } = shop();
    const hotCtx = strategyContext(hotProductsStrategy, database, { now: seedNow, options: { topN: 10 } });
    const keys = await allKeys(hotProductsStrategy, hotCtx);
    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow });
    expect(await productCatalogStrategy.loadMany!(keys, ctx)).toEqual(await hotProductsStrategy.loadMany!(keys, hotCtx));
  });

  it('loads whole batches aligned with their keys, values matching the product rows', async () => {
    const { database, seedNow } = shop();
    const products = await readProducts(database);
    const categories = await readCategories(database);
    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow, batchSize: 250 });
    const [first] = await keyBatches(productCatalogStrategy, ctx);
    const batch = [...first!].reverse();
    batch.splice(17, 0, 'Product:id:1000000', 'Product:id:2147483647');
    const values = await productCatalogStrategy.loadMany!(batch, ctx);
    expect(values).toHaveLength(batch.length);
    expect(values[17]).toBeNull();
    expect(values[18]).toBeNull();
    const byId = new Map(products.map((p) => [p.id, p]));
    for (const [i, key] of batch.entries()) {
      if (i === 17 || i === 18) continue;
      const value = JSON.parse(values[i]!);
      const row = byId.get(Number(key.slice('Product:id:'.length)))!;
      expect(`Product:id:${value.id}`).toBe(key);
      expect(value.name).toBe(row.name);
      expect(value.price).toBe(Number(row.price));
      expect(value.status).toBe('active');
      expect(value.category.path.map((c: { id: number }) => c.id)).toEqual(pathTo(categories, row.categoryId).map((c) => c.id));
    }
    for (const i of [0, 17, 100, batch.length - 1]) {
      expect(await productCatalogStrategy.load(batch[i]!, ctx)).toBe(values[i]);
    }
  });

  it('reads inactive products too when asked by id: their status says what they are', async () => {
    const { database } = shop();
    const inactive = (await readProducts(database)).find((p) => p.status === 'inactive')!;
    const [json] = await loadProductsJson(database, [inactive.id]);
    expect(JSON.parse(json!)).toMatchObject({ id: inactive.id, status: 'inactive' });
  });

  it('throws on a malformed key, naming it', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(productCatalogStrategy, database, { now: seedNow });
    await expect(productCatalogStrategy.load('Product:id:1.5', ctx)).rejects.toThrow('"Product:id:1.5"');
    await expect(productCatalogStrategy.loadMany!(['Product:id:1', 'Product:7'], ctx)).rejects.toThrow('"Product:7"');
  });
});
