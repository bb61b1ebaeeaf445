import { runIdParamsSchema } from '@/lib/api/params';
import { AppError } from '@/server/errors';
import { authorize } from '@/server/auth/authorize';
import { streamOwner } from '@/server/auth/stream-access';
import { parseWith } from '@/server/http/request';
import { requestId } from '@/server/http/request-id';
import { route } from '@/server/http/respond';
import { sseResponse } from '@/server/http/sse';
import { takeStreamSlot } from '@/server/http/stream-slots';
import { getRuntime } from '@/server/runtime';
import { readSnapshot, watchRun } from '@/server/runs/watch-run';

export const dynamic = 'force-dynamic';

/**
 * Server-Sent Events: `progress` while the run goes (read from Postgres, so it works whichever
 * replica runs it), then one `end` with its final state. The stream ends early when the session
 * ends or loses the viewer role; a session holds a bounded number of them.
 */
export const GET = route<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { id } = parseWith(runIdParamsSchema, await context.params);
  const { database } = runtime;
  if (!(await readSnapshot(database, id))) throw new AppError('not_found', `No run with id ${id}`, { field: 'id' });
  const owner = streamOwner(runtime, request, 'viewer');
  const release = takeStreamSlot(owner.key);
  return sseResponse(watchRun(database, id, request.signal), request.signal, { requestId: requestId(request), stillAllowed: owner.stillAllowed, onClose: release });
});
