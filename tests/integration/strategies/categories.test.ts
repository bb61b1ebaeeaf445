import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { categoriesStrategy } from '@/server/contexts/catalog/categories-strategy';
import { useTestDatabase } from '../../support/db';
import { type CategoryRow, pathTo, readCategories } from '../../support/shop-facts';
import { allKeys, keyBatches, strategyContext, useSharedShopDatabase } from '../../support/strategy-context';

const shop = useSharedShopDatabase();

type TreeNode = { id: number; name: string; slug: string; level: number; children: TreeNode[] };

/** Children of a category (null: the roots) as the shop orders them: by position, then id. */
function childrenOf(categories: CategoryRow[], parentId: number | null): CategoryRow[] {
  return categories.filter((c) => c.parentId === parentId).sort((a, b) => a.position - b.position || a.id - b.id);
}

describe('the categories strategy', () => {
  it('warms the tree and every category that is a root or a child of one', async () => {
    const { database, seedNow } = shop();
    const categories = await readCategories(database);
    const roots = new Set(categories.filter((c) => c.parentId === null).map((c) => c.id));
    const expected = categories.filter((c) => c.parentId === null || roots.has(c.parentId)).map((c) => `Category:id:${c.id}`);
    expect(expected.length).toBeLessThan(categories.length); // the third level is left out

    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });
    const keys = await allKeys(categoriesStrategy, ctx);
    expect(keys).toHaveLength(expected.length + 1);
    expect(new Set(keys)).toEqual(new Set(['Category:tree:root', ...expected]));
    expect(await categoriesStrategy.countKeys!(ctx)).toBe(keys.length);
  });

  it('yields its keys in batches of the batch size', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow, batchSize: 4 });
    const batches = await keyBatches(categoriesStrategy, ctx);
    const all = await allKeys(categoriesStrategy, strategyContext(categoriesStrategy, database, { now: seedNow }));
    expect(batches.every((b) => b.length <= 4)).toBe(true);
    expect(batches).toHaveLength(Math.ceil(all.length / 4));
    expect(batches.flat()).toEqual(all);
  });

  it('loads a category with its path from the root and its direct children in order', async () => {
    const { database, seedNow } = shop();
    const categories = await readCategories(database);
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });
    const sample = [categories.find((c) => c.level === 1)!, ...categories.filter((c) => c.level === 2).slice(0, 3)];
    for (const category of sample) {
      const value = JSON.parse((await categoriesStrategy.load(`Category:id:${category.id}`, ctx))!);
      const children = childrenOf(categories, category.id);
      expect(children.length).toBeGreaterThan(0);
      expect(value).toEqual({
        id: category.id,
        name: category.name,
        slug: category.slug,
        level: category.level,
        parentId: category.parentId,
        path: pathTo(categories, category.id).map((c) => ({ id: c.id, name: c.name, slug: c.slug })),
        children: children.map((c) => ({ id: c.id, name: c.name, slug: c.slug, level: c.level })),
      });
    }
  });

  it('loads the whole tree, every level nested and ordered by position then id', async () => {
    const { database, seedNow } = shop();
    const categories = await readCategories(database);
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });
    const tree = JSON.parse((await categoriesStrategy.load('Category:tree:root', ctx))!) as { children: TreeNode[] };
    const expand = (parentId: number | null): TreeNode[] =>
      childrenOf(categories, parentId).map((c) => ({ id: c.id, name: c.name, slug: c.slug, level: c.level, children: expand(c.id) }));
    expect(tree).toEqual({ children: expand(null) });
    const count = (nodes: TreeNode[]): number => nodes.reduce((n, node) => n + 1 + count(node.children), 0);
    expect(count(tree.children)).toBe(categories.length);
  });

  it('orders siblings by their position, ids breaking ties', async () => {
    const { database, seedNow } = await useTestDatabase({ shop: true });
    // Reverse every sibling list, and give two roots the same position to exercise the tie-break.
    await database.rows(sql`update categories set position = 100 - position`);
    const roots = (await readCategories(database)).filter((c) => c.parentId === null).sort((a, b) => a.id - b.id);
    await database.rows(sql`update categories set position = 0 where id in (${roots[0]!.id}, ${roots[1]!.id})`);
    const categories = await readCategories(database);
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });

    const tree = JSON.parse((await categoriesStrategy.load('Category:tree:root', ctx))!) as { children: TreeNode[] };
    const rootOrder = childrenOf(categories, null).map((c) => c.id);
    expect(rootOrder.slice(0, 2)).toEqual([roots[0]!.id, roots[1]!.id]);
    expect(tree.children.map((c) => c.id)).toEqual(rootOrder);
    const parent = tree.children[2]!;
    const expectedChildren = childrenOf(categories, parent.id).map((c) => c.id);
    expect(expectedChildren).toEqual([...expectedChildren].sort((a, b) => b - a));
    expect(parent.children.map((c) => c.id)).toEqual(expectedChildren);
    const value = JSON.parse((await categoriesStrategy.load(`Category:id:${parent.id}`, ctx))!);
    expect(value.children.map((c: { id: number }) => c.id)).toEqual(expectedChildren);
  });

  it('loads a batch in the order of its keys, the tree wherever it stands and null for unknown ids', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });
    const keys = await allKeys(categoriesStrategy, ctx);
    const ids = keys.filter((k) => k.startsWith('Category:id:'));
    const batch = [ids[3]!, 'Category:id:99999', ids[0]!, 'Category:tree:root', ids[1]!];
    const values = await categoriesStrategy.loadMany!(batch, ctx);
    expect(values).toHaveLength(batch.length);
    expect(values[1]).toBeNull();
    for (const [i, key] of batch.entries()) expect(values[i]).toBe(await categoriesStrategy.load(key, ctx));
    expect(JSON.parse(values[0]!).id).toBe(Number(ids[3]!.split(':')[2]));
    expect(JSON.parse(values[3]!)).toHaveProperty('children');
    expect(await categoriesStrategy.loadMany!(['Category:tree:root'], ctx)).toEqual([values[3]]);
  });

  it('throws on a malformed key, naming it', async () => {
    const { database, seedNow } = shop();
    const ctx = strategyContext(categoriesStrategy, database, { now: seedNow });
    for (const key of ['Category:id:x', 'Category:tree:leaf', 'Category:id:0', 'Product:id:1']) {
      await expect(categoriesStrategy.load(key, ctx)).rejects.toThrow(`"${key}"`);
      await expect(categoriesStrategy.loadMany!(['Category:tree:root', key], ctx)).rejects.toThrow(`"${key}"`);
    }
  });
});
