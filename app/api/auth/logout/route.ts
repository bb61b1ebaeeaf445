import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { clearedSessionCookie, sessionSecret } from '@/server/auth/cookies';
import { logout } from '@/server/auth/logout';
import { isHttpsRequest } from '@/server/auth/request-origin';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Sign-out: ends the cookie's session and tells the browser to drop the cookie. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'viewer', { whilePasswordChangeRequired: true });
  const { database } = runtime;
  await logout(database, actor, sessionSecret(request), clientInfo(request));
  return json({ ok: true }, { headers: { 'set-cookie': clearedSessionCookie({ secure: isHttpsRequest(request) }) } });
});
