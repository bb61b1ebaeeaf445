import { hitRateQuerySchema } from '@/lib/api/effect';
import { authorize } from '@/server/auth/authorize';
import { getHitRate } from '@/server/effect/hit-rate';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Shop reads per key family and time bucket: hits, misses, hit rate, queries made and avoided; runs as markers. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, hitRateQuerySchema);
  const { database } = runtime;
  return json(await getHitRate(database, query));
});
