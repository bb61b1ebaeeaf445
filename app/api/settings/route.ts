import { updateSettingsSchema } from '@/lib/api/strategies';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getSettings } from '@/server/warmup/settings';
import { toSettingsView, updateSettings } from '@/server/warmup/update-settings';

export const dynamic = 'force-dynamic';

export const GET = route(async (request) => {
  await authorize(request, 'viewer');
  const { database } = await getRuntime();
  return json({ settings: toSettingsView(await getSettings(database)) });
});

/** A maxConcurrency change also retunes the runs going now, on every replica. */
export const PATCH = route(async (request) => {
  const actor = await authorize(request, 'operator');
  const patch = await parseJsonBody(request, updateSettingsSchema);
  const { database } = await getRuntime();
  return json(await updateSettings(database, patch, actor, clientInfo(request)));
});
