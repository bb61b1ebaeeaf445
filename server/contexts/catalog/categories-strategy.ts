import 'server-only';
import { z } from 'zod';
import type { WarmupStrategy } from '../../warmup/strategy';
import { chunk } from '../chunk';
import { CATEGORY_TREE_KEY, categoryKey, parseCategoryKey } from './category-key';
import { loadCategoryJson } from './load-category-json';
import { loadCategoryTreeJson } from './load-category-tree-json';
import { loadWarmedCategoryIds } from './load-warmed-category-ids';

const optionsSchema = z.strictObject({});
export type CategoriesOptions = z.output<typeof optionsSchema>;

/**
 * The navigation: `Category:tree:root` (the whole tree) and `Category:id:{id}` for every level-1
 * and level-2 category.
 */
export const categoriesStrategy: WarmupStrategy<CategoriesOptions> = {
  name: 'categories',
  context: 'catalog',
  tags: ['catalog', 'categories'],
  description: 'The category tree and every top- and second-level category with its path and children.',
  defaultPriority: 50,
  defaultTtlSeconds: 14_400,
  defaultEnabled: true,
  optionsSchema,

  async *keys(ctx) {
    const ids = await loadWarmedCategoryIds(ctx.database);
    yield* chunk([CATEGORY_TREE_KEY, ...ids.map(categoryKey)], ctx.batchSize);
  },

  async countKeys(ctx) {
    return (await loadWarmedCategoryIds(ctx.database)).length + 1;
  },

  async load(key, ctx) {
    if (key === CATEGORY_TREE_KEY) return loadCategoryTreeJson(ctx.database);
    const [json] = await loadCategoryJson(ctx.database, [parseCategoryKey(key)]);
    return json ?? null;
  },

  /** One query for the categories, and one more when the batch holds the tree key. */
  async loadMany(keys, ctx) {
    // Parse every key before querying, so a malformed key fails the batch without a wasted query.
    const ids = keys.map((key) => (key === CATEGORY_TREE_KEY ? null : parseCategoryKey(key)));
    const [categories, tree] = await Promise.all([
      loadCategoryJson(ctx.database, ids.filter((id) => id !== null)),
      ids.includes(null) ? loadCategoryTreeJson(ctx.database) : null,
    ]);
    let next = 0;
    return ids.map((id) => (id === null ? tree : categories[next++]!));
  },
};
