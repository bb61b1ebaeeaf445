import { idParamsSchema } from '@/lib/api/ids';
import { scheduleBodySchema } from '@/lib/api/schedules';
import { actorName } from '@/server/audit/record-audit';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { deleteSchedule } from '@/server/scheduling/delete-schedule';
import { getSchedule } from '@/server/scheduling/get-schedule';
import { afterScheduleChange } from '@/server/scheduling/schedule-api';
import { updateSchedule } from '@/server/scheduling/update-schedule';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(idParamsSchema, await context.params);
  const { database } = runtime;
  return json({ schedule: await getSchedule(database, id) });
});

/** Any subset of the fields; `{"enabled": false}` pauses it, `{"enabled": true}` resumes it. */
export const PATCH = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const patch = await parseJsonBody(request, scheduleBodySchema);
  const change = await updateSchedule({ database: runtime.database, registry: runtime.registry, defaultTimezone: runtime.config.timezone }, id, patch, actorName(actor));
  const action =
    Object.keys(patch).length === 1 && 'enabled' in patch ? (patch.enabled ? 'schedule.resume' : 'schedule.pause') : 'schedule.update';
  return json({ schedule: await afterScheduleChange(runtime, action, change, actor, clientInfo(request)) });
});

export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const before = await getSchedule(runtime.database, id);
  const change = await deleteSchedule(runtime.database, id, actorName(actor));
  await afterScheduleChange(runtime, 'schedule.delete', change, actor, clientInfo(request));
  return json({ schedule: before });
});
