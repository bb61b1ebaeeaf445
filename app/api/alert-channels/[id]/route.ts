import { channelPatchSchema } from '@/lib/api/alerts';
import { idParamsSchema } from '@/lib/api/ids';
import { deleteChannel, updateChannel } from '@/server/alerts/channels';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Any subset of name, url, secret, recipients, rules, strategies, severities, enabled (not kind). */
export const PATCH = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const patch = await parseJsonBody(request, channelPatchSchema);
  return json({ channel: await updateChannel(runtime, id, patch, actor, clientInfo(request)) });
});

export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  return json({ channel: await deleteChannel(runtime, id, actor, clientInfo(request)) });
});
