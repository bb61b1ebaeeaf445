import { shopSessionParamsSchema } from '@/lib/api/effect';
import { parseWith } from '@/server/http/request';
import { authorize } from '@/server/auth/authorize';
import { route } from '@/server/http/respond';
import { limitShopClient, shopResponse } from '@/server/http/shop-response';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** A user's live session with its cart (`User:session:{userId}`); 404 when the user has none. */
export const GET = route<{ params: Promise<{ userId: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'shop_reader');
  const { shop } = runtime;
  limitShopClient(shop.limiter, request);
  const { userId } = parseWith(shopSessionParamsSchema, await context.params);
  return shopResponse(await shop.reads.session(userId), { what: `live session for user ${userId}`, field: 'userId' });
});
