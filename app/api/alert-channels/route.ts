import { channelBodySchema } from '@/lib/api/alerts';
import { createChannel, listChannels } from '@/server/alerts/channels';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every alert channel with its last delivery; never a secret. Admins only (their URLs are credentials). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'admin');
  return json({ channels: await listChannels(runtime.database) });
});

/** 201 {channel}; a webhook without a secret gets one generated, shown in this answer only. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const body = await parseJsonBody(request, channelBodySchema);
  return json({ channel: await createChannel(runtime, body, actor, clientInfo(request)) }, { status: 201 });
});
