import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { cancelRun } from '@/server/runs/cancel-run';

export const dynamic = 'force-dynamic';

/** 202: the run stops within half a second, on whichever process runs it. */
export const POST = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  return json(await cancelRun(runtime, id, actor, clientInfo(request)), { status: 202 });
});
