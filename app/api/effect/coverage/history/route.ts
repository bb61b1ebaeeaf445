import { coverageHistoryQuerySchema } from '@/lib/api/effect';
import { authorize } from '@/server/auth/authorize';
import { getCoverageHistory } from '@/server/effect/coverage-queries';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Coverage samples over time per strategy (optionally one), with the runs of the range as markers. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, coverageHistoryQuerySchema);
  const { database, registry } = runtime;
  return json(await getCoverageHistory(database, registry, query));
});
