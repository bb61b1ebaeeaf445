import 'server-only';
import { z } from 'zod';
import type { WarmupStrategy } from '../../warmup/strategy';
import { activeProductRanges } from './active-product-ranges';
import { countActiveProducts, loadActiveProductIds } from './load-active-product-ids';
import { loadProductsJson } from './load-products-json';
import { parseProductKey, productKey } from './product-key';
import { sampleActiveProductIds } from './sample-active-product-ids';

const optionsSchema = z.strictObject({});
export type ProductCatalogOptions = z.output<typeof optionsSchema>;

/**
 * Every active product (`Product:id:{id}`, the same values as hot_products): the whole catalog, for
 * big nightly warmups. Built for a million keys: keys() pages by id and never holds more than a
 * batch, every batch loads in one query, and its key space (product ids) splits into shards that
 * several workers warm at once.
 */
export const productCatalogStrategy: WarmupStrategy<ProductCatalogOptions> = {
  name: 'product_catalog',
  context: 'catalog',
  tags: ['catalog', 'products', 'bulk'],
  description: 'Every active product: the whole catalog, for big nightly warmups.',
  defaultPriority: 10,
  defaultTtlSeconds: 86_400,
  defaultEnabled: false,
  optionsSchema,

  async *keys(ctx) {
    const pageSize = Math.max(1, Math.floor(ctx.batchSize));
    for (let afterId = ctx.range ? ctx.range.from - 1 : 0; ; ) {
      ctx.signal.throwIfAborted();
      const ids = await loadActiveProductIds(ctx.database, afterId, pageSize, ctx.range);
      if (ids.length === 0) return;
      yield ids.map(productKey);
      if (ids.length < pageSize) return;
      afterId = ids[ids.length - 1]!;
    }
  },

  countKeys: (ctx) => countActiveProducts(ctx.database, ctx.range),

  keySpace: {
    ranges: (ctx, size) => activeProductRanges(ctx.database, size),
    positionOf: parseProductKey,
  },

  sampleKeys: async (ctx, size) => (await sampleActiveProductIds(ctx.database, size)).map(productKey),

  async load(key, ctx) {
    const [json] = await loadProductsJson(ctx.database, [parseProductKey(key)]);
    return json ?? null;
  },

  loadMany: async (keys, ctx) => loadProductsJson(ctx.database, keys.map(parseProductKey)),
};
