import { requestId } from '@/server/http/request-id';
import { json } from '@/server/http/respond';
import { currentRuntime } from '@/server/runtime';
import { getReadiness } from '@/server/status/readiness';

export const dynamic = 'force-dynamic';

/** Readiness: 200 once migrations and the start-up warmup are done and the database answers; 503 before. */
export async function GET(request: Request) {
  const readiness = await getReadiness(currentRuntime(), requestId(request));
  return json(readiness, { status: readiness.ready ? 200 : 503 });
}
