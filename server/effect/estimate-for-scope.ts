import 'server-only';
import type { EstimateRunRequest, RunEstimate } from '@/lib/api/effect';
import type { Cache } from '../cache/cache';
import type { Database } from '../db/client';
import type { StrategyRegistry } from '../warmup/registry';
import { strategiesInScope } from '../warmup/scope';
import { resolveStrategies } from '../warmup/settings';
import { estimateRun } from './estimate-run';

/**
 * The estimate of the run POST /api/runs would start for this request: the same strategies in the
 * same order, with the same refusals (unknown names 400, a disabled strategy named 409).
 */
export async function estimateRunForScope(runtime: { database: Database; cache: Cache; registry: StrategyRegistry }, request: EstimateRunRequest): Promise<RunEstimate> {
  const { database, cache, registry } = runtime;
  const strategies = strategiesInScope(await resolveStrategies(database, registry), request.scope);
  return estimateRun({ database, cache }, strategies, { onlyMissing: request.onlyMissing });
}
