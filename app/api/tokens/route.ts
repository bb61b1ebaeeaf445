import { createTokenRequestSchema } from '@/lib/api/tokens';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { createToken } from '@/server/auth/tokens/create-token';
import { listTokens } from '@/server/auth/tokens/list-tokens';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'admin');
  const { database } = runtime;
  return json({ tokens: await listTokens(database) });
});

/** 201 with the token's secret: shown this once, stored only hashed. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'admin');
  const input = await parseJsonBody(request, createTokenRequestSchema);
  const { database } = runtime;
  return json(await createToken(database, input, actor, clientInfo(request)), { status: 201 });
});
