import { idParamsSchema } from '@/lib/api/ids';
import { updateOperatorRequestSchema } from '@/lib/api/operators';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { deleteOperator } from '@/server/auth/operators/delete-operator';
import { getOperator } from '@/server/auth/operators/list-operators';
import { updateOperator } from '@/server/auth/operators/update-operator';
import { etag, ifMatchVersion } from '@/server/http/if-match';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const operator = await getOperator(runtime.database, id);
  return json({ operator }, { headers: { etag: etag(operator.version) } });
});

export const PATCH = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const ifMatch = ifMatchVersion(request);
  const patch = await parseJsonBody(request, updateOperatorRequestSchema);
  const operator = await updateOperator(runtime.database, id, patch, actor, clientInfo(request), { ifMatch });
  return json({ operator }, { headers: { etag: etag(operator.version) } });
});

export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const { database } = runtime;
  return json({ operator: await deleteOperator(database, id, actor, clientInfo(request)) });
});
