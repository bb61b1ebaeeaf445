import 'server-only';
import type { ResolvedStrategy, StrategyContext } from '../warmup/strategy';

export type WarmSetSample = {
  /** At most `size` keys of the warm set, uniformly picked (all of them when the set is small). */
  keys: string[];
  /** Keys the strategy would warm now. */
  warmSetSize: number;
  /** false: the walk stopped at its bound before the end and the strategy cannot count: a lower bound. */
  exact: boolean;
  /** all: every key; reservoir: a uniform sample of a walk; strategy: the strategy's own sampler. */
  method: 'all' | 'reservoir' | 'strategy';
};

export type SampleOptions = {
  size: number;
  /** The most keys of `keys()` read; a bigger set needs `countKeys` + `sampleKeys` to be sampled whole. */
  walkLimit: number;
  random?: () => number;
};

/**
 * A bounded sample of a strategy's warm set, for coverage and estimates. A strategy with its own
 * sampler and count (product_catalog: a million keys) is asked for `size` random keys; any other is
 * walked through `keys()` (at most `walkLimit` keys, never more than one batch in memory beyond the
 * sample) with reservoir sampling, so every key of the walk has the same chance to be picked.
 */
export async function sampleWarmSet(resolved: ResolvedStrategy, ctx: StrategyContext, options: SampleOptions): Promise<WarmSetSample> {
  const { strategy } = resolved;
  const random = options.random ?? Math.random;
  const count = strategy.countKeys ? await strategy.countKeys(ctx) : null;
  if (strategy.sampleKeys && count !== null && count > options.size) {
    const keys = await strategy.sampleKeys(ctx, options.size);
    return { keys, warmSetSize: count, exact: true, method: 'strategy' };
  }

  const reservoir: string[] = [];
  let seen = 0;
  let complete = true;
  walk: for await (const batch of strategy.keys(ctx)) {
    for (const key of batch) {
      if (seen >= options.walkLimit) {
        complete = false;
        break walk;
      }
      if (reservoir.length < options.size) reservoir.push(key);
      else {
        const at = Math.floor(random() * (seen + 1));
        if (at < options.size) reservoir[at] = key;
      }
      seen++;
    }
  }
  return {
    keys: reservoir,
    warmSetSize: count ?? seen,
    exact: complete || count !== null,
    method: complete && seen <= options.size ? 'all' : 'reservoir',
  };
}
