import { keyspaceQuerySchema } from '@/lib/api/used';
import { authorize } from '@/server/auth/authorize';
import { timeRange } from '@/server/effect/time-range';
import { getKeyspaceHistory } from '@/server/effect/used-queries';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Redis's keyspace hit ratio (and expired, evicted keys) per sample interval, with the runs as markers. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const range = timeRange(parseQuery(request, keyspaceQuerySchema), new Date());
  return json(await getKeyspaceHistory(runtime.database, range, runtime.config.keyspaceSampleSeconds));
});
