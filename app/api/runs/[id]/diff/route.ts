import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRunDiff } from '@/server/runs/run-diff';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Per strategy, what changed against its previous run: keys added, dropped, newly failing, no longer failing. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  return json(await getRunDiff(runtime.database, id));
});
