import { shopIdParamsSchema } from '@/lib/api/effect';
import { parseWith } from '@/server/http/request';
import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The shop's category read (`Category:id:{id}`: path and children), public and rate-limited. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const { shop } = await getRuntime();
  limitShopClient(shop.limiter, request);
  const { id } = parseWith(shopIdParamsSchema, await context.params);
  return shopResponse(await shop.reads.category(id), { what: `category with id ${id}`, field: 'id' });
});
