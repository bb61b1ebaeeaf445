import { z } from 'zod';
import { authorize } from '@/server/auth/authorize';
import { getCoverageOverview } from '@/server/effect/coverage-queries';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Per strategy: the newest coverage sample and the newest one taken after a run, with eviction warnings. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  parseQuery(request, z.strictObject({}));
  const { database, registry, config } = runtime;
  return json(await getCoverageOverview(database, registry, config.coverageSampleMinutes));
});
