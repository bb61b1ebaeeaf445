import 'server-only';
import type { WarmupStrategy } from '../../warmup/strategy';
import { categoriesStrategy } from './categories-strategy';
import { hotProductsStrategy } from './hot-products-strategy';
import { productCatalogStrategy } from './product-catalog-strategy';
import { recommendationsStrategy } from './recommendations-strategy';

/** The catalog context's warmup strategies. */
export const catalogStrategies: WarmupStrategy[] = [
  hotProductsStrategy,
  recommendationsStrategy,
  categoriesStrategy,
  productCatalogStrategy,
];
