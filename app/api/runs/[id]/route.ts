import { z } from 'zod';
import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { parseQuery, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getRunDetail } from '@/server/runs/run-queries';

export const dynamic = 'force-dynamic';

const querySchema = z.strictObject({ search: z.string().max(200).optional() });

/** A run with its per-strategy results and its failures (`search` filters them by key or error). */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const { search } = parseQuery(request, querySchema);
  const { database } = runtime;
  return json({ run: await getRunDetail(database, id, { search }) });
});
