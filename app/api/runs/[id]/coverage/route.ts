import { runIdParamsSchema } from '@/lib/api/params';
import { authorize } from '@/server/auth/authorize';
import { getRunCoverage } from '@/server/effect/coverage-queries';
import { parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The coverage samples taken right after the run ended: how much of each strategy's warm set it left cached. */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const { database } = runtime;
  return json(await getRunCoverage(database, id));
});
