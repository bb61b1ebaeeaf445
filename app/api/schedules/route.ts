import { scheduleBodySchema } from '@/lib/api/schedules';
import { actorName } from '@/server/audit/record-audit';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { createSchedule } from '@/server/scheduling/create-schedule';
import { listSchedules } from '@/server/scheduling/list-schedules';
import { afterScheduleChange, auditScheduleChange } from '@/server/scheduling/schedule-api';
import { etag } from '@/server/http/if-match';

export const dynamic = 'force-dynamic';

/** Every schedule with its next fire time, its last outcome and its recently missed slots. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { database } = runtime;
  return json({ schedules: await listSchedules(database) });
});

/** 201 {schedule}; 400 naming the field (cron, timezone, scope...); 409 for a name in use. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const body = await parseJsonBody(request, scheduleBodySchema);
  const context = { database: runtime.database, registry: runtime.registry, defaultTimezone: runtime.config.timezone };
  const change = await createSchedule(context, body, actorName(actor), { inTransaction: auditScheduleChange('schedule.create', actor, clientInfo(request)) });
  const schedule = await afterScheduleChange(runtime, change);
  return json({ schedule }, { status: 201, headers: { etag: etag(schedule!.version) } });
});
