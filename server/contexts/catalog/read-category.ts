import 'server-only';
import type { ShopRead } from '../../reads/shop-read';
import { categoryKey } from './category-key';
import { loadCategoryJson } from './load-category-json';

/**
 * The shop's category page read: `Category:id:{id}`. The categories strategy warms levels 1 and 2;
 * a level-3 category read through here is cached on its first miss like any other.
 */
export function categoryRead(id: number): ShopRead {
  return {
    family: 'categories',
    key: categoryKey(id),
    load: async ({ database }) => (await loadCategoryJson(database, [id]))[0] ?? null,
  };
}
