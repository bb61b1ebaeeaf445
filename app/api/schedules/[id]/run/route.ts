import { idParamsSchema } from '@/lib/api/ids';
import { actorName, recordAudit } from '@/server/audit/record-audit';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { runScheduleNow } from '@/server/scheduling/run-schedule-now';

export const dynamic = 'force-dynamic';

/** Runs the schedule's scope now (trigger schedule, linked to it, triggered by the operator): 202 {runId, strategies}. */
export const POST = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const client = clientInfo(request);
  const run = await runScheduleNow(runtime, id, actorName(actor), (tx, row) =>
    recordAudit(tx, { actor, action: 'schedule.run_now', target: `schedule:${id}`, after: { runId: row.id, strategies: row.strategies }, ...client }),
  );
  return json({ runId: run.runId, strategies: run.strategies }, { status: 202 });
});
