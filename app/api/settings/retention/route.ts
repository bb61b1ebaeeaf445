import { updateRetentionSchema } from '@/lib/api/retention';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRetentionView, updateRetentionPolicies } from '@/server/retention/retention-settings';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Each retention policy with its tables' rows, size and oldest row kept, and the last prune (admins). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'admin');
  return json(await getRetentionView(runtime.database, { timezone: runtime.config.timezone, intervalMinutes: runtime.config.retention.intervalMinutes }));
});

/** `{ policies: { runs: 365 } }`: only the policies sent change; audited. */
export const PATCH = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const body = await parseJsonBody(request, updateRetentionSchema);
  const settings = { timezone: runtime.config.timezone, intervalMinutes: runtime.config.retention.intervalMinutes };
  return json(await updateRetentionPolicies(runtime.database, body.policies, actor, clientInfo(request), settings));
});
