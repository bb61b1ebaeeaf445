import { authorize } from '@/server/auth/authorize';
import { getEffectOverview } from '@/server/effect/used-queries';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Per strategy, the newest used/unread/gone check of its newest checked run. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json(await getEffectOverview(runtime.database));
});
