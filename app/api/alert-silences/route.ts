import { silenceBodySchema } from '@/lib/api/alerts';
import { createSilence } from '@/server/alerts/alerts-overview';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** 201 {silence}: mutes a rule, a subject or both until a time. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const body = await parseJsonBody(request, silenceBodySchema);
  return json({ silence: await createSilence(runtime.database, body, actor, clientInfo(request)) }, { status: 201 });
});
