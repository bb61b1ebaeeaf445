import { coverageSampleRequestSchema } from '@/lib/api/effect';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { sampleCoverageNow } from '@/server/effect/sample-coverage-now';
import { parseJsonBody } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Takes a coverage sample now (of the named strategies, or every enabled one) instead of waiting for the next. */
export const POST = route(async (request) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const input = await parseJsonBody(request, coverageSampleRequestSchema);
  return json(await sampleCoverageNow(runtime, input, actor, clientInfo(request)), { status: 201 });
});
