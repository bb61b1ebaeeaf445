import { shopIdParamsSchema } from '@/lib/api/effect';
import { parseWith } from '@/server/http/request';
import { authorize } from '@/server/auth/authorize';
import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The shop's category read (`Category:id:{id}`: path and children), for a shop_reader token or any operator, rate-limited per address. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'shop_reader');
  const { shop } = runtime;
  limitShopClient(shop.limiter, request);
  const { id } = parseWith(shopIdParamsSchema, await context.params);
  return shopResponse(await shop.reads.category(id), { what: `category with id ${id}`, field: 'id' });
});
