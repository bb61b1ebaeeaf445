import 'server-only';
import { z } from 'zod';
import type { WarmupStrategy } from '../../warmup/strategy';
import { chunk } from '../chunk';
import { MalformedKeyError } from '../key-id';
import { loadRecommendationJson } from './load-recommendation-json';
import { RECOMMENDATION_PREFIX as PREFIX, recommendationKey } from './recommendation-key';
import { RECOMMENDATION_LISTS, isRecommendationList } from './recommendation-lists';

const optionsSchema = z.strictObject({
  /** Products per list. */
  size: z.number().int().min(1).max(100).default(20),
});
export type RecommendationsOptions = z.output<typeof optionsSchema>;

/**
 * The four product lists of the shop's front pages: `recommendations:homepage`, `:trending`,
 * `:new_arrivals`, `:best_sellers`. Four keys, each one query: no loadMany, the engine's
 * concurrency already runs them side by side.
 */
export const recommendationsStrategy: WarmupStrategy<RecommendationsOptions> = {
  name: 'recommendations',
  context: 'catalog',
  tags: ['catalog', 'recommendations'],
  description: 'The homepage, trending, new-arrival and best-seller product lists.',
  defaultPriority: 60,
  defaultTtlSeconds: 1800,
  defaultEnabled: true,
  optionsSchema,

  async *keys(ctx) {
    yield* chunk(RECOMMENDATION_LISTS.map(recommendationKey), ctx.batchSize);
  },

  countKeys: async () => RECOMMENDATION_LISTS.length,

  /** A `recommendations:` key naming no known list has no data (null); any other key is malformed. */
  async load(key, ctx) {
    if (!key.startsWith(PREFIX)) throw new MalformedKeyError(key, `${PREFIX}{list}`);
    const list = key.slice(PREFIX.length);
    if (!isRecommendationList(list)) return null;
    return loadRecommendationJson(ctx.database, list, ctx.options, ctx.now);
  },
};
