import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { retryRunSchema } from '@/lib/api/runs';
import { parseOptionalJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { retryFailedKeys } from '@/server/runs/retry-failed-keys';

export const dynamic = 'force-dynamic';

/** Starts a new run limited to the keys that failed in this one (body: optional dryRun, onlyMissing): 202 {runId, strategies, keys}. */
export const POST = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const options = await parseOptionalJsonBody(request, retryRunSchema);
  return json(await retryFailedKeys(runtime, id, options, actor, clientInfo(request)), { status: 202 });
});
