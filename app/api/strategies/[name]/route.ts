import { strategyParamsSchema } from '@/lib/api/params';
import { updateStrategySchema } from '@/lib/api/strategies';
import { authorize } from '@/server/auth/authorize';
import { clientInfo } from '@/server/auth/client-info';
import { etag, ifMatchVersion } from '@/server/http/if-match';
import { parseJsonBody, parseWith } from '@/server/http/request';
import { json, route } from '@/server/http/respond';
import { getRuntime } from '@/server/runtime';
import { updateStrategy } from '@/server/strategies/update-strategy';

export const dynamic = 'force-dynamic';

/**
 * Priority (0-1000), ttlSeconds (1-2592000), enabled, and the strategy's own settings: only those
 * sent are written. With `If-Match` (its view's version), a stale view is refused: 412 with the current one.
 */
export const PATCH = route<{ params: Promise<{ name: string }> }>(async (request, context) => {
  const runtime = await getRuntime();
  const actor = await authorize(runtime, request, 'operator');
  const { name } = parseWith(strategyParamsSchema, await context.params);
  const ifMatch = ifMatchVersion(request);
  const patch = await parseJsonBody(request, updateStrategySchema);
  const { database, registry } = runtime;
  const strategy = await updateStrategy(database, registry, name, patch, actor, clientInfo(request), { ifMatch });
  return json({ strategy }, { headers: { etag: etag(strategy.version) } });
});
