import { freshnessQuerySchema } from '@/lib/api/freshness';
import { authorize } from '@/server/auth/authorize';
import { getFreshnessOverview } from '@/server/freshness/freshness-overview';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The change stream's state and, per strategy and bucket, what re-warming on change did and how fast. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, freshnessQuerySchema);
  const { database, registry, config, freshness } = runtime;
  return json(await getFreshnessOverview({ database, registry, config: config.changeStream, local: freshness.status }, query));
});
