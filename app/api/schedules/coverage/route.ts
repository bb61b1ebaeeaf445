import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { scheduleCoverage } from '@/server/scheduling/schedule-coverage';

export const dynamic = 'force-dynamic';

/** Per enabled strategy: the gaps its schedules and TTL leave over the coming week, and a schedule that closes them. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json({ coverage: await scheduleCoverage(runtime) });
});
