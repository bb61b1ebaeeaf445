import { json } from '@/server/http/respond';
import { currentRuntime } from '@/server/runtime';
import { getReadiness } from '@/server/status/readiness';

export const dynamic = 'force-dynamic';

/** Readiness: 200 once migrations and the start-up warmup are done and the database answers; 503 before. */
export async function GET() {
  const readiness = await getReadiness(currentRuntime());
  return json(readiness, { status: readiness.ready ? 200 : 503 });
}
