import { idParamsSchema } from '@/lib/api/ids';
import { updateTokenRequestSchema } from '@/lib/api/tokens';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { renameToken } from '@/server/auth/tokens/rename-token';
import { revokeToken } from '@/server/auth/tokens/revoke-token';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Renames a token. */
export const PATCH = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const input = await parseJsonBody(request, updateTokenRequestSchema);
  const { database } = runtime;
  return json({ token: await renameToken(database, id, input, actor, clientInfo(request)) });
});

/** Revokes a token: refused from the next request on. */
export const DELETE = route<Context>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const { id } = parseWith(idParamsSchema, await context.params);
  const { database } = runtime;
  return json({ token: await revokeToken(database, id, actor, clientInfo(request)) });
});
