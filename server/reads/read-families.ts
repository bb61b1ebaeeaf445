import 'server-only';
import type { ReadFamily, ReadFamilyInfo } from '@/lib/api/effect';

/**
 * The shop's key families: which strategies warm each, and what one miss costs the database. The
 * cost is the context read a miss makes, the same one the strategies load with; every one of them
 * is documented as ONE query (load-products-json.ts, load-category-json.ts,
 * load-category-tree-json.ts, load-recommendation-json.ts, load-sessions-json.ts), and the
 * read-path tests check the queries a miss actually makes against these numbers.
 */
export const READ_FAMILY_INFO: Record<ReadFamily, ReadFamilyInfo> = {
  products: {
    family: 'products',
    strategies: ['hot_products', 'product_catalog'],
    keyPatterns: ['Product:id:{id}'],
    queriesPerMiss: 1,
  },
  categories: {
    family: 'categories',
    strategies: ['categories'],
    keyPatterns: ['Category:tree:root', 'Category:id:{id}'],
    queriesPerMiss: 1,
  },
  recommendations: {
    family: 'recommendations',
    strategies: ['recommendations'],
    keyPatterns: ['recommendations:{list}'],
    queriesPerMiss: 1,
  },
  sessions: {
    family: 'sessions',
    strategies: ['sessions'],
    keyPatterns: ['User:session:{userId}'],
    queriesPerMiss: 1,
  },
};
