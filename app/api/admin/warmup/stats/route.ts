import { authorize } from '@/server/auth/authorize';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { getWarmupSummary } from '@/server/warmup/warmup-summary';

export const dynamic = 'force-dynamic';

/** The shop's original summary: enabled, strategies, last warmup (real values). */
export const GET = route(async (request) => {
  await authorize(request, 'viewer');
  return json(await getWarmupSummary(await getRuntime()));
});
