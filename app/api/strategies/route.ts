import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { listStrategyViewsRecent } from '@/server/strategies/strategy-views';

export const dynamic = 'force-dynamic';

/** Every strategy by priority: settings in force, defaults, last run and recent success rates (at most 2 s old). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { database, registry } = runtime;
  return json({ strategies: await listStrategyViewsRecent(database, registry) });
});
