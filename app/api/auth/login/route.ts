import { loginRequestSchema } from '@/lib/api/auth';
import { clientInfo } from '@/server/auth/client-info';
import { sessionCookie } from '@/server/auth/cookies';
import { login } from '@/server/auth/login';
import { assertLoginOrigin, isHttpsRequest } from '@/server/auth/request-origin';
import { resolveEdge } from '@/server/http/edge';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Sign-in: 200 with the operator and a session cookie; 401 for any bad credential; 429 when rate limited. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  resolveEdge(request, runtime.config.edge);
  const input = await parseJsonBody(request, loginRequestSchema);
  assertLoginOrigin(request);
  const { operator, session } = await login(runtime, input, clientInfo(request));
  const cookie = sessionCookie(session.secret, { secure: isHttpsRequest(request), maxAgeSeconds: session.maxAgeSeconds });
  return json({ operator }, { headers: { 'set-cookie': cookie } });
});
