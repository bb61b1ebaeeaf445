import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { listStrategyViews } from '@/server/warmup/strategy-views';

export const dynamic = 'force-dynamic';

/** Every strategy by priority: settings in force, defaults, last run and recent success rates. */
export const GET = route(async (request) => {
  await authorize(request, 'viewer');
  const { database, registry } = await getRuntime();
  return json({ strategies: await listStrategyViews(database, registry) });
});
