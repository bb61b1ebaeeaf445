import 'server-only';
import type { ShopRead } from '../../reads/shop-read';
import { CATEGORY_TREE_KEY } from './category-key';
import { loadCategoryTreeJson } from './load-category-tree-json';

/** The shop's navigation read: the whole tree at `Category:tree:root`, warmed by categories. */
export function categoryTreeRead(): ShopRead {
  return {
    family: 'categories',
    key: CATEGORY_TREE_KEY,
    load: ({ database }) => loadCategoryTreeJson(database),
  };
}
