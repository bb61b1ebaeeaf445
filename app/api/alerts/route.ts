import { getAlertsOverview } from '@/server/alerts/alerts-overview';
import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The Alerts page: open incidents, history, channels (no secrets) with their last delivery, silences, the delivery log, the rules. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json(await getAlertsOverview(runtime.database, runtime.config));
});
