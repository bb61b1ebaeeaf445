import { updateSettingsSchema } from '@/lib/api/strategies';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { etag, ifMatchVersion } from '@/server/http/if-match';
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
  const settings = toSettingsView(await getSettings(database));
  return json({ settings }, { headers: { etag: etag(settings.version) } });
});

/**
 * Only the fields sent are written. A maxConcurrency change also retunes the runs going now, on
 * every replica. With `If-Match`, settings changed since that version are refused: 412 with the current ones.
 */
export const PATCH = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const ifMatch = ifMatchVersion(request);
  const patch = await parseJsonBody(request, updateSettingsSchema);
  const result = await updateSettings(runtime.database, patch, actor, clientInfo(request), { ifMatch });
  return json(result, { headers: { etag: etag(result.settings.version) } });
});
