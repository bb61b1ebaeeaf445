import { shopListParamsSchema } from '@/lib/api/effect';
import { parseWith } from '@/server/http/request';
import { authorize } from '@/server/auth/authorize';
import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** A recommendation list (`recommendations:{list}`: homepage, trending, new_arrivals, best_sellers). */
export const GET = route<{ params: Promise<{ list: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'shop_reader');
  const { shop } = runtime;
  limitShopClient(shop.limiter, request);
  const { list } = parseWith(shopListParamsSchema, await context.params);
  return shopResponse(await shop.reads.recommendation(list), { what: `recommendation list named ${list}`, field: 'list' });
});
