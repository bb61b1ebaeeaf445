import type { MeResponse } from '@/lib/api/auth';
import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Who the request acts for, with the role the database holds now. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'viewer', { whilePasswordChangeRequired: true });
  return json<MeResponse>({ actor });
});
