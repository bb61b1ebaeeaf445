import 'server-only';
import type { Cache } from '../cache/cache';
import type { Config } from '../config';
import { ShopReads } from '../contexts/shop-reads';
import type { Database } from '../db/client';
import { ClientRateLimiter } from '../http/client-rate-limiter';
import type { Logger } from '../logger';
import { ReadCounter } from '../reads/read-counter';
import { StrategySettingsCache } from '../reads/strategy-settings-cache';
import type { RunDeps, RunSummary } from '../warmup/execute-run';
import type { StrategyRegistry } from '../warmup/registry';
import { CoverageSampler } from './coverage-sampler';
import { dryRunEstimator } from './estimate-run';

/**
 * What shows whether the warmup helps, for one process: the shop's read path (cache-aside reads,
 * counted per key family and flushed to Postgres), its rate limiter, the coverage sampler, and the
 * dry-run estimator the warmer calls.
 */
export type Effect = {
  reads: ShopReads;
  counter: ReadCounter;
  coverage: CoverageSampler;
  shopLimiter: ClientRateLimiter;
  /** The warmer's dry-run hook (WarmerDeps.estimate). */
  estimateDryRun: NonNullable<RunDeps['estimate']>;
  /** The warmer's run-finished hook: samples the coverage the run left. */
  onRunFinished: (summary: RunSummary) => void;
  /** Starts the counter's flushes and the periodic coverage sample. */
  start: () => void;
  /** Writes the last counts, stops the sampler and waits for its samples. */
  stop: () => Promise<void>;
};

export type EffectDeps = {
  config: Pick<Config, 'shopRateLimitPerSecond' | 'coverageSampleMinutes'>;
  database: Database;
  cache: Cache;
  registry: StrategyRegistry;
  logger?: Logger;
};

export function createEffect(deps: EffectDeps): Effect {
  const { database, cache, registry, logger, config } = deps;
  const counter = new ReadCounter(database, { logger });
  const settings = new StrategySettingsCache(database, registry);
  const coverage = new CoverageSampler({ database, cache, logger, registry, intervalMs: config.coverageSampleMinutes * 60_000 });
  return {
    reads: new ShopReads({ cache, database, counter, settings, logger }),
    counter,
    coverage,
    shopLimiter: new ClientRateLimiter({ perSecond: config.shopRateLimitPerSecond }),
    estimateDryRun: dryRunEstimator({ database, cache }),
    onRunFinished: (summary) => coverage.afterRun(summary),
    start: () => {
      counter.start();
      coverage.start();
    },
    stop: async () => {
      // Both run even when one throws; the first error is reported after.
      const results = await Promise.allSettled([counter.stop(), coverage.stop()]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
