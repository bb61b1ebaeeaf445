import { listRunsQuerySchema, startRunSchema } from '@/lib/api/runs';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody, parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { listRuns } from '@/server/runs/run-queries';
import { triggerRun } from '@/server/runs/trigger-run';

export const dynamic = 'force-dynamic';

/** Runs, newest first: filters strategy, trigger, status, from, to; cursor pagination. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, listRunsQuerySchema);
  const { database } = runtime;
  return json(await listRuns(database, query));
});

/** Starts a run: 202 {runId, strategies}; 409 naming the busy strategies. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const input = await parseJsonBody(request, startRunSchema);
  return json(await triggerRun(runtime, input, actor, clientInfo(request)), { status: 202 });
});
