import { idParamsSchema } from '@/lib/api/ids';
import { sendTestMessage } from '@/server/alerts/channels';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** 202 {eventId}: a test message is queued to the channel (its delivery shows in the log). */
export const POST = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const deps = { database: runtime.database, boss: runtime.boss, config: runtime.config, wake: () => runtime.alerts.delivery?.wake() };
  return json(await sendTestMessage(deps, id, actor, clientInfo(request)), { status: 202 });
});
