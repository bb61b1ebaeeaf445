import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { listWorkers } from '@/server/workers/list-workers';

export const dynamic = 'force-dynamic';

/** The worker processes (each one's shards, keys/s and last report) and the queue's depth. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json(await listWorkers(runtime));
});
