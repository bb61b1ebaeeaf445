import { authorize } from '@/server/auth/authorize';
import { route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Prometheus text format; scrape it with an API token (any role). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  const { metrics } = runtime;
  return new Response(await metrics.render(), { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
});
