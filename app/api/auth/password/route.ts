import { changePasswordRequestSchema } from '@/lib/api/auth';
import { authorize } from '@/server/auth/authorize';
import { changeOwnPassword } from '@/server/auth/change-password';
import { clientInfo } from '@/server/auth/client-info';
import { sessionSecret } from '@/server/auth/cookies';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The signed-in operator's own password: {currentPassword, newPassword}; other sessions end. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'viewer', { whilePasswordChangeRequired: true });
  const input = await parseJsonBody(request, changePasswordRequestSchema);
  await changeOwnPassword(runtime, actor, sessionSecret(request), input, clientInfo(request));
  return json({ ok: true });
});
