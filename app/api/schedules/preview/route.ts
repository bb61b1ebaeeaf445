import { previewRequestSchema } from '@/lib/api/schedules';
import { authorize } from '@/server/auth/authorize';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { previewSchedule } from '@/server/scheduling/preview-schedule';

export const dynamic = 'force-dynamic';

/** {cron, timezone} -> the description in words and the next 5 fire times, or 400 naming cron/timezone. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { cron, timezone } = await parseJsonBody(request, previewRequestSchema);
  const { config } = runtime;
  return json(previewSchedule(cron, timezone ?? config.timezone));
});
