import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getRunGovernor } from '@/server/runs/run-governor';

export const dynamic = 'force-dynamic';

/** The run's governor profile and samples (concurrency, batch and write latency, keys/s, why it moved), oldest first. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  return json(await getRunGovernor(runtime.database, id));
});
