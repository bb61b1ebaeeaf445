import { estimateRunSchema } from '@/lib/api/effect';
import { authorize } from '@/server/auth/authorize';
import { estimateRunForScope } from '@/server/effect/estimate-for-scope';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** What POST /api/runs with this body would take: keys, expected duration and cache memory per strategy. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const input = await parseJsonBody(request, estimateRunSchema);
  return json(await estimateRunForScope(runtime, input));
});
