import { updateSettingsSchema } from '@/lib/api/strategies';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getSettings } from '@/server/warmup/settings';
import { toSettingsView, updateSettings } from '@/server/strategies/update-settings';

export const dynamic = 'force-dynamic';

export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { database } = runtime;
  return json({ settings: toSettingsView(await getSettings(database)) });
});

/** A maxConcurrency change also retunes the runs going now, on every replica. */
export const PATCH = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const patch = await parseJsonBody(request, updateSettingsSchema);
  const { database } = runtime;
  return json(await updateSettings(database, patch, actor, clientInfo(request)));
});
