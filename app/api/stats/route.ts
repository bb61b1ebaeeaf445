import { statsQuerySchema } from '@/lib/api/runs';
import { authorize } from '@/server/auth/authorize';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getRunStatsRecent } from '@/server/runs/run-stats';

export const dynamic = 'force-dynamic';

/** Per strategy and time bucket (days in KILN_TIMEZONE): runs, success rate, keys by outcome, p50/p95 duration (at most 5 s old). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, statsQuerySchema);
  const { database, config } = runtime;
  return json(await getRunStatsRecent(database, query, config.timezone));
});
