import { z } from 'zod';
import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { parseQuery, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getRunDetail } from '@/server/warmup/run-queries';

export const dynamic = 'force-dynamic';

const querySchema = z.strictObject({ search: z.string().max(200).optional() });

/** A run with its per-strategy results and its failures (`search` filters them by key or error). */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  await authorize(request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const { search } = parseQuery(request, querySchema);
  const { database } = await getRuntime();
  return json({ run: await getRunDetail(database, id, { search }) });
});
