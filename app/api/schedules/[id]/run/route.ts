import { idParamsSchema } from '@/lib/api/ids';
import { runScheduleNowSchema } from '@/lib/api/schedules';
import { actorName, recordAudit } from '@/server/audit/record-audit';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseOptionalJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { runScheduleNow } from '@/server/scheduling/run-schedule-now';

export const dynamic = 'force-dynamic';

/**
 * Runs the schedule's scope now (trigger schedule, linked to it, triggered by the operator): 202 {runId, strategies};
 * 409 in_blackout inside a blackout window unless the body says {"confirmBlackout": true} (the body is optional).
 */
export const POST = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const { confirmBlackout } = await parseOptionalJsonBody(request, runScheduleNowSchema);
  const client = clientInfo(request);
  const run = await runScheduleNow(runtime, id, {
    actor: actorName(actor),
    confirmBlackout,
    inTransaction: (tx, row, blackouts) =>
      recordAudit(tx, {
        actor,
        action: 'schedule.run_now',
        target: `schedule:${id}`,
        after: { runId: row.id, strategies: row.strategies, ...(blackouts.length ? { confirmedBlackout: blackouts.map((b) => `${b.schedule}: ${b.window} (${b.timezone})`) } : {}) },
        ...client,
      }),
  });
  return json({ runId: run.runId, strategies: run.strategies }, { status: 202 });
});
