import 'server-only';
import { parseKeyId } from '../key-id';

/** The shop's keys for categories (the contract): one category, and the whole tree. */
const PREFIX = 'Category:id:';
export const CATEGORY_TREE_KEY = 'Category:tree:root';

export function categoryKey(id: number): string {
  return `${PREFIX}${id}`;
}

/** The category id of a `Category:id:{id}` key; throws MalformedKeyError for anything else. */
export function parseCategoryKey(key: string): number {
  return parseKeyId(key, PREFIX);
}
