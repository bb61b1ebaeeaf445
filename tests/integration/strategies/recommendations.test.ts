import { beforeAll, describe, expect, it } from 'vitest';
import { recommendationsStrategy } from '@/server/contexts/catalog/recommendations-strategy';
import {
  type CategoryRow,
  DAY_MS,
  type ProductRow,
  type SaleRow,
  rankByUnits,
  readCategories,
  readProducts,
  readSales,
  unitsSold,
} from '../../support/shop-facts';
import { allKeys, keyBatches, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

const shop = useSharedShopDatabase();
let sales: SaleRow[];
let products: ProductRow[];
let categories: CategoryRow[];

beforeAll(async () => {
  sales = await readSales(shop().database);
  products = await readProducts(shop().database);
  categories = await readCategories(shop().database);
});

type Entry = { id: number; source: string; metrics: Record<string, number | string> };

const isActive = (id: number) => products.find((p) => p.id === id)?.status === 'active';

/** The four lists as the documentation describes them, computed in JS from the raw rows. */
function expectedLists(now: Date, size: number): Record<string, Entry[]> {
  const t = now.getTime();
  const recent = unitsSold(sales, t - 7 * DAY_MS, t);
  const previous = unitsSold(sales, t - 14 * DAY_MS, t - 7 * DAY_MS);
  const trending = [...recent.entries()]
    .map(([id, units]) => ({ id, units, previousUnits: previous.get(id) ?? 0 }))
    .filter((p) => p.units > p.previousUnits && isActive(p.id))
    .sort((a, b) => b.units - b.previousUnits - (a.units - a.previousUnits) || a.id - b.id)
    .slice(0, size)
    .map((p) => ({ id: p.id, source: 'trending', metrics: { units: p.units, previousUnits: p.previousUnits, growth: p.units - p.previousUnits } }));
  const allTime = unitsSold(sales, -Infinity, t);
  const bestSellers = rankByUnits(allTime)
    .filter(isActive)
    .slice(0, size)
    .map((id) => ({ id, source: 'best_sellers', metrics: { units: allTime.get(id)! } }));
  const newArrivals = products
    .filter((p) => p.status === 'active' && p.createdAt <= t)
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
    .slice(0, size)
    .map((p) => ({ id: p.id, source: 'new_arrivals', metrics: { createdAt: new Date(p.createdAt).toISOString() } }));
  const homepage: Entry[] = [];
  for (let i = 0; i < size && homepage.length < size; i++) {
    for (const list of [trending, bestSellers, newArrivals]) {
      const entry = list[i];
      if (entry && homepage.length < size && !homepage.some((e) => e.id === entry.id)) homepage.push(entry);
    }
  }
  return { trending, best_sellers: bestSellers, new_arrivals: newArrivals, homepage };
}

type Value = { list: string; generatedAt: string; products: ({ id: number; source?: string } & Record<string, unknown>)[] };

async function loadList(list: string, now: Date, options: Record<string, unknown> = {}): Promise<Value> {
  const ctx = strategyContext(recommendationsStrategy, shop().database, { now, options });
  return JSON.parse((await recommendationsStrategy.load(`recommendations:${list}`, ctx))!) as Value;
}

function summary(value: Value): Entry[] {
  return value.products.map(({ id, source, units, previousUnits, growth, createdAt }) => ({
    id,
    source: source ?? value.list,
    metrics: Object.fromEntries(Object.entries({ units, previousUnits, growth, createdAt }).filter(([, v]) => v !== undefined)) as Entry['metrics'],
  }));
}

describe('the recommendations strategy', () => {
  it('warms the four lists of the front pages', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(recommendationsStrategy, database, { now: seedNow });
    const keys = await allKeys(recommendationsStrategy, ctx);
    expect(keys.sort()).toEqual(['recommendations:best_sellers', 'recommendations:homepage', 'recommendations:new_arrivals', 'recommendations:trending']);
    expect(await recommendationsStrategy.countKeys!(ctx)).toBe(4);
    const batches = await keyBatches(recommendationsStrategy, { ...ctx, batchSize: 3 });
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
  });

  it.each(['trending', 'best_sellers', 'new_arrivals', 'homepage'])('ranks %s as documented, active products only', async (list) => {
    const { seedNow } = shop();
    const expected = expectedLists(seedNow, 20)[list]!;
    expect(expected).toHaveLength(20);
    const value = await loadList(list, seedNow);
    expect(value.list).toBe(list);
    expect(value.generatedAt).toBe(seedNow.toISOString());
    expect(summary(value)).toEqual(expected);
  });

  it('mixes all three lists on the homepage, each product once', async () => {
    const { seedNow } = shop();
    const value = await loadList('homepage', seedNow);
    expect(new Set(value.products.map((p) => p.source))).toEqual(new Set(['trending', 'best_sellers', 'new_arrivals']));
    expect(new Set(value.products.map((p) => p.id)).size).toBe(value.products.length);
  });

  it('describes each product compactly: name, price as a number, currency and category', async () => {
    const { seedNow } = shop();
    const value = await loadList('best_sellers', seedNow);
    for (const entry of value.products.slice(0, 5)) {
      const product = products.find((p) => p.id === entry.id)!;
      const category = categories.find((c) => c.id === product.categoryId)!;
      expect(entry).toMatchObject({
        id: product.id,
        name: product.name,
        price: Number(product.price),
        currency: 'EUR',
        category: { id: category.id, name: category.name },
      });
      expect(typeof entry.slug).toBe('string');
      expect(entry).not.toHaveProperty('description');
    }
  });

  it('takes the list size from its options', async () => {
    const { seedNow } = shop();
    for (const list of ['trending', 'best_sellers', 'new_arrivals', 'homepage']) {
      const value = await loadList(list, seedNow, { size: 5 });
      expect(summary(value)).toEqual(expectedLists(seedNow, 5)[list]);
    }
    expect(() => recommendationsStrategy.optionsSchema.parse({ size: 101 })).toThrow();
    expect(recommendationsStrategy.optionsSchema.parse({})).toEqual({ size: 20 });
  });

  it('still warms a list with no products, as an empty list', async () => {
    const { seedNow } = shop();
    // Before the first order: nothing sold, nothing trending, but the catalog already existed.
    const before = new Date(seedNow.getTime() - 100 * DAY_MS);
    const trending = await loadList('trending', before);
    expect(trending.products).toEqual([]);
    expect((await loadList('best_sellers', before)).products).toEqual([]);
    const homepage = await loadList('homepage', before);
    expect(summary(homepage)).toEqual(expectedLists(before, 20).new_arrivals);
  });

  it('has no data for an unknown list and throws on a key outside its family', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(recommendationsStrategy, database, { now: seedNow });
    expect(await recommendationsStrategy.load('recommendations:weekly', ctx)).toBeNull();
    for (const key of ['recommendation:homepage', 'Product:id:1', 'homepage']) {
      await expect(recommendationsStrategy.load(key, ctx)).rejects.toThrow(`"${key}"`);
    }
  });
});
