import { idParamsSchema } from '@/lib/api/ids';
import { scheduleBodySchema } from '@/lib/api/schedules';
import { actorName } from '@/server/audit/record-audit';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { etag, ifMatchVersion } from '@/server/http/if-match';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { deleteSchedule } from '@/server/scheduling/delete-schedule';
import { getSchedule } from '@/server/scheduling/get-schedule';
import { afterScheduleChange, auditScheduleChange, schedulePatchAction } from '@/server/scheduling/schedule-api';
import { updateSchedule } from '@/server/scheduling/update-schedule';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** The schedule, with its version as `ETag` (send it back as `If-Match` to edit this view of it). */
export const GET = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(idParamsSchema, await context.params);
  const schedule = await getSchedule(runtime.database, id);
  return json({ schedule }, { headers: { etag: etag(schedule.version) } });
});

/**
 * Any subset of the fields, and only those are written; `{"enabled": false}` pauses it. With
 * `If-Match`, a schedule changed since that version is refused: 412 with the current one.
 */
export const PATCH = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const ifMatch = ifMatchVersion(request);
  const patch = await parseJsonBody(request, scheduleBodySchema);
  const writeContext = { database: runtime.database, registry: runtime.registry, defaultTimezone: runtime.config.timezone };
  const inTransaction = auditScheduleChange(schedulePatchAction(patch), actor, clientInfo(request));
  const change = await updateSchedule(writeContext, id, patch, actorName(actor), { ifMatch, inTransaction });
  const schedule = await afterScheduleChange(runtime, change);
  return json({ schedule }, { headers: { etag: etag(schedule!.version) } });
});

export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  const before = await getSchedule(runtime.database, id);
  const inTransaction = auditScheduleChange('schedule.delete', actor, clientInfo(request));
  const change = await deleteSchedule(runtime.database, id, actorName(actor), { ifMatch: ifMatchVersion(request), inTransaction });
  await afterScheduleChange(runtime, change);
  return json({ schedule: before });
});
