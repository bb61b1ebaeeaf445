import { runIdParamsSchema } from '@/lib/api/params';
import { AppError } from '@/server/errors';
import { authorize } from '@/server/auth/authorize';
import { parseWith } from '@/server/http/request';
import { route } from '@/server/http/respond';
import { sseResponse } from '@/server/http/sse';
import { getRuntime } from '@/server/runtime';
import { readSnapshot, watchRun } from '@/server/runs/watch-run';

export const dynamic = 'force-dynamic';

/**
 * Server-Sent Events: `progress` while the run goes (read from Postgres, so it works whichever
 * replica runs it), then one `end` with its final state.
 */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const { database } = runtime;
  if (!(await readSnapshot(database, id))) throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  return sseResponse(watchRun(database, id, request.signal), request.signal);
});
