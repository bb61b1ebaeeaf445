import { authorize } from '@/server/auth/authorize';
import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The shop's category tree (`Category:tree:root`), for a shop_reader token or any operator, rate-limited per address. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'shop_reader');
  const { shop } = runtime;
  limitShopClient(shop.limiter, request);
  return shopResponse(await shop.reads.categoryTree(), { what: 'category tree', field: 'tree' });
});
