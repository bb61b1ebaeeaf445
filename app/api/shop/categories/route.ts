import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The shop's category tree (`Category:tree:root`), public and rate-limited. */
export const GET = route(async (request) => {
  const { shop } = await getRuntime();
  limitShopClient(shop.limiter, request);
  return shopResponse(await shop.reads.categoryTree(), { what: 'category tree', field: 'tree' });
});
