import 'server-only';
import type { ShopRead } from '../../reads/shop-read';
import { loadRecommendationJson } from './load-recommendation-json';
import { recommendationKey } from './recommendation-key';
import type { RecommendationList } from './recommendation-lists';
import { recommendationsStrategy } from './recommendations-strategy';

/**
 * The shop's read of a recommendation list: `recommendations:{list}`, built on a miss exactly as
 * the recommendations strategy builds it, with the list size an operator set for that strategy.
 */
export function recommendationRead(list: RecommendationList): ShopRead {
  return {
    family: 'recommendations',
    key: recommendationKey(list),
    load: async ({ database, now, optionsOf }) => {
      const options = recommendationsStrategy.optionsSchema.parse(await optionsOf(recommendationsStrategy.name));
      return loadRecommendationJson(database, list, options, now);
    },
  };
}
