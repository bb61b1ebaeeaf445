import { auditQuerySchema } from '@/lib/api/audit';
import { listAudit } from '@/server/audit/list-audit';
import { authorize } from '@/server/auth/authorize';
import { parseQuery } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The audit log, newest first: ?actor&action&outcome&from&to&limit&cursor. */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const query = parseQuery(request, auditQuerySchema);
  const { database } = runtime;
  return json(await listAudit(database, query));
});
