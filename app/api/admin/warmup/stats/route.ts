import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getWarmupSummary } from '@/server/runs/warmup-summary';

export const dynamic = 'force-dynamic';

/** The shop's original summary: enabled, strategies, last warmup (real values). */
export const GET = route(async (request) => {
  const runtime = await getRuntime();
  await authorize(runtime, request, 'viewer');
  return json(await getWarmupSummary({ database: runtime.database, registry: runtime.registry, warmupOnStartup: runtime.config.warmupOnStartup }));
});
