import { statsQuerySchema } from '@/lib/api/runs';
import { authorize } from '@/server/auth/authorize';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getRunStatsRecent } from '@/server/warmup/run-stats';

export const dynamic = 'force-dynamic';

/** Per strategy and time bucket: runs, success rate, keys by outcome, p50/p95 duration (at most 5 s old). */
export const GET = route(async (request) => {
  await authorize(request, 'viewer');
  const query = parseQuery(request, statsQuerySchema);
  const { database } = await getRuntime();
  return json(await getRunStatsRecent(database, query));
});
