import 'server-only';
import type { ShopRead } from '../../reads/shop-read';
import { loadProductsJson } from './load-products-json';
import { productKey } from './product-key';

/** The shop's product page read: `Product:id:{id}`, warmed by hot_products and product_catalog. */
export function productRead(id: number): ShopRead {
  return {
    family: 'products',
    key: productKey(id),
    load: async ({ database }) => (await loadProductsJson(database, [id]))[0] ?? null,
  };
}
