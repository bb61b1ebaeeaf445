import { idParamsSchema } from '@/lib/api/ids';
import { endSilence } from '@/server/alerts/alerts-overview';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Ends a silence now. */
export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { id } = parseWith(idParamsSchema, await context.params);
  return json({ silence: await endSilence(runtime.database, id, actor, clientInfo(request)) });
});
