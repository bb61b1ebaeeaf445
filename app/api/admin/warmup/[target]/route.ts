import { warmupOptionsSchema, warmupTargetSchema } from '@/lib/api/strategies';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseOptionalJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { triggerRun } from '@/server/runs/trigger-run';
import { scopeForTarget } from '@/server/runs/warmup-summary';

export const dynamic = 'force-dynamic';

/**
 * The shop's original admin endpoint: POST /api/admin/warmup/{strategy | tag | all}, with an
 * optional JSON body {concurrency, onlyMissing, dryRun}. Same answers as POST /api/runs.
 */
export const POST = route<{ params: Promise<{ target: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { target } = parseWith(warmupTargetSchema, await context.params);
  const options = await parseOptionalJsonBody(request, warmupOptionsSchema);
  const scope = scopeForTarget(runtime, target);
  return json(await triggerRun(runtime, { scope, ...options }, actor, clientInfo(request)), { status: 202 });
});
