import 'server-only';

/** The shop's key of a recommendation list (the contract: `recommendations:{list}`). */
export const RECOMMENDATION_PREFIX = 'recommendations:';

export function recommendationKey(list: string): string {
  return `${RECOMMENDATION_PREFIX}${list}`;
}
