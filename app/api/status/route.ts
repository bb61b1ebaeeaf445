import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getSystemStatus } from '@/server/status/get-system-status';

export const dynamic = 'force-dynamic';

/** The shop's size and whether the database and the cache answer, measured now. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json(await getSystemStatus(runtime));
});
